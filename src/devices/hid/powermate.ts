import { BridgeError } from '../../errors.ts';
import { BTN_0, EV, MSC_PULSELED, REL_DIAL, type EvdevEvent } from './binding.ts';

/** What a Griffin PowerMate tells the host. */
export type PowerMateInput = { readonly type: 'button'; readonly pressed: boolean } | { readonly type: 'rotate'; readonly ticks: number };

/**
 * PowerMate input, from either path:
 * - raw HID report (macOS / Windows, or Linux if the device was unbound from `powermate`):
 *   3-6 bytes, "the first three bytes always contain the interesting data"; byte 0 bit 0 =
 *   button, byte 1 = signed int8 rotation since the last report (kernel powermate.c;
 *   node-powermate `delta -= 256 if delta & 0x80`). Reference §3.1.
 * - Linux evdev: EV_KEY BTN_0 (button), EV_REL REL_DIAL (rotation).
 * Button events only on change, so a report that repeats the state is not a new press.
 */
export class PowerMateDecoder {
  #pressed = false;

  decodeReport(report: Uint8Array, emit: (e: PowerMateInput) => void): void {
    if (report.length < 2) return;
    const pressed = ((report[0] as number) & 1) === 1;
    if (pressed !== this.#pressed) {
      this.#pressed = pressed;
      emit({ type: 'button', pressed });
    }
    const raw = report[1] as number;
    const ticks = raw & 0x80 ? raw - 256 : raw;
    if (ticks !== 0) emit({ type: 'rotate', ticks });
  }

  decodeEvdev(ev: EvdevEvent, emit: (e: PowerMateInput) => void): void {
    if (ev.type === EV.KEY && ev.code === BTN_0) {
      const pressed = ev.value !== 0;
      // value 2 = autorepeat: not a new press.
      if (pressed !== this.#pressed) {
        this.#pressed = pressed;
        emit({ type: 'button', pressed });
      }
    } else if (ev.type === EV.REL && ev.code === REL_DIAL && ev.value !== 0) {
      emit({ type: 'rotate', ticks: ev.value });
    }
  }

  reset(): void {
    this.#pressed = false;
  }
}

export interface PowerMateLed {
  /** Static brightness 0-255. */
  readonly brightness: number;
  /** Pulse speed 0-510, 255 = normal (kernel powermate.c). */
  readonly pulseSpeed?: number;
  /** Pulse table 0-2. */
  readonly pulseTable?: number;
  readonly pulseAsleep?: boolean;
  readonly pulseAwake?: boolean;
}

function int(what: string, v: number, lo: number, hi: number): number {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new BridgeError('E_HID_BAD_REPORT', `PowerMate ${what} must be an integer ${lo}..${hi}, got ${v}`, { details: { what, value: v } });
  }
  return v;
}

/**
 * evdev `EV_MSC MSC_PULSELED` value (kernel powermate.c `powermate_input_event`): bits 0-7
 * brightness, 8-16 pulse speed, 17-18 pulse table, 19 pulse while asleep, 20 pulse while awake.
 */
export function powermateLedEvent(led: PowerMateLed): EvdevEvent {
  const value =
    int('brightness', led.brightness, 0, 255) |
    (int('pulse speed', led.pulseSpeed ?? 255, 0, 510) << 8) |
    (int('pulse table', led.pulseTable ?? 0, 0, 2) << 17) |
    ((led.pulseAsleep ? 1 : 0) << 19) |
    ((led.pulseAwake ? 1 : 0) << 20);
  return { type: EV.MSC, code: MSC_PULSELED, value };
}

/**
 * The LED as a HID feature report, node-powermate's way: the 8-byte vendor control-transfer
 * setup packet (`bmRequestType 41, bRequest 01, wValue, wIndex, wLength 0`) behind a report id
 * 00. UNSURE (reference §3.1): the kernel uses a real control transfer, and these writes are
 * reported to fail on a Raspberry Pi (node-powermate #11). Used only off Linux.
 *   wValue 0001, wIndex 0-255: static brightness
 *   wValue 0003, wIndex 0/1: pulse always
 *   wValue (table << 8) | 0004, wIndex (arg << 8) | op: pulse mode (op 0 divide, 1 normal, 2 multiply)
 */
export function powermateLedReports(led: PowerMateLed): Uint8Array[] {
  const packet = (wValue: number, wIndex: number): Uint8Array =>
    Uint8Array.of(0x00, 0x41, 0x01, wValue & 0xff, wValue >> 8, wIndex & 0xff, wIndex >> 8, 0x00, 0x00);
  const out = [packet(0x0001, int('brightness', led.brightness, 0, 255)), packet(0x0003, led.pulseAwake ? 1 : 0)];
  if (led.pulseAwake) {
    // Kernel mapping of speed 0-510 onto op/arg: < 255 divide, 255 normal, > 255 multiply.
    const speed = int('pulse speed', led.pulseSpeed ?? 255, 0, 510);
    const table = int('pulse table', led.pulseTable ?? 0, 0, 2);
    const [op, arg] = speed < 255 ? [0, 255 - speed] : speed > 255 ? [2, speed - 255] : [1, 0];
    out.push(packet((table << 8) | 0x0004, (arg << 8) | op));
  }
  return out;
}
