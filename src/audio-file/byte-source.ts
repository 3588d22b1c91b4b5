import type { FileHandle } from 'node:fs/promises';

/**
 * Positional reads over a file (or, in tests, a buffer). The header parsers only ever ask for small
 * ranges, so a 2-hour file is never read whole; a short read means the bytes are not there.
 */
export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer at the end of the source). */
  read(position: number, length: number): Promise<Buffer>;
  /** Reads into `target` from its start; resolves the number of bytes read. */
  readInto(target: Buffer, length: number, position: number): Promise<number>;
}

export class FileByteSource implements ByteSource {
  readonly size: number;
  readonly #handle: FileHandle;

  constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.size = size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.alloc(n);
    const { bytesRead } = await this.#handle.read(buf, 0, n, position);
    return bytesRead === n ? buf : buf.subarray(0, bytesRead);
  }

  async readInto(target: Buffer, length: number, position: number): Promise<number> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.#handle.read(target, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }
}

export class MemoryByteSource implements ByteSource {
  readonly size: number;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.size = bytes.length;
  }

  read(position: number, length: number): Promise<Buffer> {
    const start = Math.min(Math.max(0, position), this.size);
    const end = Math.min(this.size, start + Math.max(0, length));
    return Promise.resolve(Buffer.from(this.#bytes.subarray(start, end)));
  }

  readInto(target: Buffer, length: number, position: number): Promise<number> {
    const start = Math.min(Math.max(0, position), this.size);
    const end = Math.min(this.size, start + Math.max(0, length));
    target.set(this.#bytes.subarray(start, end), 0);
    return Promise.resolve(end - start);
  }
}
