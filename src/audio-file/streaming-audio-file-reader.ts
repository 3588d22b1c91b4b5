import type { FileHandle } from 'node:fs/promises';
import { audioFileError } from './audio-file-error.ts';
import type { AudioContainer, AudioFileReader, AudioSampleFormat, AudioStreamInfo } from './audio-file-types.ts';
import type { ByteSource } from './byte-source.ts';
import { SampleDecoder } from './sample-decoder.ts';

/**
 * Default read-ahead: 1 MiB is 131072 stereo float32 frames (2.7 s at 48 kHz), so 4096-frame blocks
 * cost one file read (one libuv thread-pool round trip) every 32 blocks instead of one each.
 */
export const READ_AHEAD_BYTES = 1 << 20;

const noop = (): void => undefined;

/**
 * The reader behind openAudioFile(): sequential reads through one fixed read-ahead buffer.
 *
 * Only the buffer is ever held (at most `readAheadBytes`, less for a shorter file). A readInto() whose
 * frames are all in the buffer, with no earlier call still pending, is served synchronously and
 * returns a cached already-resolved promise: no file read, no allocation. Anything else (a refill,
 * read(), a call made while another is pending) goes through a queue, so calls still complete in the
 * order they were made.
 */
export class StreamingAudioFileReader implements AudioFileReader {
  readonly path: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly frames: number;
  readonly format: AudioSampleFormat;
  readonly container: AudioContainer;
  readonly channelMask: number;
  readonly #handle: FileHandle;
  readonly #src: ByteSource;
  readonly #dataOffset: number;
  readonly #blockAlign: number;
  readonly #capacityFrames: number;
  readonly #buffer: Buffer;
  readonly #decoder: SampleDecoder;
  /** File frames [#bufferStart, #bufferEnd) are in #buffer, the first at byte 0. */
  #bufferStart = 0;
  #bufferEnd = 0;
  /** The next frame a read delivers. */
  #position = 0;
  #closed = false;
  /** Queued calls not yet finished; while any is, every new call queues behind them. */
  #pending = 0;
  #queue: Promise<unknown> = Promise.resolve();
  /** The last already-resolved promise handed out, reused while the frame count repeats. */
  #resolved: Promise<number> = Promise.resolve(0);
  #resolvedFrames = 0;

  constructor(path: string, handle: FileHandle, src: ByteSource, info: AudioStreamInfo, readAheadBytes = READ_AHEAD_BYTES) {
    this.path = path;
    this.#handle = handle;
    this.#src = src;
    this.sampleRate = info.sampleRate;
    this.channels = info.channels;
    this.frames = info.frames;
    this.format = info.format;
    this.container = info.container;
    this.channelMask = info.channelMask;
    this.#dataOffset = info.dataOffset;
    this.#blockAlign = info.channels * info.bytesPerSample;
    this.#capacityFrames = Math.max(1, Math.min(Math.floor(readAheadBytes / this.#blockAlign), info.frames));
    // Its own ArrayBuffer (not the pool), so the decoder's typed-array views of it are aligned.
    this.#buffer = Buffer.allocUnsafeSlow(this.#capacityFrames * this.#blockAlign);
    this.#decoder = new SampleDecoder(info, this.#buffer);
  }

  read(maxFrames: number): Promise<Float32Array[] | null> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#serial(async () => {
      const n = this.#framesFor(maxFrames);
      if (n === 0) return null;
      const out: Float32Array[] = [];
      for (let c = 0; c < this.channels; c++) out.push(new Float32Array(n));
      await this.#readFrames(out, n);
      return out;
    });
  }

  readInto(planar: readonly Float32Array[], maxFrames: number): Promise<number> {
    if (this.#closed) return Promise.reject(this.#closedError());
    let room = maxFrames;
    for (let c = 0; c < this.channels; c++) room = Math.min(room, planar[c]?.length ?? 0);
    if (this.#pending === 0) {
      const n = this.#framesFor(room);
      const at = this.#position;
      if (at >= this.#bufferStart && at + n <= this.#bufferEnd) {
        if (n > 0) {
          this.#decoder.decode((at - this.#bufferStart) * this.#blockAlign, n, planar, 0);
          this.#position = at + n;
        }
        return this.#resolvedWith(n);
      }
    }
    return this.#serial(async () => {
      const n = this.#framesFor(room);
      if (n > 0) await this.#readFrames(planar, n);
      return n;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#handle.close();
  }

  #serial<T>(job: () => Promise<T>): Promise<T> {
    this.#pending++;
    const done = (): void => {
      this.#pending--;
    };
    const run = this.#queue.then(job).finally(done);
    this.#queue = run.catch(noop);
    return run;
  }

  #framesFor(maxFrames: number): number {
    const want = Math.floor(maxFrames);
    if (!(want > 0)) return 0;
    return Math.min(want, this.frames - this.#position);
  }

  /** `n` frames (all present per the header) from the position into `out`, refilling as needed. */
  async #readFrames(out: readonly Float32Array[], n: number): Promise<void> {
    const start = this.#position;
    let done = 0;
    while (done < n) {
      const at = start + done;
      if (at < this.#bufferStart || at >= this.#bufferEnd) await this.#fill(at);
      const k = Math.min(n - done, this.#bufferEnd - at);
      this.#decoder.decode((at - this.#bufferStart) * this.#blockAlign, k, out, done);
      done += k;
    }
    // Only now: a call that fails part-way leaves the position where it started.
    this.#position = start + n;
  }

  /** Refill the buffer from frame `at`. A file that ends before `at` is E_WAV_TRUNCATED. */
  async #fill(at: number): Promise<void> {
    // The bytes are overwritten as they arrive: the buffer holds nothing until the read is done.
    this.#bufferStart = at;
    this.#bufferEnd = at;
    const frames = Math.min(this.#capacityFrames, this.frames - at);
    const got = await this.#src.readInto(this.#buffer, frames * this.#blockAlign, this.#dataOffset + at * this.#blockAlign);
    const gotFrames = Math.floor(got / this.#blockAlign);
    this.#bufferEnd = at + gotFrames;
    if (gotFrames === 0) {
      throw audioFileError('E_WAV_TRUNCATED', this.path, `the file ended at frame ${at} of ${this.frames}`);
    }
  }

  #resolvedWith(frames: number): Promise<number> {
    if (frames !== this.#resolvedFrames) {
      this.#resolvedFrames = frames;
      this.#resolved = Promise.resolve(frames);
    }
    return this.#resolved;
  }

  #closedError(): Error {
    return audioFileError('E_WAV_NOT_FOUND', this.path, 'read after close');
  }
}
