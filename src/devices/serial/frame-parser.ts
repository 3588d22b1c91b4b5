import { Transform, type TransformCallback } from 'node:stream';
import { FrameDecoder, type FrameEvent } from './frame-decoder.ts';

/**
 * The protocol v1 framing as a stream Transform: bytes in, `FrameEvent` objects out (frames, and the
 * errors and noise a caller may want to count). For stream-shaped code; the driver itself feeds a
 * FrameDecoder from `PortHandle.read()`.
 */
export class FrameParser extends Transform {
  readonly #decoder = new FrameDecoder();

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const e of this.#decoder.push(chunk)) this.push(e satisfies FrameEvent);
    callback();
  }
}
