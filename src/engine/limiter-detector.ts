import type { Ramp } from './dsp/ramp.ts';
import { TRUE_PEAK_TAPS } from './dsp/true-peak-filter.ts';
import { instantiateKernel, type KernelBackend, type KernelChoice } from './dsp/wasm-kernel.ts';
import { foldedItuTapsF32 } from './meters/true-peak-filters.ts';

// Imported bindings are property reads under tsx/vite: copy them into module constants for the hot loop.
const TAPS = TRUE_PEAK_TAPS;

/** Samples per block of the quiet-region test (see process()). */
const CHUNK = 16;
/**
 * Headroom of the quiet test's bound for the single-precision interpolation (skipping must stay
 * identical to computing). With M the largest |x| under the filter, the sum of the magnitudes of
 * the terms of A and B (C and D) is at most l1 * M (see foldedL1); each term is rounded at most 7
 * times on its way (the fold, the product, 5 accumulations), |A| + |B| once more, and the driven
 * sample once (detect bounds it by |input| * drive), each time by at most 2^-24 relative: the
 * computed peak stays under l1 * M * (1 + 2^-24)^9 < l1 * M * (1 + 6e-7) (1.1e-7 seen on adversarial
 * windows). 1e-5 leaves a factor 16; absolute underflow errors (~1e-45) are far below any limit
 * (>= 0.25: the ceiling is >= -12 dBTP).
 */
const F32_MARGIN = 1 + 1e-5;

/**
 * Largest L1 norm over the phases of the folded (f32) filter, at least 1 (|x[n-6]| is a candidate
 * too): per tap pair, |sym + anti| + |sym - anti| = |h[k]| + |h[11-k]|. detect's |A| + |B| is at most
 * sum_k |sym_k| |s_k + s_(11-k)| + |anti_k| |s_k - s_(11-k)| <= M sum_k 2 max(|sym_k|, |anti_k|),
 * which is this norm times M, the largest |x| under the filter (phases 1 and 2 likewise).
 */
function foldedL1(folded: Float32Array): number {
  let best = 1;
  for (let ph = 0; ph < 2; ph++) {
    let s = 0;
    for (let k = 0; k < 6; k++) {
      const sym = folded[ph * 12 + k] as number;
      const anti = folded[ph * 12 + 6 + k] as number;
      s += Math.abs(sym + anti) + Math.abs(sym - anti);
    }
    if (s > best) best = s;
  }
  return best;
}

/**
 * The WASM block ingest (limiter-detect.wat `ingest`): f32 input, history byte address, history
 * length, clock, frames, ramp steps in the block, ramp steps left, scalars' byte address, peaks'.
 */
type IngestKernel = (input: number, x: number, xLen: number, n0: number, frames: number, ramp: number, drvR: number, scalars: number, peaks: number) => void;
/**
 * The limiter's pass 2 (limiter-detect.wat `gains`): scalars, peaks, gains, frames, then the g
 * history, the deque and the release history (byte address and mask each), delta, window, L.
 */
type GainsKernel = (
  scalars: number,
  peaks: number,
  gains: number,
  frames: number,
  g: number,
  gMask: number,
  dq: number,
  dqMask: number,
  r: number,
  rMask: number,
  delta: number,
  window: number,
  l: number,
) => void;
/** The gains kernel's scalars (f64 index from their address; see the .wat). */
export const G_CEILING = 0;
export const G_CEILING_STEP = 1;
export const G_CEILING_TARGET = 2;
export const G_CEILING_LEFT = 3;
export const G_SAFETY = 4;
export const G_RELEASE = 5;
export const G_INV_L = 6;
export const G_R_PREV = 7;
export const G_SUM = 8;
export const G_CLOCK = 9;
export const G_HEAD = 10;
export const G_TAIL = 11;
export const G_MIN_GAIN = 12;
const G_COUNT = 13;
// The ingest scalars (f64 index from the scalars' address).
const I_DRIVE = 0;
const I_STEP = 1;
const I_TARGET = 2;
const I_L1 = 3;
const I_LIMIT = 4;
const I_COUNT = 5;
/** The limiter's pass 3 for one channel (limiter-detect.wat `apply`): out, history, start, mask, gains, frames. */
type ApplyKernel = (out: number, x: number, start: number, mask: number, gains: number, frames: number) => void;
/** Byte offset of `peaks` in the WASM memory (after the 24 splatted f32x4 coefficients). */
const WASM_PEAKS = 384;

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/**
 * The true-peak limiter's detector: per channel, the driven input history (doubled, so that
 * x[n - k] = x[base - k] without masking) and, per block, the largest true peak of every
 * sample's interpolation region over the channels (`peaks`). The history is single precision,
 * fround(input * drive): it is also the limiter's delay line (the output is the history sample
 * times the gain; with drive 1 the input sample itself), and the interpolation runs in f32.
 * `detect` is the JS reference, `detectWasm` the same through the WebAssembly SIMD kernel
 * (dsp/wasm/limiter-detect.wat, four samples per f32x4); the histories and `peaks` live in the
 * kernel's memory. Allocated by the limiter's prepare().
 */
