import { instantiateKernel, type KernelBackend, type KernelChoice } from '../dsp/wasm-kernel.ts';
import { amplitudeToDb } from './levels.ts';
import { foldedItuTapsF32, halfSampleInterpolator, ituPhaseL1, trueOversampling } from './true-peak-filters.ts';

/**
 * The interpolators in single precision (dsp/wasm/true-peak.wat; peak4f / peak2f below are their JS
 * references, bit for bit): the folded 4x ITU filter (sym0, anti0, sym1, anti1, 6 taps each, then
 * unused) and the 2x half-sample taps g0..g11, all rounded to float32, and the skip bound.
 */
interface F32Taps {
  /** sym0[0..5], anti0[0..5], sym1[0..5], anti1[0..5]. */
  readonly folded: Float32Array;
  /** g0..g11 (the tap nearest the interpolated point first). */
  readonly half: Float32Array;
  /**
   * The active filter's largest sum of |taps| (|output| <= bound * max|input| under the window),
   * times (1 + 1e-5) for the float32 rounding of the sums (at most ~2e-6 relative): a chunk skipped
   * under it could not have changed the maximum.
   */
  readonly bound: number;
}

/** One channel's whole block (`block`): f32 input, f32 buffer, frames, chunk maxima, history, factor. */
type BlockKernel = (input: number, buf: number, frames: number, chunkMax: number, history: number, factor: number) => void;
interface WasmTruePeak {
  readonly block: BlockKernel;
  /** [0] the running peak the kernel reads and raises; [1] the sample peak; [2] non-finite count; [3] the bound. */
  readonly scalars: Float64Array;
  /** Per channel, the f32 input staged for `block` (the caller's arrays copied in with one native set()). */
  readonly input: Float32Array[];
  readonly inputAt: number[];
  readonly chunkMaxAt: number;
}
/** Byte layout of the kernel's memory (see true-peak.wat). */
const COEF4_AT = 0;
const COEF2_AT = 384;
const SCALARS_AT = 576;
const BUFFERS_AT = 640;
/** Frames of f32 input staged per channel for the WASM block (longer arrays take the JS loop). */
const WASM_STAGING = 8192;
/** Samples past a channel buffer's end the last quad of instants may read. */
const BUFFER_PAD = 4;

/** New samples per skip decision of the interpolators. */
const CHUNK = 64;
/** Rounding margin of the skip bound (see F32Taps.bound). */
const F32_MARGIN = 1 + 1e-5;

// Indices into the scalar state.
const T_TP_READ = 0;
const T_SP_READ = 1;
const T_TP = 2;
const T_SP = 3;
const T_HOP_PEAK = 4;
const T_HOP_LEFT = 5;
const T_WINDOW_INDEX = 6;
const T_NON_FINITE = 7;
/** Running maximum of the block being processed (in: the skip floor; out: the block's peak). */
const T_BLOCK_PEAK = 8;
/** The block's sample peak and non-finite count (handed to #accumulate without boxing a double). */
const T_BLOCK_SP = 9;
const T_BLOCK_BAD = 10;
const T_COUNT = 11;

/** What `TruePeakMeter.read()` fills in (dBTP / dBFS; silence -Infinity). */
export interface PeakReading {
  /** Highest true peak since the previous read(). */
  truePeakSinceReadDbtp: number;
  samplePeakSinceReadDbfs: number;
  /** Highest true / sample peak since reset(). */
  truePeakDbtp: number;
  samplePeakDbfs: number;
  /** Highest true peak of the last 3 s (100 ms resolution), for PSR; -Infinity unless trackWindow. */
  windowTruePeakDbtp: number;
}

export function emptyPeakReading(): PeakReading {
  return {
    truePeakSinceReadDbtp: -Infinity,
    samplePeakSinceReadDbfs: -Infinity,
    truePeakDbtp: -Infinity,
    samplePeakDbfs: -Infinity,
    windowTruePeakDbtp: -Infinity,
  };
}

export interface TruePeakMeterOptions {
  /** Keep per-100 ms maxima of the last 3 s (PSR needs them); costs a little per block. */
  readonly trackWindow?: boolean;
}

