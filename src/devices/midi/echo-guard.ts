import { splitMessages, type MidiMessage } from './midi-message.ts';

/**
 * Drops a channel message that is an exact copy of one we sent a moment ago: a device (or a
 * MIDI-thru / loopback in the chain) echoing our feedback back (complaint #6: SysEx echo loops in
 * ctrlr #757, MIDI-thru echo in MIDIMaster #30). Without this, an echoed LED "on" reads as a
 * button press that toggles the LED again, and an echoed ring value on a relative encoder reads
 * as a turn: both loop forever. A human cannot press the same control within the window right
 * after its feedback was sent, so a real move is never mistaken for an echo in practice.
 */
export type EchoKind = 'note' | 'cc' | 'pitchBend';

export class EchoGuard {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #kinds: ReadonlySet<EchoKind>;
  readonly #recent = new Map<number, number>();

  /**
   * `kinds`: which messages to guard. A Mackie Control unit needs only notes (LEDs vs buttons):
   * its fader echoes are handled exactly by the servo rule, and the CCs we send (rings, digits)
   * are not inputs.
   */
  constructor(options: { windowMs?: number; kinds?: readonly EchoKind[]; now?: () => number } = {}) {
    this.#windowMs = options.windowMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
    this.#kinds = new Set(options.kinds ?? ['note', 'cc', 'pitchBend']);
  }

  /** Remember what went out. */
  sent(bytes: Uint8Array): void {
    const t = this.#now();
    for (const m of splitMessages(bytes)) {
      const status = m[0] as number;
      if (status < 0x80 || status >= 0xf0 || m.length < 2) continue;
      const hi = status & 0xf0;
      const kind: EchoKind | undefined = hi === 0x80 || hi === 0x90 ? 'note' : hi === 0xb0 ? 'cc' : hi === 0xe0 ? 'pitchBend' : undefined;
      if (kind === undefined || !this.#kinds.has(kind)) continue;
      this.#recent.set(key(status, m[1] as number, m.length > 2 ? (m[2] as number) : 0), t);
    }
    if (this.#recent.size > 512) {
      for (const [k, at] of this.#recent) if (t - at > this.#windowMs) this.#recent.delete(k);
    }
  }

  /** True (and forgotten) when `m` is a recent message of ours coming back. */
  isEcho(m: MidiMessage): boolean {
    let k: number;
    switch (m.type) {
      case 'noteOn':
        k = key(0x90 | m.channel, m.note, m.velocity);
        break;
      case 'noteOff':
        k = key(0x80 | m.channel, m.note, m.velocity);
        break;
      case 'cc':
        k = key(0xb0 | m.channel, m.controller, m.value);
        break;
      case 'pitchBend':
        k = key(0xe0 | m.channel, m.value & 0x7f, m.value >> 7);
        break;
      default:
        return false;
    }
    const at = this.#recent.get(k);
    if (at === undefined) return false;
    this.#recent.delete(k);
    return this.#now() - at <= this.#windowMs;
  }
}

function key(status: number, d0: number, d1: number): number {
  return (status << 16) | (d0 << 8) | d1;
}
