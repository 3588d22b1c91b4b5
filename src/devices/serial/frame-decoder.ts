import { crc16 } from './crc16.ts';
import { FRAME_CHECK, FRAME_START, MAX_BODY_BYTES } from './frame-codec.ts';

export type FrameEvent =
  | { readonly kind: 'frame'; readonly body: string }
  /** A frame that started but was not valid: it is dropped, never interpreted. */
  | { readonly kind: 'error'; readonly reason: 'checksum' | 'syntax' | 'overflow' }
  /** Bytes outside any frame (line noise, a unit booting, wrong baud rate). */
  | { readonly kind: 'noise'; readonly bytes: number };

const HUNT = 0;
const BODY = 1;
const CRC = 2;
const END = 3;

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

/**
 * Incremental decoder for protocol v1 frames: chunks may split or merge frames anywhere. `$` always
 * restarts (the resynchronisation point), anything malformed is dropped, and only a frame whose CRC
 * matches is ever emitted. Memory is bounded by MAX_BODY_BYTES whatever the input.
 */
export class FrameDecoder {
  readonly #body = new Uint8Array(MAX_BODY_BYTES);
  #len = 0;
  #state = HUNT;
  #crc = 0;
  #crcDigits = 0;
  #sawCr = false;

  /** Feed bytes; returns what they completed, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    let noise = 0;
    const flushNoise = (): void => {
      if (noise > 0) out.push({ kind: 'noise', bytes: noise });
      noise = 0;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === FRAME_START) {
        flushNoise();
        if (this.#state !== HUNT) out.push({ kind: 'error', reason: 'syntax' });
        this.#state = BODY;
        this.#len = 0;
        continue;
      }
      switch (this.#state) {
        case HUNT:
          noise++;
          break;
        case BODY:
          if (b === FRAME_CHECK) {
            if (this.#len === 0) this.#fail(out, 'syntax');
            else {
              this.#state = CRC;
              this.#crc = 0;
              this.#crcDigits = 0;
            }
          } else if (b < 0x20 || b > 0x7e) this.#fail(out, 'syntax');
          else if (this.#len >= MAX_BODY_BYTES) this.#fail(out, 'overflow');
          else this.#body[this.#len++] = b;
          break;
        case CRC: {
          const v = hexValue(b);
          if (v < 0) {
            this.#fail(out, 'syntax');
            break;
          }
          this.#crc = (this.#crc << 4) | v;
          if (++this.#crcDigits === 4) {
            this.#state = END;
            this.#sawCr = false;
          }
          break;
        }
        case END:
          if (b === 0x0d && !this.#sawCr) {
            this.#sawCr = true;
            break;
          }
          if (b !== 0x0a) {
            this.#fail(out, 'syntax');
            break;
          }
          this.#state = HUNT;
          if (crc16(this.#body, 0, this.#len) !== this.#crc) out.push({ kind: 'error', reason: 'checksum' });
          else out.push({ kind: 'frame', body: String.fromCharCode(...this.#body.subarray(0, this.#len)) });
          break;
      }
    }
    flushNoise();
    return out;
  }

  /** Forget a partial frame (after reopening a port). */
  reset(): void {
    this.#state = HUNT;
    this.#len = 0;
  }

  #fail(out: FrameEvent[], reason: 'syntax' | 'overflow'): void {
    out.push({ kind: 'error', reason });
    this.#state = HUNT;
  }
}
