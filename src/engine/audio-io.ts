import { SampleRing } from './sample-ring.ts';

/**
 * Where the audio worker's samples come from and go to. Both run on the audio path (the
 * process() rules apply: no allocation, no await, no throw). The audio-interface layer adds its
 * kinds (simulated loop, PortAudio rings) through the worker plugin's createSource/createSink.
 */
export interface AudioSource {
  /** Fill `frames` samples of every channel; returns how many are real (the rest: silence, counted as underrun). */
  read(channels: Float32Array[], frames: number): number;
}

export interface AudioSink {
  write(channels: readonly Float32Array[], frames: number): void;
  /**
   * Optional clock: block until the sink can take the next `frames` (a device-clocked ring).
   * When present the worker is paced by the sink instead of the wall clock. False: gave up (xrun).
   */
  waitForSpace?(frames: number): boolean;
}

/** Built-in sources. `file` is loaded (whole) before the worker starts. */
export type SourceSpec =
  | { readonly kind: 'silence' }
  | { readonly kind: 'tone'; readonly freqHz: number; readonly levelDbfs: number }
  | { readonly kind: 'noise'; readonly levelDbfs: number; readonly seed?: number }
  | { readonly kind: 'file'; readonly path: string; readonly loop: boolean }
  | { readonly kind: 'ring'; readonly buffer: SharedArrayBuffer }
  | { readonly kind: string; readonly [key: string]: unknown };

export type SinkSpec = { readonly kind: 'null' } | { readonly kind: 'ring'; readonly buffer: SharedArrayBuffer } | { readonly kind: string; readonly [key: string]: unknown };

export class SilenceSource implements AudioSource {
  read(channels: Float32Array[], frames: number): number {
    for (let c = 0; c < channels.length; c++) (channels[c] as Float32Array).fill(0, 0, frames);
    return frames;
  }
}

/** A sine on every channel, phase-continuous across blocks. */
export class ToneSource implements AudioSource {
  readonly #inc: number;
  readonly #amp: number;
  #phase = 0;

  constructor(freqHz: number, levelDbfs: number, sampleRate: number) {
    this.#inc = (2 * Math.PI * freqHz) / sampleRate;
    this.#amp = Math.pow(10, levelDbfs / 20);
  }

  read(channels: Float32Array[], frames: number): number {
    let ph = this.#phase;
    const inc = this.#inc;
    const amp = this.#amp;
    const first = channels[0] as Float32Array;
    for (let i = 0; i < frames; i++) {
      first[i] = amp * Math.sin(ph);
      ph += inc;
      if (ph > 2 * Math.PI) ph -= 2 * Math.PI;
    }
    for (let c = 1; c < channels.length; c++) {
      const ch = channels[c] as Float32Array;
      for (let i = 0; i < frames; i++) ch[i] = first[i] as number;
    }
    this.#phase = ph;
    return frames;
  }
}

/** Deterministic white noise (xorshift32), independent per channel. */
export class NoiseSource implements AudioSource {
  readonly #amp: number;
  readonly #state: Uint32Array;

  constructor(levelDbfs: number, channels: number, seed = 1) {
    this.#amp = Math.pow(10, levelDbfs / 20);
    this.#state = new Uint32Array(channels);
    for (let c = 0; c < channels; c++) this.#state[c] = (seed * 2654435761 + c * 40503 + 1) >>> 0 || 1;
  }

  read(channels: Float32Array[], frames: number): number {
    const amp = this.#amp;
    for (let c = 0; c < channels.length; c++) {
      const ch = channels[c] as Float32Array;
      let s = this.#state[c] as number;
      for (let i = 0; i < frames; i++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        ch[i] = amp * ((s >>> 0) / 2147483648 - 1);
      }
      this.#state[c] = s >>> 0;
    }
    return frames;
  }
}

/** Plays planar sample data (a file loaded before the loop started), optionally looping. */
export class BufferSource implements AudioSource {
  readonly #data: readonly Float32Array[];
  readonly #loop: boolean;
  #pos = 0;

  constructor(data: readonly Float32Array[], loop: boolean) {
    this.#data = data;
    this.#loop = loop;
  }

  get finished(): boolean {
    return !this.#loop && this.#pos >= ((this.#data[0])?.length ?? 0);
  }

  read(channels: Float32Array[], frames: number): number {
    const len = (this.#data[0])?.length ?? 0;
    let got = 0;
    while (got < frames) {
      if (this.#pos >= len) {
        if (!this.#loop || len === 0) break;
        this.#pos = 0;
      }
      const n = Math.min(frames - got, len - this.#pos);
      for (let c = 0; c < channels.length; c++) {
        const src = this.#data[c % this.#data.length] as Float32Array;
        const dst = channels[c] as Float32Array;
        for (let i = 0; i < n; i++) dst[got + i] = src[this.#pos + i] as number;
      }
      this.#pos += n;
      got += n;
    }
    for (let c = 0; c < channels.length; c++) (channels[c] as Float32Array).fill(0, got, frames);
    return got;
  }
}

export class RingSource implements AudioSource {
  readonly #ring: SampleRing;
  constructor(buffer: SharedArrayBuffer) {
    this.#ring = new SampleRing(buffer);
  }
  read(channels: Float32Array[], frames: number): number {
    const n = this.#ring.read(channels, frames);
    for (let c = 0; c < channels.length; c++) (channels[c] as Float32Array).fill(0, n, frames);
    return n;
  }
}

export class NullSink implements AudioSink {
  write(): void {
    // discarded
  }
}

export class RingSink implements AudioSink {
  readonly ring: SampleRing;
  constructor(buffer: SharedArrayBuffer) {
    this.ring = new SampleRing(buffer);
  }
  write(channels: readonly Float32Array[], frames: number): void {
    this.ring.write(channels, frames);
  }
}
