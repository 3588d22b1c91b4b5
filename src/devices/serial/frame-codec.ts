import { BridgeError } from '../../errors.ts';
import { crc16 } from './crc16.ts';

/** Frame layout constants of protocol v1 (docs/outboard-protocol.md section 2). */
export const FRAME_START = 0x24; // '$'
export const FRAME_CHECK = 0x2a; // '*'
export const MAX_BODY_BYTES = 480;

/** `$body*CRC\r\n`. The body must be printable ASCII without `$` and `*`. */
export function encodeFrame(body: string): Uint8Array {
  const n = body.length;
  if (n === 0 || n > MAX_BODY_BYTES) throw new BridgeError('E_SERIAL_FRAME', `frame body of ${n} bytes (1..${MAX_BODY_BYTES})`, { details: { body } });
  const out = new Uint8Array(n + 8);
  out[0] = FRAME_START;
  for (let i = 0; i < n; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === FRAME_START || c === FRAME_CHECK) {
      throw new BridgeError('E_SERIAL_FRAME', `frame body has a forbidden character at ${i}`, { details: { body } });
    }
    out[i + 1] = c;
  }
  const crc = crc16(out, 1, n + 1);
  out[n + 1] = FRAME_CHECK;
  const hex = crc.toString(16).toUpperCase().padStart(4, '0');
  for (let i = 0; i < 4; i++) out[n + 2 + i] = hex.charCodeAt(i);
  out[n + 6] = 0x0d;
  out[n + 7] = 0x0a;
  return out;
}
