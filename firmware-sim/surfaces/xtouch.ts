import { WireReader, type WireMessage } from './midi-wire.ts';

/**
 * A simulated Behringer X-Touch (or X-Touch Extender, or Logic Control) in Mackie Control mode,
 * speaking the bytes of the Logic Control MIDI implementation (reference §1). What it models:
 * - motor faders as a servo: a host position moves an untouched fader; while touched the motor is
 *   off and host positions only change the target; on release, and at each `settle()`, an
 *   untouched fader goes to the last host target, so a move the host did not re-transmit snaps
 *   back (reference §0.1, §1.4);
 * - V-Pots sending sign-magnitude ticks, rings decoded per mode, button LEDs, the 2x56 LCD, the
 *   colour strips, the 7-segment assignment/timecode digits and the meters, all readable;
 * - the handshake as configured: the X-Touch never answers a Device Query, a Logic Control asks
 *   for the challenge response and checks it (the Logic doc's formula, `>> 4`).
 */
export type HandshakeMode = 'silent' | 'ready' | 'challenge';

export interface XTouchSimOptions {
  /** 0x14 X-Touch / MCU, 0x15 extender, 0x10 Logic Control. */
  readonly model?: number;
  readonly handshake?: HandshakeMode;
  /** 7 ASCII characters. */
  readonly serial?: string;
  readonly firmware?: string;
  /** 4 challenge bytes for the Logic Control handshake. */
  readonly challenge?: readonly [number, number, number, number];
  /** Ticks per V-Pot message when turning (1 = a slow turn, every detent its own message). */
  readonly ticksPerMessage?: number;
}

const RING_MODES = ['dot', 'boostCut', 'wrap', 'spread'] as const;
export type SimRingMode = (typeof RING_MODES)[number];

interface SimFader {
  position: number;
  target: number;
  touched: boolean;
}

export interface XTouchEvent {
  readonly type: 'online' | 'refused' | 'offline' | 'received';
  readonly bytes?: readonly number[];
}

/** Logic Control challenge response, Logic doc p.240 (the device checks the host with it). */
export function expectedResponse(c: readonly number[]): number[] {
  const [c1 = 0, c2 = 0, c3 = 0, c4 = 0] = c;
  return [
    0x7f & (c1 + (c2 ^ 0x0a) - c4),
    0x7f & ((c3 >> 4) ^ (c1 + c4)),
    0x7f & ((c4 - (c3 << 2)) ^ (c1 | c2)),
    0x7f & (c2 - c3 + (0xf0 ^ (c4 << 4))),
  ];
}

export class XTouchSim {
  readonly model: number;
  readonly #handshake: HandshakeMode;
  readonly #serial: number[];
  readonly #firmware: string;
  readonly #challenge: readonly number[];
  readonly #ticksPerMessage: number;
  readonly #reader = new WireReader();
  #send: (bytes: number[]) => void = () => {};
  readonly #listeners = new Set<(e: XTouchEvent) => void>();

  readonly faders: SimFader[] = Array.from({ length: 9 }, () => ({ position: 0, target: 0, touched: false }));
  /** Raw ring bytes as last received, per strip. */
  readonly rings: number[] = Array.from({ length: 8 }, () => 0);
  readonly leds = new Map<number, 'off' | 'flash' | 'on'>();
  readonly lcd: number[] = Array.from({ length: 112 }, () => 0x20);
  readonly colours: number[] = Array.from({ length: 8 }, () => 0);
  /** 7-segment digits by CC index 0x40-0x4B (raw codes). */
  readonly segments = new Map<number, number>();
  readonly meters: { level: number; overload: boolean }[] = Array.from({ length: 8 }, () => ({ level: 0, overload: false }));
  readonly meterModes = new Map<number, number>();
  readonly touchSensitivity = new Map<number, number>();
  /** Every complete message from the host, in order. */
  readonly received: number[][] = [];
  online = false;
  refused = false;

  constructor(options: XTouchSimOptions = {}) {
    this.model = options.model ?? 0x14;
    this.#handshake = options.handshake ?? (this.model === 0x10 || this.model === 0x11 ? 'challenge' : 'silent');
    this.#serial = Array.from((options.serial ?? 'XT00001').padEnd(7, '0').slice(0, 7), (c) => c.charCodeAt(0) & 0x7f);
    this.#firmware = options.firmware ?? '1.22 ';
    this.#challenge = options.challenge ?? [0x12, 0x34, 0x56, 0x78].map((x) => x & 0x7f);
    this.#ticksPerMessage = options.ticksPerMessage ?? 1;
  }

  /** Where device -> host bytes go (the MIDI port). */
  connect(send: (bytes: number[]) => void): void {
    this.#send = send;
  }

