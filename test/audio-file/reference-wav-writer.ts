// Reference for the byte-identity tests: the WAV writer as it was before the write-behind buffer and the
// typed-array encoder (one positional write per block, one Buffer.write*LE call per sample). Kept verbatim
// apart from these lines, the imports and the export names; do not optimise it.
import { open, type FileHandle } from 'node:fs/promises';
import { audioFileError } from '../../src/audio-file/audio-file-error.ts';
import { MAX_CHANNELS, MAX_SAMPLE_RATE } from '../../src/audio-file/wav-header.ts';
import type { WavWriteFormat } from '../../src/audio-file/wav-writer.ts';

interface WavWriterOptions {
  readonly sampleRate: number;
  readonly channels: number;
  readonly format: WavWriteFormat;
  /**
   * Above this many bytes in total the file becomes RF64 on close (EBU Tech 3306): the 28-byte JUNK
   * chunk reserved after the RIFF header turns into ds64. Default 0xFFFFFFFF (the RIFF limit); tests
   * lower it.
   */
  readonly rf64ThresholdBytes?: number;
}

interface WavWriter {
  readonly path: string;
  /** Frames written so far. */
  readonly frames: number;
  /** Append `frames` frames of planar samples (PCM is clamped to [-1, 1] and rounded). */
  write(planar: readonly Float32Array[], frames: number): Promise<void>;
  /** Patch the header sizes and close. */
  close(): Promise<void>;
}

/** Microsoft default speaker masks by channel count (mono .. 7.1). */
const DEFAULT_MASKS: Record<number, number> = { 1: 0x4, 2: 0x3, 3: 0x7, 4: 0x33, 5: 0x37, 6: 0x3f, 7: 0x13f, 8: 0x63f };

/**
 * Streaming WAV writer. The header is written first with zero sizes and patched on close, so a file of
 * any length is written block by block. Layout: RIFF, JUNK(28) (room for ds64), fmt (PCM / IEEE float,
 * or WAVE_FORMAT_EXTENSIBLE for more than 2 channels or 24 bits), fact (float only), data.
 */
export async function createReferenceWavWriter(path: string, options: WavWriterOptions): Promise<WavWriter> {
  const { sampleRate, channels, format } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > MAX_SAMPLE_RATE) {
    throw new TypeError(`createWavWriter: sampleRate ${sampleRate} must be an integer 1..${MAX_SAMPLE_RATE}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) throw new TypeError(`createWavWriter: channels ${channels} must be 1..${MAX_CHANNELS}`);
  if (format !== 'pcm16' && format !== 'pcm24' && format !== 'float32') throw new TypeError(`createWavWriter: format ${String(format)}`);
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw audioFileError('E_WAV_NOT_FOUND', path, `cannot be created (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err);
  }
  const writer = new StreamingWavWriter(path, handle, sampleRate, channels, format, options.rf64ThresholdBytes ?? 0xffffffff);
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
  readonly #extensible: boolean;
  readonly #rf64Threshold: number;
  #headerBytes = 0;
  #dataSizeOffset = 0;
  #factOffset = -1;
  #frames = 0;
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, handle: FileHandle, sampleRate: number, channels: number, format: WavWriteFormat, rf64Threshold: number) {
    this.path = path;
    this.#handle = handle;
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#format = format;
    this.#bytesPerSample = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
    this.#extensible = channels > 2 || format === 'pcm24';
    this.#rf64Threshold = rf64Threshold;
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
    await this.#handle.write(header, 0, header.length, 0);
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
      const length = frames * this.#channels * this.#bytesPerSample;
      if (this.#buffer.length < length) this.#buffer = Buffer.allocUnsafeSlow(length);
      this.#encode(planar, frames);
      await this.#handle.write(this.#buffer, 0, length, this.#headerBytes + this.#frames * this.#channels * this.#bytesPerSample);
      this.#frames += frames;
    });
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      if (this.#closed) return;
      this.#closed = true;
      try {
        await this.#patchHeader();
      } finally {
        await this.#handle.close();
      }
    });
  }

  #serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #encode(planar: readonly Float32Array[], frames: number): void {
    const b = this.#buffer;
    const ch = this.#channels;
    for (let c = 0; c < ch; c++) {
      const x = planar[c]!;
      if (this.#format === 'float32') {
        for (let i = 0, p = c * 4; i < frames; i++, p += ch * 4) b.writeFloatLE(x[i]!, p);
      } else if (this.#format === 'pcm16') {
        for (let i = 0, p = c * 2; i < frames; i++, p += ch * 2) b.writeInt16LE(quantise(x[i]!, 32767, 32768), p);
      } else {
        for (let i = 0, p = c * 3; i < frames; i++, p += ch * 3) b.writeIntLE(quantise(x[i]!, 8388607, 8388608), p, 3);
      }
    }
  }

  async #patchHeader(): Promise<void> {
    const dataBytes = this.#frames * this.#channels * this.#bytesPerSample;
    const pad = dataBytes % 2;
    if (pad === 1) await this.#handle.write(Buffer.alloc(1), 0, 1, this.#headerBytes + dataBytes);
    const riffSize = this.#headerBytes - 8 + dataBytes + pad;
    const u32 = Buffer.alloc(4);
    const put = async (value: number, at: number): Promise<void> => {
      u32.writeUInt32LE(value, 0);
      await this.#handle.write(u32, 0, 4, at);
    };
    if (riffSize + 8 <= this.#rf64Threshold) {
      await put(riffSize, 4);
      await put(dataBytes, this.#dataSizeOffset);
      if (this.#factOffset >= 0) await put(this.#frames, this.#factOffset);
      return;
    }
    // RF64 (EBU Tech 3306): sizes go into ds64 (where JUNK was), the 32-bit fields say 0xFFFFFFFF.
    const ds64 = Buffer.alloc(36);
    ds64.write('ds64', 0, 'latin1');
    ds64.writeUInt32LE(28, 4);
    ds64.writeBigUInt64LE(BigInt(riffSize), 8);
    ds64.writeBigUInt64LE(BigInt(dataBytes), 16);
    ds64.writeBigUInt64LE(BigInt(this.#frames), 24);
    ds64.writeUInt32LE(0, 32);
    await this.#handle.write(ds64, 0, ds64.length, 12);
    const magic = Buffer.from('RF64', 'latin1');
    await this.#handle.write(magic, 0, 4, 0);
    await put(0xffffffff, 4);
    await put(0xffffffff, this.#dataSizeOffset);
    if (this.#factOffset >= 0) await put(0xffffffff, this.#factOffset);
  }
}

/** Scale by 2^(bits-1), round to nearest, clamp to the integer range; NaN writes 0. */
function quantise(v: number, positive: number, negative: number): number {
  if (!(v === v)) return 0;
  const q = Math.round(v * negative);
  return q > positive ? positive : q < -negative ? -negative : q;
}