const WINDOW_HOPS = 30;
/** Taps of the 4x ITU phases; the 2x interpolator's length is taken from its kernel. */
const ITU_TAPS = 12;

/**
 * True peak per ITU-R BS.1770-4 Annex 2, and sample peak, of every channel (the maximum over channels).
 *
 * 44.1/48 kHz: 4x with the Annex's 48-tap polyphase FIR, folded for its symmetry (true-peak-filters.ts);
 * 88.2/96 kHz: 2x with a designed half-sample interpolator; 176.4 kHz and up: the samples themselves.
 * The reading is max(interpolated, sample peak): the samples lie on the reconstructed waveform, and the
 * ITU filter's phases sit at 1/8, 3/8, 5/8, 7/8 of a sample, so without this an isolated full-scale
 * sample could read 0.25 dB under its own sample peak.
 *
 * The FIR delays by about six input samples; finish() pushes zeros through it at the end of a file.
 */
export class TruePeakMeter {
  #channels = 0;
  #maxBlock = 0;
  #factor: 1 | 2 | 4 = 4;
  /** Samples of the previous block kept in front of the current one: filter length - 1. */
  #history = 0;
  #hop = 0;
  #trackWindow = false;
  /**
   * Per channel: #history samples of the previous block followed by the current block, as float32
   * (the input's own values), in the kernel's memory (the JS path uses the same buffers).
   */
  #scratch: Float32Array[] = [];
  /** Largest |x| of each CHUNK of the block being processed (the skip test). */
  #chunkMax = new Float64Array(0);
  #taps: F32Taps = { folded: new Float32Array(24), half: new Float32Array(12), bound: 1 };
  /** Scalar state in a typed array: updating it on the audio thread never boxes a double. */
  readonly #s = new Float64Array(T_COUNT);
  readonly #windowPeaks = new Float64Array(WINDOW_HOPS);
  #wasm: WasmTruePeak | null = null;
  #backend: KernelBackend | null = null;
  /** Byte offset of each channel's #scratch in the WASM memory. */
  #scratchAt: number[] = [];
  /**
   * 'native' (default; 'wasm' where the addon is not built) or 'wasm': the interpolators run in
   * that kernel (the same maxima to the bit as the JS references); 'js': the JS references.
   * Native or wasm is chosen at prepare().
   */
  kernel: KernelChoice = 'native';

  /** What runs the kernel work now: 'js', or the kernel prepared for 'native' / 'wasm' (null before prepare()). */
  get backend(): KernelBackend | 'js' | null {
    return this.kernel === 'js' ? 'js' : this.#backend;
  }

  get oversampling(): number {
    return this.#factor;
  }

