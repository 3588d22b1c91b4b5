import { messageLength, type MidiMessage } from './midi-message.ts';

export interface MidiParserStats {
  /** Data bytes that arrived with no status to attach to (no running status yet). */
  strayDataBytes: number;
  /** SysEx cut short by a status byte (MIDI 1.0: any non-real-time status ends SysEx). */
  truncatedSysex: number;
  /** SysEx longer than the limit, dropped whole. */
  oversizedSysex: number;
  /** F4, F5, F9, FD and lone F7: undefined by MIDI 1.0. */
  undefinedStatus: number;
}

/**
 * Byte-stream MIDI 1.0 parser. Feeds on arbitrary chunks (a whole message per chunk from rtmidi,
 * any slice from a socket or a DIN link) and emits complete messages:
 * - running status: data bytes after a complete channel message reuse the last channel status
 *   ("All channel messages use running status", Logic Control doc, MIDI implementation p.239);
 * - real-time bytes (F8-FF) are emitted where they appear and do not disturb running status or
 *   a SysEx in progress;
 * - system common messages cancel running status;
 * - SysEx is accumulated across chunks up to `maxSysexBytes`; a status byte inside it ends it
 *   (the truncated message is dropped, not delivered: half a handshake is not a handshake);
 * - malformed input is counted in `stats` and skipped, never thrown.
 * Allocates per message (control plane, not the audio path).
 */
export class MidiStreamParser {
  readonly stats: MidiParserStats = { strayDataBytes: 0, truncatedSysex: 0, oversizedSysex: 0, undefinedStatus: 0 };
  readonly #maxSysexBytes: number;
  #running = 0; // last channel status (0 = none)
  #status = 0; // status of the message being assembled (0 = none)
  #need = 0; // data bytes the current message needs
  #d0 = 0;
  #have = 0;
  #sysex: number[] | undefined;
  #sysexOverflow = false;

  constructor(options: { maxSysexBytes?: number } = {}) {
    this.#maxSysexBytes = options.maxSysexBytes ?? 4096;
  }

  push(bytes: Uint8Array, emit: (message: MidiMessage) => void): void {
    for (let i = 0; i < bytes.length; i++) this.#byte(bytes[i] as number, emit);
  }

  /** Forget any partial message (port reopened). */
  reset(): void {
    this.#running = 0;
    this.#status = 0;
    this.#have = 0;
    this.#sysex = undefined;
    this.#sysexOverflow = false;
  }

  #byte(b: number, emit: (message: MidiMessage) => void): void {
    if (b >= 0xf8) {
      if (b === 0xf9 || b === 0xfd) this.stats.undefinedStatus++;
      else emit({ type: 'realtime', status: b });
      return;
    }
    if (this.#sysex !== undefined) {
      if (b === 0xf7) {
        if (this.#sysexOverflow) this.stats.oversizedSysex++;
        else {
          this.#sysex.push(0xf7);
          emit({ type: 'sysex', bytes: Uint8Array.from(this.#sysex) });
        }
        this.#sysex = undefined;
        this.#sysexOverflow = false;
        return;
      }
      if (b < 0x80) {
        if (this.#sysex.length >= this.#maxSysexBytes - 1) this.#sysexOverflow = true;
        else this.#sysex.push(b);
        return;
      }
      // A status byte ends SysEx without EOX: drop what we have, then treat the byte normally.
      this.stats.truncatedSysex++;
      this.#sysex = undefined;
      this.#sysexOverflow = false;
    }
    if (b >= 0x80) {
      if (b === 0xf0) {
        this.#sysex = [0xf0];
        this.#status = 0;
        this.#running = 0;
        return;
      }
      if (b === 0xf7 || b === 0xf4 || b === 0xf5) {
        this.stats.undefinedStatus++;
        this.#status = 0;
        this.#running = 0;
        return;
      }
      const len = messageLength(b);
      if (b >= 0xf0) this.#running = 0;
      else this.#running = b;
      if (len === 1) {
        emit({ type: 'systemCommon', status: b, data: [] });
        this.#status = 0;
        return;
      }
      this.#status = b;
      this.#need = len - 1;
      this.#have = 0;
      return;
    }
    // Data byte.
    if (this.#status === 0) {
      if (this.#running === 0) {
        this.stats.strayDataBytes++;
        return;
      }
      this.#status = this.#running;
      this.#need = messageLength(this.#running) - 1;
      this.#have = 0;
    }
    if (this.#have === 0) {
      this.#d0 = b;
      this.#have = 1;
      if (this.#need > 1) return;
      this.#complete(this.#d0, 0, emit);
      return;
    }
    this.#complete(this.#d0, b, emit);
  }

  #complete(d0: number, d1: number, emit: (message: MidiMessage) => void): void {
    const status = this.#status;
    // Channel messages keep their status for running status; system common ones do not.
    this.#status = 0;
    this.#have = 0;
    if (status >= 0xf0) {
      emit({ type: 'systemCommon', status, data: status === 0xf2 ? [d0, d1] : [d0] });
      return;
    }
    const channel = status & 0x0f;
    switch (status & 0xf0) {
      case 0x80:
        emit({ type: 'noteOff', channel, note: d0, velocity: d1 });
        break;
      case 0x90:
        emit({ type: 'noteOn', channel, note: d0, velocity: d1 });
        break;
      case 0xa0:
        emit({ type: 'polyPressure', channel, note: d0, pressure: d1 });
        break;
      case 0xb0:
        emit({ type: 'cc', channel, controller: d0, value: d1 });
        break;
      case 0xc0:
        emit({ type: 'programChange', channel, program: d0 });
        break;
      case 0xd0:
        emit({ type: 'channelPressure', channel, pressure: d0 });
        break;
      case 0xe0:
        emit({ type: 'pitchBend', channel, value: d0 | (d1 << 7) });
        break;
    }
  }
}

/** Convenience for tests and one-shot decoding. */
export function parseMidi(bytes: Uint8Array): MidiMessage[] {
  const out: MidiMessage[] = [];
  new MidiStreamParser().push(bytes, (m) => out.push(m));
  return out;
}
