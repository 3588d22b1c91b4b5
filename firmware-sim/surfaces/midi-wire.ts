/**
 * MIDI 1.0 byte handling for the simulated surfaces (firmware-sim shares no code with src/:
 * this is the device side's own reading of the spec). A surface receives a byte stream from the
 * host, possibly with running status and split anywhere, and sends complete messages.
 */
export type WireMessage =
  | { readonly kind: 'channel'; readonly status: number; readonly data: readonly number[] }
  | { readonly kind: 'sysex'; readonly bytes: readonly number[] };

/** Data bytes after a channel status (MIDI 1.0 table: Cx and Dx take one, the rest two). */
function dataLength(status: number): number {
  const hi = status & 0xf0;
  return hi === 0xc0 || hi === 0xd0 ? 1 : 2;
}

export class WireReader {
  #running = 0;
  #data: number[] = [];
  #sysex: number[] | undefined;

  feed(bytes: Uint8Array | readonly number[], emit: (m: WireMessage) => void): void {
    for (const b of bytes) {
      if (b >= 0xf8) continue; // real-time: no surface here cares
      if (this.#sysex) {
        if (b === 0xf7) {
          this.#sysex.push(b);
          emit({ kind: 'sysex', bytes: this.#sysex });
          this.#sysex = undefined;
          continue;
        }
        if (b < 0x80) {
          if (this.#sysex.length < 1024) this.#sysex.push(b);
          continue;
        }
        this.#sysex = undefined; // status inside SysEx: the SysEx is lost
      }
      if (b === 0xf0) {
        this.#sysex = [b];
        this.#running = 0;
        continue;
      }
      if (b >= 0x80) {
        this.#running = b < 0xf0 ? b : 0;
        this.#data = [];
        continue;
      }
      if (this.#running === 0) continue;
      this.#data.push(b);
      if (this.#data.length === dataLength(this.#running)) {
        emit({ kind: 'channel', status: this.#running, data: this.#data });
        this.#data = [];
      }
    }
  }
}

/** 7-bit relative value for `ticks`, as a given encoding sends it (the controller's setting). */
export type SimEncoding = 'twosComplement' | 'binaryOffset' | 'signMagnitude' | 'signedBit2' | 'onesComplement';

export function encodeTicks(encoding: SimEncoding, ticks: number): number {
  const t = Math.max(-63, Math.min(63, Math.trunc(ticks)));
  switch (encoding) {
    case 'twosComplement':
      return t & 0x7f;
    case 'binaryOffset':
      return 64 + t;
    case 'signMagnitude':
      return t < 0 ? 0x40 | -t : t;
    case 'signedBit2':
      return t > 0 ? 64 + t : -t;
    case 'onesComplement':
      return t < 0 ? 127 + t : t;
  }
}
