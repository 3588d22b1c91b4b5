import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { audioFileError } from './audio-file-error.ts';
import { MAX_CHANNELS, MAX_SAMPLE_RATE } from './wav-header.ts';

export type WavWriteFormat = 'pcm16' | 'pcm24' | 'float32';

export interface WavWriterOptions {
  readonly sampleRate: number;
  readonly channels: number;
  readonly format: WavWriteFormat;
  /**
   * Above this many bytes in total the file becomes RF64 on close (EBU Tech 3306): the 28-byte JUNK
   * chunk reserved after the RIFF header turns into ds64. Default 0xFFFFFFFF (the RIFF limit); tests
   * lower it.
   */
  readonly rf64ThresholdBytes?: number;
  /**
   * Size of the write-behind buffer (default 1 MiB, rounded down to whole frames, at least one frame).
   * Encoded frames collect there and reach the file in one write when it is full and on close.
   */
  readonly writeBufferBytes?: number;
}

export interface WavWriter {
  readonly path: string;
  /** Frames accepted so far (the last ones may still be in the write-behind buffer until close). */
  readonly frames: number;
  /**
   * Append `frames` frames of planar samples (PCM is clamped to [-1, 1] and rounded). Resolves once the
   * block is encoded into the write-behind buffer; the caller may reuse its arrays then. A disk error
   * rejects the write (or close) whose block did not fit and made the buffer go to disk: that block is
   * not counted, the frames accepted before it are kept and tried again by the next write or close.
   */
  write(planar: readonly Float32Array[], frames: number): Promise<void>;
  /** Write what is buffered, patch the header sizes and close (the handle is closed even on error). */
  close(): Promise<void>;
}

/** Microsoft default speaker masks by channel count (mono .. 7.1). */
const DEFAULT_MASKS: Record<number, number> = { 1: 0x4, 2: 0x3, 3: 0x7, 4: 0x33, 5: 0x37, 6: 0x3f, 7: 0x13f, 8: 0x63f };

/** 1 MiB: a 48 kHz stereo float print goes to disk in about 3 writes a second instead of ~12-24. */
const DEFAULT_WRITE_BUFFER_BYTES = 1 << 20;
const MAX_WRITE_BUFFER_BYTES = 1 << 30;

/**
 * Streaming WAV writer. The header is written first with zero sizes and patched on close, so a file of
 * any length is written block by block. Layout: RIFF, JUNK(28) (room for ds64), fmt (PCM / IEEE float,
 * or WAVE_FORMAT_EXTENSIBLE for more than 2 channels or 24 bits), fact (float only), data.
 * Blocks are interleaved into a write-behind buffer (`writeBufferBytes`) that goes to the file in one
 * positional write when a block no longer fits and on close: a few writes a second instead of one per block.
 */
