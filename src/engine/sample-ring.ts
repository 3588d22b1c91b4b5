/**
 * A single-producer single-consumer ring of interleaved Float32 frames in a SharedArrayBuffer
 * (the worker's `ring` sink and source; the print recorder and tests read it). Indices are
 * frame counters (Int32 header: [0] write, [1] read, [2] capacity, [3] channels, [4] overflows)
 * published with Atomics; neither side ever waits. A full ring drops the newest block and counts
 * an overflow.
 */
const HEADER_BYTES = 32;
const H_WRITE = 0;
const H_READ = 1;
const H_CAPACITY = 2;
const H_CHANNELS = 3;
const H_OVERFLOWS = 4;

/** Capacity is rounded up to a power of two (the frame counters wrap at 2^32). */
export function createSampleRing(capacityFrames: number, channels: number): SharedArrayBuffer {
  let cap = 1;
  while (cap < capacityFrames) cap <<= 1;
  capacityFrames = cap;
  const sab = new SharedArrayBuffer(HEADER_BYTES + 4 * capacityFrames * channels);
  const h = new Int32Array(sab, 0, HEADER_BYTES / 4);
  h[H_CAPACITY] = capacityFrames;
  h[H_CHANNELS] = channels;
  return sab;
}

export class SampleRing {
  readonly #h: Int32Array;
  readonly #data: Float32Array;
  readonly capacity: number;
  readonly channels: number;

  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.capacity = this.#h[H_CAPACITY] as number;
    this.channels = this.#h[H_CHANNELS] as number;
    this.#data = new Float32Array(sab, HEADER_BYTES, this.capacity * this.channels);
  }

  get available(): number {
    return (Atomics.load(this.#h, H_WRITE) - Atomics.load(this.#h, H_READ)) | 0;
  }

  get overflows(): number {
    return Atomics.load(this.#h, H_OVERFLOWS);
  }

  /** Producer: append `frames` planar frames; false (and an overflow counted) if they do not fit. */
  write(planar: readonly Float32Array[], frames: number): boolean {
    const w = Atomics.load(this.#h, H_WRITE);
    const r = Atomics.load(this.#h, H_READ);
    const cap = this.capacity;
    if (((w - r) | 0) + frames > cap) {
      Atomics.add(this.#h, H_OVERFLOWS, 1);
      return false;
    }
    const nch = this.channels;
    const d = this.#data;
    for (let i = 0; i < frames; i++) {
      const base = ((w + i) & (cap - 1)) * nch;
      for (let c = 0; c < nch; c++) d[base + c] = (planar[c] as Float32Array)[i] as number;
    }
    Atomics.store(this.#h, H_WRITE, (w + frames) | 0);
    return true;
  }

  /** Consumer: take up to `maxFrames` frames into planar buffers; returns how many. */
  read(planar: Float32Array[], maxFrames: number): number {
    const w = Atomics.load(this.#h, H_WRITE);
    const r = Atomics.load(this.#h, H_READ);
    const avail = (w - r) | 0;
    const n = avail < maxFrames ? avail : maxFrames;
    const nch = this.channels;
    const cap = this.capacity;
    const d = this.#data;
    for (let i = 0; i < n; i++) {
      const base = ((r + i) & (cap - 1)) * nch;
      for (let c = 0; c < nch; c++) (planar[c] as Float32Array)[i] = d[base + c] as number;
    }
    Atomics.store(this.#h, H_READ, (r + n) | 0);
    return n;
  }
}