export class LimiterDetector {
  /** Per channel, 2 * xLen samples (every sample written twice). */
  readonly x: Float32Array[];
  /** Per block: true peak per sample (f32 values), max over channels (the caller zeroes it). */
  readonly peaks: Float32Array;
  readonly xLen: number;
  readonly xMask: number;
  /**
   * Below this (linear), no interpolated value can need gain reduction: quiet stretches skip the
   * interpolation. A field, not an argument: a double passed to a call that is not inlined gets boxed.
   */
  quietLimit = 0.5;
  readonly #ingest: IngestKernel;
  /** Byte address of each channel's history in the WASM memory. */
  readonly #xAt: number[];
  /** The ingest kernel's scalars (see I_*) and f32 input, in the WASM memory. */
  readonly #scalars: Float64Array;
  readonly #scalarsAt: number;
  /** Per channel: the caller's block, staged for `ingest` and written back by applyGains. */
  readonly #input: Float32Array[];
  readonly #inputAt: number[];
  readonly #apply: ApplyKernel;
  /** Phase 0 and phase 1 folded (see detect), f32: sym0, anti0, sym1, anti1, six taps each. */
  readonly #folded = foldedItuTapsF32();
  /**
   * The quiet test's bound: the filter's largest L1 norm (no interpolated value exceeds it times
   * the largest |x| under the filter) with the headroom for the f32 evaluation (F32_MARGIN).
   */
  readonly #quietL1 = foldedL1(this.#folded) * F32_MARGIN;

  /** The limiter's gain state, in the kernel's memory too (pass 2 runs there; see limiter.ts). */
  readonly g: Float64Array;
  readonly dq: Float64Array;
  readonly r: Float64Array;
  readonly gain: Float64Array;
  /** The gains kernel's scalars (G_*). */
  readonly gainScalars: Float64Array;
  readonly #gains: GainsKernel;
  readonly #gAt: number;
  readonly #dqAt: number;
  readonly #rAt: number;
  readonly #gainAt: number;
  readonly #gainScalarsAt: number;

  /** Which code runs the kernel (see KernelChoice). */
  readonly backend: KernelBackend;