  on(listener: (e: XTouchEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: XTouchEvent): void {
    for (const l of this.#listeners) l(e);
  }

  #hdr(): number[] {
    return [0xf0, 0x00, 0x00, 0x66, this.model];
  }

  /** Power-on: a Logic Control announces itself with a Host Connection Query. */
  powerOn(): void {
    if (this.#handshake === 'challenge' || this.#handshake === 'ready') this.#send([...this.#hdr(), 0x01, ...this.#serial, ...this.#challenge, 0xf7]);
  }

  // ---- host -> device ------------------------------------------------------------------------

  receive(bytes: Uint8Array | readonly number[]): void {
    this.#reader.feed(bytes, (m) => this.#onMessage(m));
  }

  #onMessage(m: WireMessage): void {
    const bytes = m.kind === 'sysex' ? [...m.bytes] : [m.status, ...m.data];
    this.received.push(bytes);
    this.#emit({ type: 'received', bytes });
    if (this.refused) return; // MCU Pro after a failed unlock ignores input (TouchMCU)
    if (m.kind === 'sysex') return this.#onSysex(m.bytes);
    const [d0 = 0, d1 = 0] = m.data;
    const hi = m.status & 0xf0;
    const ch = m.status & 0x0f;
    if (hi === 0xe0 && ch <= 8) {
      const f = this.faders[ch] as SimFader;
      f.target = d0 | (d1 << 7);
      if (!f.touched) f.position = f.target; // the motor moves an untouched fader only
    } else if (hi === 0xb0 && ch === 0 && d0 >= 0x30 && d0 <= 0x37) {
      this.rings[d0 - 0x30] = d1;
    } else if (hi === 0xb0 && d0 >= 0x40 && d0 <= 0x4b) {
      this.segments.set(d0, d1);
    } else if (hi === 0x90 && ch === 0) {
      this.leds.set(d0, d1 === 0 ? 'off' : d1 === 0x7f ? 'on' : d1 & 1 ? 'flash' : 'off');
    } else if (hi === 0xd0 && ch === 0) {
      const strip = d0 >> 4;
      const v = d0 & 0x0f;
      const meter = this.meters[strip];
      if (!meter) return;
      if (v === 0x0e) meter.overload = true;
      else if (v === 0x0f) meter.overload = false;
      else if (v <= 0x0d) meter.level = v;
    }
  }

  #onSysex(b: readonly number[]): void {
    if (b.length < 7 || b[1] !== 0 || b[2] !== 0 || b[3] !== 0x66) return;
    const cmd = b[5];
    const body = b.slice(6, -1);
    switch (cmd) {
      case 0x00: // Device Query
        if (this.#handshake !== 'silent') this.#send([...this.#hdr(), 0x01, ...this.#serial, ...this.#challenge, 0xf7]);
        return;
      case 0x02: {
        // Host Connection Reply: serial + response
        const response = body.slice(7, 11);
        const ok = expectedResponse(this.#challenge).every((v, i) => response[i] === v);
        if (ok) {
          this.online = true;
          this.#send([...this.#hdr(), 0x03, ...this.#serial, 0xf7]);
          this.#emit({ type: 'online' });
        } else {
          this.refused = true;
          this.#send([...this.#hdr(), 0x04, ...this.#serial, 0xf7]);
          this.#emit({ type: 'refused' });
        }
        return;
      }
      case 0x0e:
        this.touchSensitivity.set(body[0] ?? 0, body[1] ?? 0);
        return;
      case 0x0f:
        this.online = false;
        this.#emit({ type: 'offline' });
        return;
      case 0x12: {
        const offset = body[0] ?? 0;
        body.slice(1).forEach((c, i) => {
          if (offset + i < 112) this.lcd[offset + i] = c;
        });
        return;
      }
      case 0x13:
        this.#send([...this.#hdr(), 0x14, ...Array.from(this.#firmware.padEnd(5, ' ').slice(0, 5), (c) => c.charCodeAt(0)), 0xf7]);
        return;
      case 0x20:
        this.meterModes.set(body[0] ?? 0, body[1] ?? 0);
        return;
      case 0x62:
        this.leds.clear();
        return;
      case 0x72:
        body.slice(0, 8).forEach((c, i) => (this.colours[i] = c));
        return;
      default:
        return;
    }
  }

  // ---- device -> host (the engineer's hands) ----------------------------------------------

  /** Turn V-Pot `strip` (1-8) by `ticks` detents, sign-magnitude `0svvvvvv` (Logic doc p.243). */
  turnVpot(strip: number, ticks: number): void {
    let left = Math.trunc(ticks);
    while (left !== 0) {
      const n = Math.min(Math.abs(left), this.#ticksPerMessage, 63);
      this.#send([0xb0, 0x10 + strip - 1, left < 0 ? 0x40 | n : n]);
      left -= Math.sign(left) * n;
    }
  }

  /** Jog wheel, same encoding on CC 3C. */
  jog(ticks: number): void {
    const n = Math.min(63, Math.abs(Math.trunc(ticks)));
    if (n > 0) this.#send([0xb0, 0x3c, ticks < 0 ? 0x40 | n : n]);
  }

  press(note: number): void {
    this.#send([0x90, note, 0x7f]);
  }

  release(note: number): void {
    this.#send([0x90, note, 0x00]);
  }

  /** Touch fader `strip` (1-8, 9 = master): note 68+i velocity 7F. */
  touch(strip: number): void {
    const f = this.faders[strip - 1] as SimFader;
    f.touched = true;
    this.#send([0x90, 0x68 + strip - 1, 0x7f]);
  }

  /** Let go of a fader: the servo takes it to the last host position. */
  untouch(strip: number): void {
    const f = this.faders[strip - 1] as SimFader;
    f.touched = false;
    this.#send([0x90, 0x68 + strip - 1, 0x00]);
  }

  /** Move fader `strip` (1-9) to `value` (0-3FFF): `Ei LL MM`. Untouched = a fingernail move. */
  moveFader(strip: number, value: number): void {
    const f = this.faders[strip - 1] as SimFader;
    f.position = Math.max(0, Math.min(0x3fff, Math.round(value)));
    this.#send([0xe0 | (strip - 1), f.position & 0x7f, f.position >> 7]);
  }

  /** A full human gesture: touch, move through `values`, release. */
  throwFader(strip: number, values: readonly number[]): void {
    this.touch(strip);
    for (const v of values) this.moveFader(strip, v);
    this.untouch(strip);
  }

  /** One servo step: untouched faders go to their target (snap back if the host did not answer). */
  settle(): void {
    for (const f of this.faders) if (!f.touched) f.position = f.target;
  }

  /** External controller / expression pedal (CC 2E), absolute 0-127. */
  pedal(value: number): void {
    this.#send([0xb0, 0x2e, value & 0x7f]);
  }

  // ---- readers -----------------------------------------------------------------------------

  lcdLines(): [string, string] {
    const s = String.fromCharCode(...this.lcd);
    return [s.slice(0, 56), s.slice(56)];
  }

  /** The 7 characters of strip `strip` (1-8) on `line` 0/1, trailing spaces trimmed. */
  stripText(strip: number, line: 0 | 1): string {
    const s = this.lcdLines()[line];
    return s.slice((strip - 1) * 7, strip * 7).trimEnd();
  }

  ring(strip: number): { mode: SimRingMode; position: number; centre: boolean } {
    const b = this.rings[strip - 1] ?? 0;
    return { mode: RING_MODES[(b >> 4) & 3] as SimRingMode, position: b & 0x0f, centre: (b & 0x40) !== 0 };
  }

  /** Lit LEDs of a ring (11 LEDs, 1-based), per the TouchMCU table (reference §1.6). */
  ringLeds(strip: number): number[] {
    const { mode, position } = this.ring(strip);
    if (position === 0) return [];
    const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    switch (mode) {
      case 'dot':
        return [position];
      case 'boostCut':
        return position <= 6 ? range(position, 6) : range(6, position);
      case 'wrap':
        return range(1, position);
      case 'spread':
        return range(6 - (position - 1), 6 + (position - 1));
    }
  }

  /** The two assignment digits as text ("EQ", "P."). */
  assignment(): string {
    return [0x4b, 0x4a].map((cc) => segmentText(this.segments.get(cc))).join('');
  }

  faderValue(strip: number): number {
    return this.faders[strip - 1]?.position ?? 0;
  }

  snapshot(): Record<string, unknown> {
    return {
      model: this.model,
      online: this.online,
      lcd: this.lcdLines(),
      faders: this.faders.map((f) => f.position),
      rings: Array.from({ length: 8 }, (_, i) => this.ring(i + 1)),
      colours: [...this.colours],
      assignment: this.assignment(),
      leds: Object.fromEntries([...this.leds].filter(([, v]) => v !== 'off').map(([k, v]) => [k.toString(16), v])),
      meters: this.meters.map((m) => ({ ...m })),
    };
  }
}

/** A 7-segment code back to text: 01-1A letters, 20-3F as ASCII, bit 6 the decimal point. */
function segmentText(code: number | undefined): string {
  if (code === undefined) return ' ';
  const c = code & 0x3f;
  const ch = c >= 0x01 && c <= 0x1f ? String.fromCharCode(c + 0x40) : String.fromCharCode(c === 0 ? 0x40 : c);
  return ch + (code & 0x40 ? '.' : '');
}
