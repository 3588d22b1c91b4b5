import { instantiateKernel, type KernelBackend, type KernelChoice } from '../dsp/wasm-kernel.ts';
import type { KWeightingCoefficients } from './k-weighting.ts';

/**
 * Frames per call of the WASM kernel (its f32 input areas). A caller's channel array no longer than
 * this is copied in whole with one native `set()`; longer ones, or blocks that start inside the
 * array, are copied sample by sample.
 */
export const LOUDNESS_KERNEL_CHUNK = 8192;
/** f64 slots for the meter's scalar state. */
export const LOUDNESS_KERNEL_SCALARS = 24;
/** 100 ms boundaries one call can pass (at 8 kHz, a hop of 800 samples: 11 in 8192 frames). */
const MAX_EVENTS = 32;
/** The kernel keeps the filter state of this many channels (the meter's limit). */
const MAX_CHANNELS = 64;

// Byte addresses in the kernel's memory (the layout in dsp/wasm/loudness-k.wat).
const COEF_AT = 0;
const WEIGHTS_AT = 160;
const BAD_AT = 176;
const SCALARS_AT = 192;
const CONSTANTS_AT = 384;
const EVENTS_AT = 512;
const STATE_AT = 1024;
const RING_AT = STATE_AT + MAX_CHANNELS * 4 * 8;

/** ring, extra power (0: none), left f32, right f32, frames, samples to the next flush point -> boundaries passed. */
type RunKernel = (ring: number, extra: number, l: number, r: number, frames: number, untilFlush: number) => number;

export interface LoudnessKernelLayout {
  readonly k: KWeightingCoefficients;
  /** Weights of channels 0 and 1 (a mono meter gives 0 for the second). */
  readonly weight0: number;
  readonly weight1: number;
  readonly channels: number;
  readonly maxBlock: number;
  /** 400 ms, 3 s and 100 ms in samples. */
  readonly momentarySamples: number;
  readonly shortTermSamples: number;
  readonly hopSamples: number;
  /** Native or WebAssembly kernel (see KernelChoice; 'wasm' when left out). */
  readonly choice?: KernelChoice;
}

/**
 * The loudness meter's state in the memory of its WebAssembly kernel (dsp/wasm/loudness-k.wat), so
 * that the JS reference and the kernel work on the same arrays and `kernel` can be switched at any
 * block: the scalar state, the filter state (channels 0 and 1 interleaved as the kernel's two
 * lanes, then four values per further channel), the 3 s ring and the other channels' power. Built
 * by the meter's prepare(); run() neither allocates nor boxes.
 */
export class LoudnessKernel {
  /** The meter's scalar state (its S_* indices). */
  readonly scalars: Float64Array<ArrayBuffer>;
  /** s1 s2 h1 h2 of channels 0 and 1 as (0, 1) pairs, then s1 s2 h1 h2 of channel c at 4 c. */
  readonly state: Float64Array<ArrayBuffer>;
  /** 3 s of weighted K-filtered squares. */
  readonly ring: Float64Array<ArrayBuffer>;
  /** The channels beyond the first two, filtered and weighted, per frame of the block. */
  readonly power: Float64Array<ArrayBuffer>;
  /** Per 100 ms boundary passed by the last run(): the 400 ms mean power, the 3 s mean power. */
  readonly events: Float64Array<ArrayBuffer>;
  /** Non-finite input samples of channels 0 and 1 since the caller last zeroed them. */
  readonly nonFinite: Float64Array<ArrayBuffer>;
  readonly #run: RunKernel;
  readonly #left: Float32Array<ArrayBuffer>;
  readonly #right: Float32Array<ArrayBuffer>;
  readonly #leftAt: number;
  readonly #rightAt: number;
  readonly #powerAt: number;

  /** Which code runs the kernel (see KernelChoice). */
  readonly backend: KernelBackend;

  constructor(layout: LoudnessKernelLayout) {
    const { k, channels, maxBlock, shortTermSamples } = layout;
    if (Math.ceil(LOUDNESS_KERNEL_CHUNK / layout.hopSamples) + 1 > MAX_EVENTS) throw new RangeError(`loudness kernel: hop of ${layout.hopSamples} samples`);
    this.#powerAt = RING_AT + 8 * shortTermSamples;
    this.#leftAt = this.#powerAt + 8 * maxBlock;
    this.#rightAt = this.#leftAt + 4 * LOUDNESS_KERNEL_CHUNK;
    const { memory, exports, backend } = instantiateKernel('loudness-k', this.#rightAt + 4 * LOUDNESS_KERNEL_CHUNK, undefined, layout.choice ?? 'wasm');
    this.backend = backend;
    this.#run = exports['run'] as RunKernel;
    const b = memory.buffer;
    const coef = new Float64Array(b, COEF_AT, 20);
    const c = [k.shelf.b0, k.shelf.b1, k.shelf.b2, k.shelf.a1, k.shelf.a2, k.highPass.b0, k.highPass.b1, k.highPass.b2, k.highPass.a1, k.highPass.a2];
    c.forEach((v, i) => (coef[2 * i] = coef[2 * i + 1] = v));
    const weights = new Float64Array(b, WEIGHTS_AT, 2);
    weights[0] = layout.weight0;
    weights[1] = layout.weight1;
    this.nonFinite = new Float64Array(b, BAD_AT, 2);
    this.scalars = new Float64Array(b, SCALARS_AT, LOUDNESS_KERNEL_SCALARS);
    const constants = new Float64Array(b, CONSTANTS_AT, 3);
    constants[0] = layout.momentarySamples;
    constants[1] = shortTermSamples;
    constants[2] = layout.hopSamples;
    this.events = new Float64Array(b, EVENTS_AT, 2 * MAX_EVENTS);
    this.state = new Float64Array(b, STATE_AT, 4 * Math.max(2, channels));
    this.ring = new Float64Array(b, RING_AT, shortTermSamples);
    this.power = new Float64Array(b, this.#powerAt, maxBlock);
    this.#left = new Float32Array(b, this.#leftAt, LOUDNESS_KERNEL_CHUNK);
    this.#right = new Float32Array(b, this.#rightAt, LOUDNESS_KERNEL_CHUNK);
  }

  /**
   * Copy `frames` (<= LOUDNESS_KERNEL_CHUNK) frames from `offset` of `x` into the kernel's input of
   * channel `lane` (0 or 1); a channel the caller did not pass reads as silence.
   */
  stage(lane: number, x: Float32Array | undefined, offset: number, frames: number): void {
    const to = lane === 0 ? this.#left : this.#right;
    if (x === undefined) to.fill(0, 0, frames);
    else if (offset === 0 && frames <= x.length && x.length <= LOUDNESS_KERNEL_CHUNK) to.set(x);
    // A sample past the end of x reads as undefined, NaN here: counted as non-finite, as in the JS path.
    else for (let i = 0; i < frames; i++) to[i] = x[offset + i]!;
  }

  /**
   * Run the kernel over `frames` staged frames. `mono`: channel 0 feeds both lanes. `powerFrom`: the
   * index into `power` of the first frame, or -1 when there are no other channels. Returns how many
   * 100 ms boundaries were passed (their powers in `events`).
   */
  run(frames: number, untilFlush: number, mono: boolean, powerFrom: number): number {
    return this.#run(RING_AT, powerFrom < 0 ? 0 : this.#powerAt + 8 * powerFrom, this.#leftAt, mono ? this.#leftAt : this.#rightAt, frames, untilFlush);
  }
}