  /**
   * `xLen`: history length; `gLen`: g history and deque length; `rLen`: release history length
   * (powers of two); `choice`: native or WebAssembly kernel (see KernelChoice).
   */
  constructor(channels: number, maxBlock: number, xLen: number, gLen: number, rLen: number, choice: KernelChoice = 'wasm') {
    this.xLen = xLen;
    this.xMask = xLen - 1;
    // peaks and the histories (f32) in the kernel's memory.
    const xAt0 = align16(WASM_PEAKS + 4 * maxBlock);
    const stride = align16(4 * 2 * xLen);
    this.#scalarsAt = xAt0 + channels * stride;
    const inputAt0 = this.#scalarsAt + align16(8 * I_COUNT);
    this.#inputAt = Array.from({ length: channels }, (_, c) => inputAt0 + 4 * maxBlock * c);
    this.#gAt = align16(inputAt0 + 4 * maxBlock * channels);
    this.#dqAt = this.#gAt + 8 * gLen;
    this.#rAt = this.#dqAt + 8 * gLen;
    this.#gainAt = this.#rAt + 8 * rLen;
    this.#gainScalarsAt = this.#gainAt + 8 * maxBlock;
    const { memory, exports, backend } = instantiateKernel('limiter-detect', this.#gainScalarsAt + 8 * G_COUNT, undefined, choice);
    this.backend = backend;
    this.#ingest = exports['ingest'] as IngestKernel;
    this.#gains = exports['gains'] as GainsKernel;
    this.g = new Float64Array(memory.buffer, this.#gAt, gLen);
    this.dq = new Float64Array(memory.buffer, this.#dqAt, gLen);
    this.r = new Float64Array(memory.buffer, this.#rAt, rLen);
    this.gain = new Float64Array(memory.buffer, this.#gainAt, maxBlock);
    this.gainScalars = new Float64Array(memory.buffer, this.#gainScalarsAt, G_COUNT);
    this.#scalars = new Float64Array(memory.buffer, this.#scalarsAt, I_COUNT);
    this.#scalars[I_L1] = this.#quietL1;
    this.#input = this.#inputAt.map((at) => new Float32Array(memory.buffer, at, maxBlock));
    this.#apply = exports['apply'] as ApplyKernel;
    const coef = new Float32Array(memory.buffer, 0, WASM_PEAKS / 4);
    for (let k = 0; k < 24; k++) coef.fill(this.#folded[k] as number, 4 * k, 4 * k + 4);
    this.peaks = new Float32Array(memory.buffer, WASM_PEAKS, maxBlock);
    this.#xAt = Array.from({ length: channels }, (_, c) => xAt0 + c * stride);
    this.x = this.#xAt.map((at) => new Float32Array(memory.buffer, at, 2 * xLen));
  }

  reset(): void {
    for (let c = 0; c < this.x.length; c++) (this.x[c] as Float32Array).fill(0);
  }

  /**
   * Write one channel's block into its history (doubled buffer: x[n - k] = x[base - k] without
   * masking; f32, the Float32Array store rounds input * drive) and max its per-sample true peak
   * into `peaks`. Per CHUNK samples, a quiet-region test first: if the largest |x| under the
   * filter, times the filter's largest L1 norm (with the f32 headroom), stays below the limit, no
   * interpolated value can reach it and the interpolation is skipped (g_req is 1 either way, so
   * the result is identical). The interpolation runs in single precision, Math.fround after every
   * operation, in the order of the kernel's lanes: the same peaks as detectWasm to the bit.
   */
  detect(input: Float32Array, c: number, frames: number, n0: number, drv: Ramp): void {
    const x = this.x[c] as Float32Array;
    const peaks = this.peaks;
    const limit = this.quietLimit;
    const xLen = this.xLen;
    const xMask = this.xMask;
    const l1 = this.#quietL1;
    const fr = Math.fround;
    let drvV = drv.value;
    let drvR = drv.remaining;
    const dStep = drv.step;
    const dTarget = drv.target;
    const fo = this.#folded;
    const e0 = fo[0] as number, e1 = fo[1] as number, e2 = fo[2] as number, e3 = fo[3] as number, e4 = fo[4] as number, e5 = fo[5] as number;
    const o0 = fo[6] as number, o1 = fo[7] as number, o2 = fo[8] as number, o3 = fo[9] as number, o4 = fo[10] as number, o5 = fo[11] as number;
    const f0 = fo[12] as number, f1 = fo[13] as number, f2 = fo[14] as number, f3 = fo[15] as number, f4 = fo[16] as number, f5 = fo[17] as number;
    const q0 = fo[18] as number, q1 = fo[19] as number, q2 = fo[20] as number, q3 = fo[21] as number, q4 = fo[22] as number, q5 = fo[23] as number;
    let chunkEnd = 0;
    let quiet = false;
    for (let i = 0; i < frames; i++) {
      if (i >= chunkEnd) {
        chunkEnd = i + CHUNK < frames ? i + CHUNK : frames;
        const dmax = drvV > dTarget ? drvV : dTarget;
        let m = 0;
        for (let j = i; j < chunkEnd; j++) {
          const a = input[j] as number;
          const v = a < 0 ? -a : a;
          if (v > m) m = v;
        }
        // |fround(input * drive)| <= |input| * dmax * (1 + 2^-24): inside the headroom of l1.
        m *= dmax;
        const hpos = ((n0 + i) & xMask) + xLen;
        for (let k = 1; k < TAPS; k++) {
          const a = x[hpos - k] as number;
          const v = a < 0 ? -a : a;
          if (v > m) m = v;
        }
        quiet = m * l1 <= limit;
      }
      if (drvR > 0) {
        drvV += dStep;
        if (--drvR === 0) drvV = dTarget;
      }
      const wpos = (n0 + i) & xMask;
      // Held within +-65536 as the kernel holds it (see limiter-detect.wat $bounded).
      let v = (input[i] as number) * drvV;
      v = v > 65536 ? 65536 : v < -65536 ? -65536 : v;
      x[wpos] = v;
      x[wpos + xLen] = v;
      if (quiet) continue;
      const base = wpos + xLen;
      // BS.1770-4 Annex 2, folded for its symmetry (phase 3 is phase 0 reversed, phase 2 phase 1):
      // with p_k = s_k + s_(11-k), m_k = s_k - s_(11-k), phases 0/3 are A +- B and 1/2 are C +- D,
      // and max(|A + B|, |A - B|) = |A| + |B|: 24 multiplies for the largest of the four. Each
      // operation rounded to f32 (the double result of +, -, * of two f32 values, rounded once,
      // is the f32 operation's), the sums left to right as the kernel accumulates them.
      const s0 = x[base] as number;
      const s1 = x[base - 1] as number;
      const s2 = x[base - 2] as number;
      const s3 = x[base - 3] as number;
      const s4 = x[base - 4] as number;
      const s5 = x[base - 5] as number;
      const s6 = x[base - 6] as number;
      const s7 = x[base - 7] as number;
      const s8 = x[base - 8] as number;
      const s9 = x[base - 9] as number;
      const s10 = x[base - 10] as number;
      const s11 = x[base - 11] as number;
      const p0 = fr(s0 + s11);
      const p1 = fr(s1 + s10);
      const p2 = fr(s2 + s9);
      const p3 = fr(s3 + s8);
      const p4 = fr(s4 + s7);
      const p5 = fr(s5 + s6);
      const m0 = fr(s0 - s11);
      const m1 = fr(s1 - s10);
      const m2 = fr(s2 - s9);
      const m3 = fr(s3 - s8);
      const m4 = fr(s4 - s7);
      const m5 = fr(s5 - s6);
      let fa = fr(fr(fr(fr(fr(fr(e0 * p0) + fr(e1 * p1)) + fr(e2 * p2)) + fr(e3 * p3)) + fr(e4 * p4)) + fr(e5 * p5));
      let fb = fr(fr(fr(fr(fr(fr(o0 * m0) + fr(o1 * m1)) + fr(o2 * m2)) + fr(o3 * m3)) + fr(o4 * m4)) + fr(o5 * m5));
      let fc = fr(fr(fr(fr(fr(fr(f0 * p0) + fr(f1 * p1)) + fr(f2 * p2)) + fr(f3 * p3)) + fr(f4 * p4)) + fr(f5 * p5));
      let fd = fr(fr(fr(fr(fr(fr(q0 * m0) + fr(q1 * m1)) + fr(q2 * m2)) + fr(q3 * m3)) + fr(q4 * m4)) + fr(q5 * m5));
      if (fa < 0) fa = -fa;
      if (fb < 0) fb = -fb;
      if (fc < 0) fc = -fc;
      if (fd < 0) fd = -fd;
      const a03 = fr(fa + fb);
      const a12 = fr(fc + fd);
      let p = s6 < 0 ? -s6 : s6;
      if (a03 > p) p = a03;
      if (a12 > p) p = a12;
      // NaN fails the comparison and Inf is skipped: non-finite input never reaches the gain state.
      if (p > (peaks[i] as number) && p < Infinity) peaks[i] = p;
    }
    drv.value = drvV;
    drv.remaining = drvR;
  }

  /**
   * detect() through the WASM kernel. Per CHUNK: the samples into the history first, then the same
   * kind of quiet test as detect, on the driven history under the chunk's windows (no window
   * whose inputs all stay below limit / l1 can reach the limit, so skipping it leaves every
   * g_req at 1 as computing it would); the loud chunks go through the kernel in runs. All of it
   * runs in the kernel (`ingest`): JS only copies the block into the kernel's memory.
   */
  detectWasm(input: Float32Array, c: number, frames: number, n0: number, drv: Ramp): void {
    const staged = this.#input[c]!;
    if (input.length <= staged.length) staged.set(input);
    else for (let i = 0; i < frames; i++) staged[i] = input[i]!;
    const sc = this.#scalars;
    const drvR = drv.remaining;
    const ramp = drvR < frames ? drvR : frames;
    sc[I_DRIVE] = drv.value;
    sc[I_STEP] = drv.step;
    sc[I_TARGET] = drv.target;
    sc[I_LIMIT] = this.quietLimit;
    this.#ingest(this.#inputAt[c]!, this.#xAt[c]!, this.xLen, n0 & this.xMask, frames, ramp, drvR, this.#scalarsAt, WASM_PEAKS);
    drv.value = sc[I_DRIVE]!;
    drv.remaining = drvR - ramp;
  }

  /**
   * The limiter's pass 2 in the kernel, on `gain` from `peaks`, with the state in `gainScalars`
   * (the caller fills it in and reads it back; see limiter.ts #gains, the JS reference).
   */
  gainsWasm(frames: number, delta: number, window: number, l: number): void {
    this.#gains(
      this.#gainScalarsAt,
      WASM_PEAKS,
      this.#gainAt,
      frames,
      this.#gAt,
      this.g.length - 1,
      this.#dqAt,
      this.dq.length - 1,
      this.#rAt,
      this.r.length - 1,
      delta,
      window,
      l,
    );
  }

  /**
   * The limiter's pass 3 for channel `c` in the kernel: `out[i]` = the history at `start + i`
   * times `gain[i]`. Runs on the block detectWasm staged for the channel, then copies it out
   * (the whole array with one native set() when it is the staged length: the samples past
   * `frames` go back as they came in).
   */
  applyGains(out: Float32Array, c: number, start: number, frames: number): void {
    const staged = this.#input[c]!;
    this.#apply(this.#inputAt[c]!, this.#xAt[c]!, start & this.xMask, this.xMask, this.#gainAt, frames);
    if (out.length === staged.length) out.set(staged);
    else for (let i = 0; i < frames; i++) out[i] = staged[i]!;
  }
}