export async function createWavWriter(path: string, options: WavWriterOptions): Promise<WavWriter> {
  const { sampleRate, channels, format } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > MAX_SAMPLE_RATE) {
    throw new TypeError(`createWavWriter: sampleRate ${sampleRate} must be an integer 1..${MAX_SAMPLE_RATE}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) throw new TypeError(`createWavWriter: channels ${channels} must be 1..${MAX_CHANNELS}`);
  if (format !== 'pcm16' && format !== 'pcm24' && format !== 'float32') throw new TypeError(`createWavWriter: format ${String(format)}`);
  const bufferBytes = options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER_BYTES;
  if (!Number.isInteger(bufferBytes) || bufferBytes < 1 || bufferBytes > MAX_WRITE_BUFFER_BYTES) {
    throw new TypeError(`createWavWriter: writeBufferBytes ${bufferBytes} must be an integer 1..${MAX_WRITE_BUFFER_BYTES}`);
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw audioFileError('E_WAV_NOT_FOUND', path, `cannot be created (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  const writer = new StreamingWavWriter(path, handle, sampleRate, channels, format, options.rf64ThresholdBytes ?? 0xffffffff, bufferBytes);
  try {
    await writer.writeHeader();
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return writer;
}

class StreamingWavWriter implements WavWriter {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #channels: number;
  readonly #sampleRate: number;
  readonly #format: WavWriteFormat;
  readonly #bytesPerSample: number;
  readonly #frameBytes: number;
  readonly #extensible: boolean;
  readonly #rf64Threshold: number;
  // Write-behind buffer and the views the encoders write through. Typed-array views store in host
  // byte order, so they are used only on a little-endian host (x86-64, arm64 Linux); elsewhere the
  // DataView path writes little-endian explicitly. 24-bit samples are packed byte by byte either way.
  readonly #capacityFrames: number;
  readonly #bytes: Uint8Array;
  readonly #bits: Uint32Array | undefined;
  readonly #int16: Int16Array | undefined;
  readonly #view: DataView | undefined;
  // Float samples are copied as bit patterns: deterministic for every input, where a float round trip
  // may quiet a signalling NaN or not depending on JIT tier. Views of the caller's arrays are cached by
  // identity (callers reuse their buffers).
  readonly #sourceArrays: (Float32Array | undefined)[];
  readonly #sourceBits: (Uint32Array | undefined)[];
  #headerBytes = 0;
  #dataSizeOffset = 0;
  #factOffset = -1;
  #frames = 0;
  /** Frames encoded into the buffer, not yet on disk. */
  #pendingFrames = 0;
  /** Data bytes on disk, contiguous from the start of the data chunk. */
  #flushedBytes = 0;
  /** A failed write may have left bytes past the committed data: close() truncates them. */
  #stale = false;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, handle: FileHandle, sampleRate: number, channels: number, format: WavWriteFormat, rf64Threshold: number, bufferBytes: number) {
    this.path = path;
    this.#handle = handle;
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#format = format;
    this.#bytesPerSample = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
    this.#frameBytes = channels * this.#bytesPerSample;
    this.#extensible = channels > 2 || format === 'pcm24';
    this.#rf64Threshold = rf64Threshold;
    this.#capacityFrames = Math.max(1, Math.floor(bufferBytes / this.#frameBytes));
    // A whole number of frames keeps every float frame 4-byte and every PCM16 frame 2-byte aligned.
    const buffer = new ArrayBuffer(this.#capacityFrames * this.#frameBytes);
    this.#bytes = new Uint8Array(buffer);
    const littleEndian = endianness() === 'LE';
    this.#bits = littleEndian && format === 'float32' ? new Uint32Array(buffer) : undefined;
    this.#int16 = littleEndian && format === 'pcm16' ? new Int16Array(buffer) : undefined;
    this.#view = littleEndian ? undefined : new DataView(buffer);
    this.#sourceArrays = new Array<Float32Array | undefined>(channels).fill(undefined);
    this.#sourceBits = new Array<Uint32Array | undefined>(channels).fill(undefined);
  }

  get frames(): number {
    return this.#frames;
  }

  async writeHeader(): Promise<void> {
    const parts: Buffer[] = [];
    const riff = Buffer.alloc(12);
    riff.write('RIFF', 0, 'latin1');
    riff.write('WAVE', 8, 'latin1');
    parts.push(riff);
    const junk = Buffer.alloc(8 + 28);
    junk.write('JUNK', 0, 'latin1');
    junk.writeUInt32LE(28, 4);
    parts.push(junk);
    const blockAlign = this.#channels * this.#bytesPerSample;
    const float = this.#format === 'float32';
    const fmt = Buffer.alloc(8 + (this.#extensible ? 40 : float ? 18 : 16));
    fmt.write('fmt ', 0, 'latin1');
    fmt.writeUInt32LE(fmt.length - 8, 4);
    fmt.writeUInt16LE(this.#extensible ? 0xfffe : float ? 3 : 1, 8);
    fmt.writeUInt16LE(this.#channels, 10);
    fmt.writeUInt32LE(this.#sampleRate, 12);
    fmt.writeUInt32LE(this.#sampleRate * blockAlign, 16);
    fmt.writeUInt16LE(blockAlign, 20);
    fmt.writeUInt16LE(this.#bytesPerSample * 8, 22);
    if (this.#extensible) {
      fmt.writeUInt16LE(22, 24);
      fmt.writeUInt16LE(this.#bytesPerSample * 8, 26);
      fmt.writeUInt32LE(DEFAULT_MASKS[this.#channels] ?? 0, 28);
      fmt.writeUInt16LE(float ? 3 : 1, 32);
      Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(fmt, 34);
    }
    parts.push(fmt);
    let offset = 12 + junk.length + fmt.length;
    if (float) {
      const fact = Buffer.alloc(12);
      fact.write('fact', 0, 'latin1');
      fact.writeUInt32LE(4, 4);
      parts.push(fact);
      this.#factOffset = offset + 8;
      offset += 12;
    }
    const data = Buffer.alloc(8);
    data.write('data', 0, 'latin1');
    parts.push(data);
    this.#dataSizeOffset = offset + 4;
    this.#headerBytes = offset + 8;
    const header = Buffer.concat(parts);
    await this.#writeFully(header, header.length, 0);
  }

  write(planar: readonly Float32Array[], frames: number): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) throw audioFileError('E_WAV_NOT_FOUND', this.path, 'write after close');
      if (!Number.isInteger(frames) || frames < 0) throw new TypeError(`WavWriter.write: frames ${frames}`);
      if (planar.length < this.#channels) throw new TypeError(`WavWriter.write: ${planar.length} channel arrays for ${this.#channels} channels`);
      for (let c = 0; c < this.#channels; c++) {
        if ((planar[c]?.length ?? 0) < frames) throw new TypeError(`WavWriter.write: channel ${c} has fewer than ${frames} samples`);
      }
      if (frames === 0) return;
      const startPending = this.#pendingFrames;
      const startFlushed = this.#flushedBytes;
      let done = 0;
      try {
        while (done < frames) {
          // Flush lazily, only when more is to come: the last buffer of the file goes out in close().
          if (this.#pendingFrames === this.#capacityFrames) await this.#flush();
          const n = Math.min(this.#capacityFrames - this.#pendingFrames, frames - done);
          this.#encode(planar, done, n, this.#pendingFrames);
          this.#pendingFrames += n;
          done += n;
        }
      } catch (err) {
        // Take this block back out, as if its write had never been called. What was accepted before it
        // is still in the buffer (no flush got through) or on disk up to where the block began.
        if (this.#flushedBytes === startFlushed) {
          this.#pendingFrames = startPending;
        } else {
          this.#pendingFrames = 0;
          this.#flushedBytes = startFlushed + startPending * this.#frameBytes;
        }
        throw err;
      }
      this.#frames += frames;
    });
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      try {
        try {
          await this.#flush();
        } catch (err) {
          // Best effort: make what did reach the disk a valid file, then report why the rest did not.
          const framesOnDisk = this.#flushedBytes / this.#frameBytes;
          await this.#patchHeader(framesOnDisk).catch(() => undefined);
          await this.#truncate(framesOnDisk).catch(() => undefined);
          throw err;
        }
        await this.#patchHeader(this.#frames);
        if (this.#stale) await this.#truncate(this.#frames);
      } finally {
        this.#sourceArrays.fill(undefined);
        this.#sourceBits.fill(undefined);
        await this.#handle.close();
      }
    });
  }

  #serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Write the buffered frames at the end of the data on disk. */
  async #flush(): Promise<void> {
    const length = this.#pendingFrames * this.#frameBytes;
    try {
      await this.#writeFully(this.#bytes, length, this.#headerBytes + this.#flushedBytes);
    } catch (err) {
      this.#stale = true;
      throw err;
    }
    this.#flushedBytes += length;
    this.#pendingFrames = 0;
  }

  /** A positional write of `bytes[0, length)`, continued after a short write (which a full disk can cause). */
  async #writeFully(bytes: Uint8Array, length: number, position: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await this.#handle.write(bytes, done, length - done, position + done);
      if (bytesWritten <= 0) throw audioFileError('E_WAV_NOT_FOUND', this.path, `cannot be written (no progress at byte ${position + done})`);
      done += bytesWritten;
    }
  }

  /** Encode frames [from, from + n) of `planar` into the buffer at frame `at`, interleaved. */
  #encode(planar: readonly Float32Array[], from: number, n: number, at: number): void {
    if (this.#format === 'float32') this.#encodeFloat32(planar, from, n, at);
    else if (this.#format === 'pcm16') this.#encodePcm16(planar, from, n, at);
    else this.#encodePcm24(planar, from, n, at);
  }

  #sourceBitsOf(c: number, x: Float32Array): Uint32Array {
    let bits = this.#sourceBits[c];
    if (this.#sourceArrays[c] !== x || bits === undefined) {
      bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
      this.#sourceArrays[c] = x;
      this.#sourceBits[c] = bits;
    }
    return bits;
  }

  #encodeFloat32(planar: readonly Float32Array[], from: number, n: number, at: number): void {
    const ch = this.#channels;
    const end = from + n;
    const out = this.#bits;
    if (out === undefined) {
      const view = this.#view!;
      for (let c = 0; c < ch; c++) {
        const src = this.#sourceBitsOf(c, planar[c]!);
        for (let i = from, p = (at * ch + c) * 4; i < end; i++, p += ch * 4) view.setUint32(p, src[i]!, true);
      }
      return;
    }
    if (ch === 1) {
      out.set(this.#sourceBitsOf(0, planar[0]!).subarray(from, end), at);
    } else if (ch === 2) {
      // The common case gets one sequential pass over the output.
      const l = this.#sourceBitsOf(0, planar[0]!);
      const r = this.#sourceBitsOf(1, planar[1]!);
      for (let i = from, p = at * 2; i < end; i++, p += 2) {
        out[p] = l[i]!;
        out[p + 1] = r[i]!;
      }
    } else {
      for (let c = 0; c < ch; c++) {
        const src = this.#sourceBitsOf(c, planar[c]!);
        for (let i = from, p = at * ch + c; i < end; i++, p += ch) out[p] = src[i]!;
      }
    }
  }

  // PCM: scale by 2^(bits-1), round to nearest (Math.round: halves go up), clamp to the integer range.
  // NaN stays NaN through the clamp and the integer store turns it into 0 (ToInt16 / ToUint8 of NaN).
  #encodePcm16(planar: readonly Float32Array[], from: number, n: number, at: number): void {
    const ch = this.#channels;
    const end = from + n;
    const out = this.#int16;
    for (let c = 0; c < ch; c++) {
      const x = planar[c]!;
      if (out !== undefined) {
        for (let i = from, p = at * ch + c; i < end; i++, p += ch) {
          const q = Math.round(x[i]! * 32768);
          out[p] = q > 32767 ? 32767 : q < -32768 ? -32768 : q;
        }
      } else {
        const view = this.#view!;
        for (let i = from, p = (at * ch + c) * 2; i < end; i++, p += ch * 2) {
          const q = Math.round(x[i]! * 32768);
          view.setInt16(p, q > 32767 ? 32767 : q < -32768 ? -32768 : q, true);
        }
      }
    }
  }

  #encodePcm24(planar: readonly Float32Array[], from: number, n: number, at: number): void {
    const ch = this.#channels;
    const end = from + n;
    const out = this.#bytes;
    for (let c = 0; c < ch; c++) {
      const x = planar[c]!;
      for (let i = from, p = (at * ch + c) * 3; i < end; i++, p += ch * 3) {
        const r = Math.round(x[i]! * 8388608);
        const q = r > 8388607 ? 8388607 : r < -8388608 ? -8388608 : r;
        out[p] = q;
        out[p + 1] = q >> 8;
        out[p + 2] = q >> 16;
      }
    }
  }

  async #truncate(frames: number): Promise<void> {
    const dataBytes = frames * this.#frameBytes;
    await this.#handle.truncate(this.#headerBytes + dataBytes + (dataBytes % 2));
  }

  async #patchHeader(frames: number): Promise<void> {
    const dataBytes = frames * this.#channels * this.#bytesPerSample;
    const pad = dataBytes % 2;
    if (pad === 1) await this.#writeFully(Buffer.alloc(1), 1, this.#headerBytes + dataBytes);
    const riffSize = this.#headerBytes - 8 + dataBytes + pad;
    const u32 = Buffer.alloc(4);
    const put = async (value: number, at: number): Promise<void> => {
      u32.writeUInt32LE(value, 0);
      await this.#writeFully(u32, 4, at);
    };
    if (riffSize + 8 <= this.#rf64Threshold) {
      await put(riffSize, 4);
      await put(dataBytes, this.#dataSizeOffset);
      if (this.#factOffset >= 0) await put(frames, this.#factOffset);
      return;
    }
    // RF64 (EBU Tech 3306): sizes go into ds64 (where JUNK was), the 32-bit fields say 0xFFFFFFFF.
    const ds64 = Buffer.alloc(36);
    ds64.write('ds64', 0, 'latin1');
    ds64.writeUInt32LE(28, 4);
    ds64.writeBigUInt64LE(BigInt(riffSize), 8);
    ds64.writeBigUInt64LE(BigInt(dataBytes), 16);
    ds64.writeBigUInt64LE(BigInt(frames), 24);
    ds64.writeUInt32LE(0, 32);
    await this.#writeFully(ds64, ds64.length, 12);
    const magic = Buffer.from('RF64', 'latin1');
    await this.#writeFully(magic, 4, 0);
    await put(0xffffffff, 4);
    await put(0xffffffff, this.#dataSizeOffset);
    if (this.#factOffset >= 0) await put(0xffffffff, this.#factOffset);
  }
}