  /** NaN/Inf input samples replaced by 0, since prepare(). */
  get nonFiniteSamples(): number {
    return this.#s[T_NON_FINITE]!;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number, options: TruePeakMeterOptions = {}): void {
    if (!Number.isInteger(maxBlock) || maxBlock < 1) throw new RangeError(`true-peak meter: maxBlock ${maxBlock}`);
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new RangeError(`true-peak meter: ${channels} channels`);
    if (!(sampleRate > 0)) throw new RangeError(`true-peak meter: sample rate ${sampleRate}`);
    this.#channels = channels;
    this.#maxBlock = maxBlock;
    this.#factor = trueOversampling(sampleRate);
    this.#taps = f32Taps(this.#factor);
    this.#history = this.#factor === 4 ? ITU_TAPS - 1 : this.#factor === 2 ? 2 * this.#taps.half.length - 1 : 0;
    this.#hop = Math.max(1, Math.round(sampleRate / 10));
    this.#trackWindow = options.trackWindow ?? false;
    this.#scratch = [];
    this.#scratchAt = [];
    this.#wasm = null;
    this.#backend = null;
    if (this.#factor === 1) {
      for (let c = 0; c < channels; c++) this.#scratch.push(new Float32Array(maxBlock));
    } else {
      // The buffers, chunk maxima and staging live in the kernel's memory.
      const stride = Math.ceil((this.#history + maxBlock + BUFFER_PAD) / 4) * 16;
      const chunkMaxAt = BUFFERS_AT + channels * stride;
      const inputAt0 = chunkMaxAt + 8 * (Math.ceil(maxBlock / CHUNK) + 2);
      const { memory, exports, backend } = instantiateKernel('true-peak', inputAt0 + channels * 4 * WASM_STAGING, undefined, this.kernel);
      this.#backend = backend;
      const coef = new Float32Array(memory.buffer, 0, SCALARS_AT / 4);
      const splat = (at: number, taps: Float32Array): void => {
        for (let k = 0; k < taps.length; k++) coef.fill(taps[k]!, at / 4 + 4 * k, at / 4 + 4 * k + 4);
      };
      splat(COEF4_AT, this.#taps.folded);
      splat(COEF2_AT, this.#taps.half);
      const inputAt = Array.from({ length: channels }, (_, c) => inputAt0 + c * 4 * WASM_STAGING);
      this.#wasm = {
        block: exports['block'] as BlockKernel,
        scalars: new Float64Array(memory.buffer, SCALARS_AT, 4),
        input: inputAt.map((at) => new Float32Array(memory.buffer, at, WASM_STAGING)),
        inputAt,
        chunkMaxAt,
      };
      this.#wasm.scalars[3] = this.#taps.bound;
      for (let c = 0; c < channels; c++) {
        const at = BUFFERS_AT + c * stride;
        this.#scratchAt.push(at);
        this.#scratch.push(new Float32Array(memory.buffer, at, this.#history + maxBlock + BUFFER_PAD));
      }
    }
    this.#chunkMax = new Float64Array(Math.ceil(maxBlock / CHUNK) + 1);
    this.#s[T_NON_FINITE] = 0;
    this.reset();
    this.#warmUp();
  }

  /**
   * Measure a few made-up blocks that take every path (computed and skipped chunks, a NaN, the stores
   * after the loops), then forget them. Without this V8 compiles the loops on-stack in the middle of
   * the first long block, before the code after them has ever run, and then bails out of that code at
   * the end of every later call (hundreds of deoptimisations over a file).
   */
  #warmUp(): void {
    const n = Math.min(this.#maxBlock, 4096);
    const x = new Float32Array(n);
    for (let i = 0; i < CHUNK; i++) x[i] = Math.sin(i);
    x[CHUNK + 1] = Number.NaN;
    const input = Array.from({ length: this.#channels }, () => x);
    const r = emptyPeakReading();
    for (let round = 0; round < 4; round++) {
      this.process(input, n);
      this.read(r);
    }
    this.finish();
    this.reset();
    this.#s[T_NON_FINITE] = 0;
  }

  reset(): void {
    for (const b of this.#scratch) b.fill(0);
    const nonFinite = this.#s[T_NON_FINITE]!;
    this.#s.fill(0);
    this.#s[T_NON_FINITE] = nonFinite;
    this.#s[T_HOP_LEFT] = this.#hop;
    this.#windowPeaks.fill(0);
  }

  process(input: readonly Float32Array[], frames: number): void {
    const staged = this.#stage(input);
    let done = 0;
    while (done < frames) {
      let n = frames - done < this.#maxBlock ? frames - done : this.#maxBlock;
      const hopLeft = this.#s[T_HOP_LEFT]!;
      if (this.#trackWindow && hopLeft < n) n = hopLeft;
      if (staged) this.#processBlockWasm(done, n);
      else this.#processBlock(input, done, n);
      done += n;
      if (this.#trackWindow) this.#advanceHop(n);
    }
  }

  /** Push zeros through the interpolator's delay (end of a file) so the last samples are measured. */
  finish(): void {
    let left = this.#history + 1;
    while (left > 0) {
      const n = Math.min(left, this.#maxBlock);
      this.#processBlock(null, 0, n);
      left -= n;
    }
  }

  read(out: PeakReading): void {
    const s = this.#s;
    if (s[T_TP_READ]! > s[T_TP]!) s[T_TP] = s[T_TP_READ]!;
    if (s[T_SP_READ]! > s[T_SP]!) s[T_SP] = s[T_SP_READ]!;
    out.truePeakSinceReadDbtp = amplitudeToDb(s[T_TP_READ]!);
    out.samplePeakSinceReadDbfs = amplitudeToDb(s[T_SP_READ]!);
    out.truePeakDbtp = amplitudeToDb(s[T_TP]!);
    out.samplePeakDbfs = amplitudeToDb(s[T_SP]!);
    if (this.#trackWindow) {
      let win = s[T_HOP_PEAK]!;
      for (let i = 0; i < WINDOW_HOPS; i++) if (this.#windowPeaks[i]! > win) win = this.#windowPeaks[i]!;
      out.windowTruePeakDbtp = amplitudeToDb(win);
    } else out.windowTruePeakDbtp = -Infinity;
    s[T_TP_READ] = 0;
    s[T_SP_READ] = 0;
  }

  #advanceHop(n: number): void {
    const s = this.#s;
    s[T_HOP_LEFT] = s[T_HOP_LEFT]! - n;
    if (s[T_HOP_LEFT] > 0) return;
    s[T_HOP_LEFT] = this.#hop;
    const index = s[T_WINDOW_INDEX]!;
    this.#windowPeaks[index] = s[T_HOP_PEAK]!;
    s[T_WINDOW_INDEX] = index + 1 === WINDOW_HOPS ? 0 : index + 1;
    s[T_HOP_PEAK] = 0;
  }

  /**
   * The WASM path takes every channel's whole array, copied into the kernel's memory with one
   * native set() (subarray() would allocate): possible at 4x, with every channel present and
   * no longer than the staging area. Returns whether the block was staged.
   */
  #stage(input: readonly Float32Array[]): boolean {
    const k = this.#wasm;
    if (k === null || this.kernel === 'js') return false;
    for (let c = 0; c < this.#channels; c++) {
      const x = input[c];
      if (x === undefined || x.length > WASM_STAGING) return false;
    }
    for (let c = 0; c < this.#channels; c++) k.input[c]!.set(input[c]!);
    return true;
  }

  /** #processBlock on staged input, every channel's block in the kernel (`block4`). */
  #processBlockWasm(offset: number, frames: number): void {
    const k = this.#wasm!;
    const s = this.#s;
    let floor = s[T_TP_READ]!;
    if (this.#trackWindow && s[T_HOP_PEAK]! < floor) floor = s[T_HOP_PEAK]!;
    const kp = k.scalars;
    kp[0] = floor;
    kp[1] = 0;
    kp[2] = 0;
    for (let c = 0; c < this.#channels; c++) k.block(k.inputAt[c]! + 4 * offset, this.#scratchAt[c]!, frames, k.chunkMaxAt, this.#history, this.#factor);
    s[T_BLOCK_PEAK] = kp[0]!;
    s[T_BLOCK_SP] = kp[1]!;
    s[T_BLOCK_BAD] = kp[2]!;
    this.#accumulate();
  }

  /** `input` null: a block of zeros (finish). */
  #processBlock(input: readonly Float32Array[] | null, offset: number, frames: number): void {
    const history = this.#history;
    const s = this.#s;
    let sp = 0;
    let bad = 0;
    // Interpolated values at or below this floor cannot change any maximum being tracked.
    let floor = s[T_TP_READ]!;
    if (this.#trackWindow && s[T_HOP_PEAK]! < floor) floor = s[T_HOP_PEAK]!;
    s[T_BLOCK_PEAK] = floor;
    for (let c = 0; c < this.#channels; c++) {
      const buf = this.#scratch[c]!;
      const x = input === null ? undefined : input[c];
      // Convert (and scrub) the block after the kept history; track the sample peak and the
      // per-chunk peaks (the 4x skip test) on the way.
      const chunkMax = this.#chunkMax;
      if (x === undefined) {
        buf.fill(0, history, history + frames);
        chunkMax.fill(0);
      } else {
        for (let start = 0, chunk = 0; start < frames; start += CHUNK, chunk++) {
          const end = start + CHUNK < frames ? start + CHUNK : frames;
          let cm = 0;
          for (let i = start; i < end; i++) {
            let v = x[offset + i]!;
            if (v - v !== 0) {
              v = 0;
              bad++;
            }
            buf[history + i] = v;
            const a = v < 0 ? -v : v;
            if (a > cm) cm = a;
          }
          chunkMax[chunk] = cm;
          if (cm > sp) sp = cm;
        }
      }
      if (this.#factor !== 1) skipAndInterpolate(buf, frames, history, this.#factor, this.#taps, chunkMax, s);
      // Keep the last `history` samples for the next block.
      if (history > 0) buf.copyWithin(0, frames, frames + history);
    }
    s[T_BLOCK_SP] = sp;
    s[T_BLOCK_BAD] = bad;
    this.#accumulate();
  }

  /** Fold the block's interpolated peak, sample peak and non-finite count (T_BLOCK_*) into the state. */
  #accumulate(): void {
    const s = this.#s;
    const sp = s[T_BLOCK_SP]!;
    const bad = s[T_BLOCK_BAD]!;
    // The samples lie on the reconstructed waveform too (see the class comment).
    let peak = s[T_BLOCK_PEAK]!;
    if (sp > peak) peak = sp;
    if (peak > s[T_TP_READ]!) s[T_TP_READ] = peak;
    if (sp > s[T_SP_READ]!) s[T_SP_READ] = sp;
    if (peak > s[T_HOP_PEAK]!) s[T_HOP_PEAK] = peak;
    s[T_NON_FINITE] = s[T_NON_FINITE]! + bad;
  }
}

/** The filters of `factor` rounded to float32, and the skip bound (see F32Taps). */
function f32Taps(factor: 1 | 2 | 4): F32Taps {
  const folded = foldedItuTapsF32();
  const half = Float32Array.from(halfSampleInterpolator(24, 8));
  let l1 = ituPhaseL1();
  if (factor === 2) {
    l1 = 0;
    for (let k = 0; k < half.length; k++) l1 += 2 * Math.abs(half[k]!);
  }
  return { folded, half, bound: l1 * F32_MARGIN };
}

/**
 * The block's interpolated maximum, raising state[T_BLOCK_PEAK] (it comes in holding the floor below
 * which nothing matters; results go through the state array, not a return value, so that no double
 * is boxed per call), what the kernel's `block` does after the conversion.
 *
 * Quiet stretches cannot beat the running maximum: every output is at most bound * max|x| over its
 * window. The block is walked in chunks of CHUNK new samples; a chunk whose inputs (its own samples
 * and the `history` before, history <= CHUNK) are all below floor / bound is skipped. Skipped values
 * are provably <= floor, so the maximum is the same with or without skipping, and the same for every
 * block size.
 */
function skipAndInterpolate(buf: Float32Array, frames: number, history: number, factor: 2 | 4, taps: F32Taps, chunkMax: Float64Array, state: Float64Array): void {
  const bound = taps.bound;
  let peak = state[T_BLOCK_PEAK]!;
  let previousMax = 0;
  for (let i = 0; i < history; i++) {
    const a = Math.abs(buf[i]!);
    if (a > previousMax) previousMax = a;
  }
  for (let start = 0, chunk = 0; start < frames; start += CHUNK, chunk++) {
    const own = chunkMax[chunk]!;
    const reach = own > previousMax ? own : previousMax;
    previousMax = own;
    const end = start + CHUNK < frames ? start + CHUNK : frames;
    if (reach * bound <= peak) continue;
    state[T_BLOCK_PEAK] = peak;
    if (factor === 4) peak4f(buf, start, end, taps.folded, state);
    else peak2f(buf, start, end, taps.half, state);
    peak = state[T_BLOCK_PEAK]!;
  }
  state[T_BLOCK_PEAK] = peak;
}

/**
 * Largest |interpolated value| of the folded 4x ITU filter over the windows buf[j..j+11], j in
 * [start, end), all four phases (see FoldedItuFilter: max(|A + B|, |A - B|) = |A| + |B|), in float32:
 * Math.fround after every operation, in the kernel's order (for +, - and * the double result rounded
 * once is the float32 operation). Raises state[T_BLOCK_PEAK].
 */
function peak4f(buf: Float32Array, start: number, end: number, c: Float32Array, state: Float32Array | Float64Array): void {
  const f = Math.fround;
  const c00 = c[0]!, c01 = c[1]!, c02 = c[2]!, c03 = c[3]!, c04 = c[4]!, c05 = c[5]!;
  const d00 = c[6]!, d01 = c[7]!, d02 = c[8]!, d03 = c[9]!, d04 = c[10]!, d05 = c[11]!;
  const c10 = c[12]!, c11 = c[13]!, c12 = c[14]!, c13 = c[15]!, c14 = c[16]!, c15 = c[17]!;
  const d10 = c[18]!, d11 = c[19]!, d12 = c[20]!, d13 = c[21]!, d14 = c[22]!, d15 = c[23]!;
  let peak = state[T_BLOCK_PEAK]!;
  for (let j = start; j < end; j++) {
    const x0 = buf[j]!, x1 = buf[j + 1]!, x2 = buf[j + 2]!, x3 = buf[j + 3]!, x4 = buf[j + 4]!, x5 = buf[j + 5]!;
    const x6 = buf[j + 6]!, x7 = buf[j + 7]!, x8 = buf[j + 8]!, x9 = buf[j + 9]!, x10 = buf[j + 10]!, x11 = buf[j + 11]!;
    const p0 = f(x0 + x11), p1 = f(x1 + x10), p2 = f(x2 + x9), p3 = f(x3 + x8), p4 = f(x4 + x7), p5 = f(x5 + x6);
    const m0 = f(x0 - x11), m1 = f(x1 - x10), m2 = f(x2 - x9), m3 = f(x3 - x8), m4 = f(x4 - x7), m5 = f(x5 - x6);
    const A = f(f(f(f(f(f(c00 * p0) + f(c01 * p1)) + f(c02 * p2)) + f(c03 * p3)) + f(c04 * p4)) + f(c05 * p5));
    const B = f(f(f(f(f(f(d00 * m0) + f(d01 * m1)) + f(d02 * m2)) + f(d03 * m3)) + f(d04 * m4)) + f(d05 * m5));
    const C = f(f(f(f(f(f(c10 * p0) + f(c11 * p1)) + f(c12 * p2)) + f(c13 * p3)) + f(c14 * p4)) + f(c15 * p5));
    const D = f(f(f(f(f(f(d10 * m0) + f(d11 * m1)) + f(d12 * m2)) + f(d13 * m3)) + f(d14 * m4)) + f(d15 * m5));
    const e = f(Math.abs(A) + Math.abs(B));
    const g = f(Math.abs(C) + Math.abs(D));
    const h = e > g ? e : g;
    if (h > peak) peak = h;
  }
  state[T_BLOCK_PEAK] = peak;
}

/**
 * Largest |half-sample value| of the 2x interpolator over the windows buf[j..j+23], j in [start, end):
 * the point between buf[j+11] and buf[j+12], y = sum_k g_k (buf[j+11-k] + buf[j+12+k]) accumulated
 * from k = 0, in float32 as peak4f. Raises state[T_BLOCK_PEAK].
 */
function peak2f(buf: Float32Array, start: number, end: number, g: Float32Array, state: Float32Array | Float64Array): void {
  const f = Math.fround;
  const h = g.length;
  let peak = state[T_BLOCK_PEAK]!;
  for (let j = start; j < end; j++) {
    const mid = j + h;
    let y = f(g[0]! * f(buf[mid - 1]! + buf[mid]!));
    for (let k = 1; k < h; k++) y = f(y + f(g[k]! * f(buf[mid - 1 - k]! + buf[mid + k]!)));
    const a = Math.abs(y);
    if (a > peak) peak = a;
  }
  state[T_BLOCK_PEAK] = peak;
}
