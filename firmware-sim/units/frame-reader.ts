import { crc16, crcHex } from './crc16.ts';

/** Longest body a frame may carry (docs/outboard-protocol.md section 2). */
export const MAX_BODY_BYTES = 480;

export type ReaderEvent =
  | { readonly kind: 'frame'; readonly body: string; readonly bytes: number }
  | { readonly kind: 'error'; readonly reason: 'checksum' | 'syntax' | 'overflow'; readonly bytes: number };

const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 0x0d;
const LF = 0x0a;

const enum State {
  Hunt,
  Body,
  Crc,
  Cr,
}

/**
 * The unit's receive state machine, byte by byte, as firmware would run it in its UART interrupt:
 * `$` always restarts, bytes outside frames are noise, a bad CRC or shape is an error event.
 */
export class FrameReader {
  readonly #body = new Uint8Array(MAX_BODY_BYTES);
  #len = 0;
  #crcText = '';
  #state = State.Hunt;
  #frameBytes = 0;
  noiseBytes = 0;

  push(byte: number, emit: (e: ReaderEvent) => void): void {
    if (byte === DOLLAR) {
      if (this.#state !== State.Hunt) emit({ kind: 'error', reason: 'syntax', bytes: this.#frameBytes });
      this.#state = State.Body;
      this.#len = 0;
      this.#crcText = '';
      this.#frameBytes = 1;
      return;
    }
    if (this.#state === State.Hunt) {
      this.noiseBytes++;
      return;
    }
    this.#frameBytes++;
    switch (this.#state) {
      case State.Body:
        if (byte === STAR) {
          this.#state = this.#len > 0 ? State.Crc : this.#fail(emit, 'syntax');
        } else if (byte < 0x20 || byte > 0x7e) {
          this.#fail(emit, 'syntax');
        } else if (this.#len >= MAX_BODY_BYTES) {
          this.#fail(emit, 'overflow');
        } else {
          this.#body[this.#len++] = byte;
        }
        return;
      case State.Crc: {
        const isHex = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46);
        if (!isHex) {
          this.#fail(emit, 'syntax');
          return;
        }
        this.#crcText += String.fromCharCode(byte);
        if (this.#crcText.length === 4) this.#state = State.Cr;
        return;
      }
      case State.Cr:
        if (byte === CR) return;
        if (byte !== LF) {
          this.#fail(emit, 'syntax');
          return;
        }
        this.#state = State.Hunt;
        if (crcHex(crc16(this.#body, 0, this.#len)) !== this.#crcText) {
          emit({ kind: 'error', reason: 'checksum', bytes: this.#frameBytes });
          return;
        }
        emit({ kind: 'frame', body: String.fromCharCode(...this.#body.subarray(0, this.#len)), bytes: this.#frameBytes });
        return;
    }
  }

  #fail(emit: (e: ReaderEvent) => void, reason: 'syntax' | 'overflow'): State.Hunt {
    emit({ kind: 'error', reason, bytes: this.#frameBytes });
    this.#state = State.Hunt;
    return State.Hunt;
  }
}

export function encodeFrame(body: string): Buffer {
  const b = Buffer.from(body, 'latin1');
  return Buffer.from(`$${body}*${crcHex(crc16(b))}\r\n`, 'latin1');
}
