/**
 * A simulated Griffin PowerMate. It produces what the hardware produces (reference §3.1):
 * raw HID input reports (byte 0 bit 0 button, byte 1 signed int8 rotation since the last poll,
 * at most ±7 per report before it would wrap; newer revisions send 6 bytes, older 3) and, for
 * the Linux path, evdev events (EV_KEY BTN_0, EV_REL REL_DIAL). LED commands are decoded from
 * evdev MSC_PULSELED writes and from node-powermate style feature reports.
 */
export interface PowerMateLedState {
  brightness: number;
  pulseSpeed: number;
  pulseTable: number;
  pulseAsleep: boolean;
  pulseAwake: boolean;
}

export class PowerMateSim {
  readonly reportLength: number;
  #pressed = false;
  #sendReport: (report: number[]) => void = () => {};
  #sendEvent: (e: { type: number; code: number; value: number }) => void = () => {};
  readonly led: PowerMateLedState = { brightness: 0, pulseSpeed: 255, pulseTable: 0, pulseAsleep: false, pulseAwake: false };

  constructor(options: { reportLength?: 3 | 6 } = {}) {
    this.reportLength = options.reportLength ?? 6;
  }

  connectHid(send: (report: number[]) => void): void {
    this.#sendReport = send;
  }

  connectEvdev(send: (e: { type: number; code: number; value: number }) => void): void {
    this.#sendEvent = send;
  }

  #report(delta: number): void {
    const r = Array.from({ length: this.reportLength }, () => 0);
    r[0] = this.#pressed ? 1 : 0;
    r[1] = delta & 0xff;
    this.#sendReport(r);
  }

  /** Rotate by signed clicks: split into reports of at most ±7 (the device's poll limit). */
  rotate(clicks: number): void {
    let left = Math.trunc(clicks);
    while (left !== 0) {
      const n = Math.sign(left) * Math.min(7, Math.abs(left));
      this.#report(n);
      this.#sendEvent({ type: 0x02, code: 0x07, value: n });
      this.#sendEvent({ type: 0x00, code: 0, value: 0 });
      left -= n;
    }
  }

  press(): void {
    this.#pressed = true;
    this.#report(0);
    this.#sendEvent({ type: 0x01, code: 0x100, value: 1 });
    this.#sendEvent({ type: 0x00, code: 0, value: 0 });
  }

  release(): void {
    this.#pressed = false;
    this.#report(0);
    this.#sendEvent({ type: 0x01, code: 0x100, value: 0 });
    this.#sendEvent({ type: 0x00, code: 0, value: 0 });
  }

  /** An evdev event written by the host (kernel powermate.c MSC_PULSELED bit layout). */
  writeEvdev(e: { type: number; code: number; value: number }): void {
    if (e.type !== 0x04 || e.code !== 0x01) return;
    const v = e.value;
    this.led.brightness = v & 0xff;
    this.led.pulseSpeed = (v >> 8) & 0x1ff;
    this.led.pulseTable = (v >> 17) & 0x3;
    this.led.pulseAsleep = ((v >> 19) & 1) === 1;
    this.led.pulseAwake = ((v >> 20) & 1) === 1;
  }

  /** A feature report `[00, 41, 01, wValue lo, hi, wIndex lo, hi, 0, 0]` (node-powermate). */
  featureReport(r: readonly number[]): void {
    if (r[1] !== 0x41 || r[2] !== 0x01) return;
    const wValue = (r[3] ?? 0) | ((r[4] ?? 0) << 8);
    const wIndex = (r[5] ?? 0) | ((r[6] ?? 0) << 8);
    if (wValue === 0x0001) this.led.brightness = wIndex & 0xff;
    else if (wValue === 0x0002) this.led.pulseAsleep = wIndex !== 0;
    else if (wValue === 0x0003) this.led.pulseAwake = wIndex !== 0;
  }
}
