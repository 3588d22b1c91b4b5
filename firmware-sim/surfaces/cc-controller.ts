import { encodeTicks, WireReader, type SimEncoding } from './midi-wire.ts';

/**
 * A simulated generic 8-knob controller (the BCR/Beatstep/X-Touch-Mini kind in plain MIDI mode):
 * 8 endless encoders sending relative CCs in a configurable encoding, 8 pads/buttons as notes,
 * and LED rings / pad LEDs driven by the host's CC / note feedback, readable in tests. Like an
 * X-Touch Mini in standard mode, a ring shows the host's last value (the host must refresh it).
 */
export interface CcControllerSimOptions {
  readonly channel?: number;
  /** CC of knob 1; knobs 2-8 follow. */
  readonly firstCc?: number;
  /** Note of button 1; buttons 2-8 follow. */
  readonly firstNote?: number;
  readonly encoding?: SimEncoding;
  /** Ticks per message (1 = every detent its own message). */
  readonly ticksPerMessage?: number;
}

export class CcControllerSim {
  readonly channel: number;
  readonly firstCc: number;
  readonly firstNote: number;
  encoding: SimEncoding;
  readonly #ticksPerMessage: number;
  readonly #reader = new WireReader();
  #send: (bytes: number[]) => void = () => {};
  /** Ring values (0-127) per knob 1-8, as last sent by the host; undefined = never. */
  readonly rings: (number | undefined)[] = Array.from({ length: 8 }, () => undefined);
  readonly padLeds: boolean[] = Array.from({ length: 8 }, () => false);
  readonly received: number[][] = [];

  constructor(options: CcControllerSimOptions = {}) {
    this.channel = options.channel ?? 0;
    this.firstCc = options.firstCc ?? 16;
    this.firstNote = options.firstNote ?? 36;
    this.encoding = options.encoding ?? 'twosComplement';
    this.#ticksPerMessage = options.ticksPerMessage ?? 1;
  }

  connect(send: (bytes: number[]) => void): void {
    this.#send = send;
  }

  receive(bytes: Uint8Array | readonly number[]): void {
    this.#reader.feed(bytes, (m) => {
      if (m.kind === 'sysex') return;
      this.received.push([m.status, ...m.data]);
      if ((m.status & 0x0f) !== this.channel) return;
      const [d0 = 0, d1 = 0] = m.data;
      if ((m.status & 0xf0) === 0xb0 && d0 >= this.firstCc && d0 < this.firstCc + 8) this.rings[d0 - this.firstCc] = d1;
      if ((m.status & 0xf0) === 0x90 && d0 >= this.firstNote && d0 < this.firstNote + 8) this.padLeds[d0 - this.firstNote] = d1 > 0;
      if ((m.status & 0xf0) === 0x80 && d0 >= this.firstNote && d0 < this.firstNote + 8) this.padLeds[d0 - this.firstNote] = false;
    });
  }

  /** Turn knob (1-8) by signed ticks. */
  turn(knob: number, ticks: number): void {
    let left = Math.trunc(ticks);
    while (left !== 0) {
      const n = Math.sign(left) * Math.min(Math.abs(left), this.#ticksPerMessage, 63);
      this.#send([0xb0 | this.channel, this.firstCc + knob - 1, encodeTicks(this.encoding, n)]);
      left -= n;
    }
  }

  /** Send a raw CC value on a knob (an absolute knob, or a test of odd values). */
  knobValue(knob: number, value: number): void {
    this.#send([0xb0 | this.channel, this.firstCc + knob - 1, value & 0x7f]);
  }

  press(button: number): void {
    this.#send([0x90 | this.channel, this.firstNote + button - 1, 0x7f]);
  }

  release(button: number): void {
    // Many pads release with note-off; the host must accept both.
    this.#send([0x80 | this.channel, this.firstNote + button - 1, 0x40]);
  }

  snapshot(): Record<string, unknown> {
    return { channel: this.channel, encoding: this.encoding, rings: [...this.rings], padLeds: [...this.padLeds] };
  }
}
