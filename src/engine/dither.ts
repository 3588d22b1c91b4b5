import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import type { Processor, ProcessorOptions } from './processor.ts';

const P_BITS = 0;
const P_SHAPING = 1;

/** Target word lengths; 32 means "float out, no reduction": the stage is then a bit-exact pass. */
export const DITHER_BITS = [16, 20, 24, 32];
export const NOISE_SHAPES = ['off', 'firstOrder', 'lipshitz5'] as const;
/**
 * Error-feedback filters h (noise transfer 1 - sum h_k z^-k). firstOrder: a plain first-order
 * high-pass tilt. lipshitz5: the 5-tap E-weighted filter of Lipshitz, Vanderkooy & Wannamaker,
 * "Minimally Audible Noise Shaping" (JAES 1991), designed for 44.1 kHz (usable at 48 kHz).
 */
const SHAPES: readonly (readonly number[])[] = [[], [1], [2.033, -2.165, 1.959, -1.59, 0.6149]];
const MAX_TAPS = 5;

/**
 * TPDF dither and requantisation to `bits`, with optional noise shaping. Only active when the
 * word length is actually reduced (bits < 32): the output is then exactly on the N-bit grid
 * (a multiple of 2^-(N-1), clipped to the integer range), ready for a PCM writer. The random
 * generator is a per-channel xorshift32 seeded at prepare/reset, so output is deterministic and
 * identical at any block size.
 */
export class Dither implements Processor {
  readonly kind = 'dither';
  readonly id: string;
  readonly params: readonly ParamSpec[];
  readonly latencySamples = 0;
  readonly gainReductionDb = 0;
  readonly stateResets = 0;
  #bits = 32;
  #shape = 0;
  #channels = 0;
  #rng = new Uint32Array(0);
  #err = new Float64Array(0);
  readonly #h = new Float64Array(MAX_TAPS);
  #taps = 0;

  constructor(options: ProcessorOptions) {
    this.id = options.id;
    const id = this.id;
    const group = id;
    this.params = [
      defineParam({ id: `${id}.bits`, label: 'Dither word length (32 = off)', kind: 'stepped', unit: 'bit', min: 16, max: 32, default: 32, steps: DITHER_BITS, group }),
      defineParam({ id: `${id}.noiseShaping`, label: 'Noise shaping', kind: 'choice', unit: '', min: 0, max: NOISE_SHAPES.length - 1, default: 0, choices: [...NOISE_SHAPES], group }),
    ];
  }

  get active(): boolean {
    return this.#bits < 32;
  }

  prepare(_sampleRate: number, _maxBlock: number, channels: number): void {
    this.#channels = channels;
    this.#rng = new Uint32Array(channels);
    this.#err = new Float64Array(channels * MAX_TAPS);
    this.#setShape(this.#shape);
    this.reset();
  }

  reset(): void {
    for (let c = 0; c < this.#channels; c++) this.#rng[c] = 0x9e3779b9 ^ ((c + 1) * 0x85ebca6b);
    this.#err.fill(0);
  }

  #setShape(shape: number): void {
    this.#shape = shape;
    const h = SHAPES[shape] ?? [];
    this.#h.fill(0);
    for (let k = 0; k < h.length; k++) this.#h[k] = h[k] as number;
    this.#taps = h.length;
    this.#err.fill(0);
  }

  setParam(index: number, value: number): void {
    if (index === P_BITS) {
      this.#bits = value;
      this.#err.fill(0);
    } else if (index === P_SHAPING) {
      this.#setShape(Math.round(value));
    }
  }

  process(channels: Float32Array[], frames: number): void {
    if (this.#bits >= 32) return;
    const scale = Math.pow(2, this.#bits - 1);
    const inv = 1 / scale;
    const maxQ = scale - 1;
    const h = this.#h;
    const taps = this.#taps;
    const errs = this.#err;
    for (let c = 0; c < this.#channels; c++) {
      const x = channels[c] as Float32Array;
      let s = this.#rng[c] as number;
      const e = c * MAX_TAPS;
      let e0 = errs[e] as number;
      let e1 = errs[e + 1] as number;
      let e2 = errs[e + 2] as number;
      let e3 = errs[e + 3] as number;
      let e4 = errs[e + 4] as number;
      for (let i = 0; i < frames; i++) {
        // Shaped input, in LSBs.
        let v = (x[i] as number) * scale;
        if (taps > 0) v -= (h[0] as number) * e0 + (h[1] as number) * e1 + (h[2] as number) * e2 + (h[3] as number) * e3 + (h[4] as number) * e4;
        // TPDF: difference of two uniform [0, 1) variates, triangular over (-1, 1) LSB.
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        const u1 = (s >>> 0) / 4294967296;
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        const u2 = (s >>> 0) / 4294967296;
        let q = Math.round(v + u1 - u2);
        q = q > maxQ ? maxQ : q < -scale ? -scale : q;
        e4 = e3;
        e3 = e2;
        e2 = e1;
        e1 = e0;
        // Total error (dither included) fed back; bounded so that clipping cannot wind it up,
        // and a NaN (non-finite input) feeds back 0 instead of poisoning the filter.
        const err = q - v;
        e0 = err >= -4 ? (err <= 4 ? err : 4) : err < -4 ? -4 : 0;
        x[i] = q * inv;
      }
      this.#rng[c] = s >>> 0;
      errs[e] = e0;
      errs[e + 1] = e1;
      errs[e + 2] = e2;
      errs[e + 3] = e3;
      errs[e + 4] = e4;
    }
  }
}
