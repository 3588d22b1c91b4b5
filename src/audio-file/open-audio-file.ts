import { open, type FileHandle } from 'node:fs/promises';
import { isBridgeError } from '../errors.ts';
import { audioFileError } from './audio-file-error.ts';
import type { AudioContainer, AudioFileReader, AudioSampleFormat, AudioStreamInfo } from './audio-file-types.ts';
import { parseAiffHeader } from './aiff-header.ts';
import { FileByteSource, type ByteSource } from './byte-source.ts';
import { decodeInterleaved } from './sample-decoder.ts';
import { parseWavHeader } from './wav-header.ts';

/**
 * Open a WAV (PCM 8/16/24/32, float 32/64, WAVE_FORMAT_EXTENSIBLE, RF64/BW64) or AIFF / AIFF-C file
 * for streaming. Only the header is read here. Failures are BridgeErrors naming the file:
 * E_WAV_NOT_FOUND (missing or unreadable), E_WAV_CORRUPT, E_WAV_TRUNCATED, E_WAV_UNSUPPORTED.
 */
export async function openAudioFile(path: string): Promise<AudioFileReader> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw openError(path, err);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw audioFileError('E_WAV_NOT_FOUND', path, 'not a regular file');
    const src = new FileByteSource(handle, stat.size);
    const info = await parseAudioHeader(src, path);
    return new StreamingAudioFileReader(path, handle, src, info);
  } catch (err) {
    await handle.close().catch(() => undefined);
    if (isBridgeError(err)) throw err;
    throw openError(path, err);
  }
}

/** Dispatch on the first 12 bytes. */
export async function parseAudioHeader(src: ByteSource, file: string): Promise<AudioStreamInfo> {
  if (src.size === 0) throw audioFileError('E_WAV_TRUNCATED', file, 'the file is empty');
  const head = await src.read(0, 12);
  const magic = head.toString('latin1', 0, 4);
  if (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') return parseWavHeader(src, file);
  if (magic === 'FORM') return parseAiffHeader(src, file);
  if (head.length < 4) throw audioFileError('E_WAV_TRUNCATED', file, 'the file ends before its format is known');
  throw audioFileError('E_WAV_UNSUPPORTED', file, 'not a WAV, RF64 or AIFF file');
}

function openError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT' || code === 'ENOTDIR'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `cannot be read (${err instanceof Error ? err.message : String(err)})`;
  return audioFileError('E_WAV_NOT_FOUND', path, why, err);
}

class StreamingAudioFileReader implements AudioFileReader {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames: number;
  readonly format: AudioSampleFormat;
  readonly container: AudioContainer;
  readonly channelMask: number;
  readonly #handle: FileHandle;
  readonly #src: ByteSource;
  readonly #info: AudioStreamInfo;
  readonly #blockAlign: number;
  #position = 0;
  #bytes: Buffer = Buffer.alloc(0);
  #closed = false;
  /** Reads run one after another even if the caller does not wait (they share the position). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, handle: FileHandle, src: ByteSource, info: AudioStreamInfo) {
    this.path = path;
    this.#handle = handle;
    this.#src = src;
    this.#info = info;
    this.sampleRate = info.sampleRate;
    this.channels = info.channels;
    this.frames = info.frames;
    this.format = info.format;
    this.container = info.container;
    this.channelMask = info.channelMask;
    this.#blockAlign = info.channels * info.bytesPerSample;
  }

  read(maxFrames: number): Promise<Float32Array[] | null> {
    return this.#serial(async () => {
      const n = this.#next(maxFrames);
      if (n === 0) return null;
      const out: Float32Array[] = [];
      for (let c = 0; c < this.channels; c++) out.push(new Float32Array(n));
      await this.#decodeNext(n, out);
      return out;
    });
  }

  readInto(planar: readonly Float32Array[], maxFrames: number): Promise<number> {
    return this.#serial(async () => {
      let room = maxFrames;
      for (let c = 0; c < this.channels; c++) room = Math.min(room, planar[c]?.length ?? 0);
      const n = this.#next(room);
      if (n === 0) return 0;
      await this.#decodeNext(n, planar);
      return n;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    await this.#handle.close();
  }

  #serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #next(maxFrames: number): number {
    if (this.#closed) throw audioFileError('E_WAV_NOT_FOUND', this.path, 'read after close');
    const want = Math.floor(maxFrames);
    if (!(want > 0)) return 0;
    return Math.min(want, this.frames - this.#position);
  }

  async #decodeNext(frames: number, out: readonly Float32Array[]): Promise<void> {
    const length = frames * this.#blockAlign;
    // A fresh ArrayBuffer (not the pool) so typed-array views of it are aligned.
    if (this.#bytes.length < length) this.#bytes = Buffer.allocUnsafeSlow(length);
    const got = await this.#src.readInto(this.#bytes, length, this.#info.dataOffset + this.#position * this.#blockAlign);
    if (got < length) {
      throw audioFileError('E_WAV_TRUNCATED', this.path, `the file ended at frame ${this.#position + Math.floor(got / this.#blockAlign)} of ${this.frames}`);
    }
    decodeInterleaved(this.#bytes, frames, this.#info, out, 0);
    this.#position += frames;
  }
}
