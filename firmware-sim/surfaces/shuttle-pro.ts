/**
 * A simulated Contour ShuttlePro v2 (or ShuttleXpress), producing its 5-byte input reports
 * (reference §3.2): byte 0 shuttle ring int8 -7..+7, byte 1 jog uint8 counter (+1 per detent,
 * wraps FF <-> 00), byte 2 unused, bytes 3-4 the button mask, uint16 little-endian. A report is
 * sent on every change, as the device does.
 */
export class ShuttleProSim {
  readonly model: 'shuttleProV2' | 'shuttleXpress';
  #jog: number;
  #ring = 0;
  #buttons = 0;
  #send: (report: number[]) => void = () => {};

  constructor(options: { model?: 'shuttleProV2' | 'shuttleXpress'; jogStart?: number } = {}) {
    this.model = options.model ?? 'shuttleProV2';
    this.#jog = (options.jogStart ?? 0) & 0xff;
  }

  connect(send: (report: number[]) => void): void {
    this.#send = send;
  }

  #report(): void {
    this.#send([this.#ring & 0xff, this.#jog, 0x00, this.#buttons & 0xff, (this.#buttons >> 8) & 0xff]);
  }

  /** Send the current state once (the host's first read after opening). */
  idle(): void {
    this.#report();
  }

  /** Turn the jog wheel by signed detents, one report per detent. */
  jog(detents: number): void {
    const step = Math.sign(detents);
    for (let i = 0; i < Math.abs(Math.trunc(detents)); i++) {
      this.#jog = (this.#jog + step) & 0xff;
      this.#report();
    }
  }

  get jogCounter(): number {
    return this.#jog;
  }

  /** Hold the shuttle ring at -7..+7. */
  shuttle(position: number): void {
    this.#ring = Math.max(-7, Math.min(7, Math.trunc(position)));
    this.#report();
  }

  #bit(button: number): number {
    return this.model === 'shuttleXpress' ? 1 << (button + 3) : 1 << (button - 1);
  }

  press(button: number): void {
    this.#buttons |= this.#bit(button);
    this.#report();
  }

  release(button: number): void {
    this.#buttons &= ~this.#bit(button);
    this.#report();
  }
}
