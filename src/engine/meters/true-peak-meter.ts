import { instantiateKernel } from '../dsp/wasm-kernel.ts';
import { amplitudeToDb } from './levels.ts';
import { foldedItuFilter, halfSampleInterpolator, ituPhaseL1, trueOversampling, type FoldedItuFilter } from './true-peak-filters.ts';

interface FoldedFilterTaps extends FoldedItuFilter {
  /** Largest sum of |taps| of the four phases (the skip bound). */
  readonly l1: number;
}

/**
 * The WASM 4x interpolator (dsp/wasm/true-peak-4x.wat): buffer byte offset, window starts
 * [start, end); raises the peak held in its memory (see WASM_PEAK).
 */
type Peak4Kernel = (buf: number, start: number, end: number) => void;
/** One channel's whole block (true-peak-4x.wat `block4`): f32 input, f64 buffer, frames, chunk maxima (byte addresses). */
type Block4Kernel = (input: number, buf: number, frames: number, chunkMax: number) => void;
interface WasmPeak4 {
  readonly run: Peak4Kernel;
  readonly block: Block4Kernel;
  /** [0]: the running peak the kernel reads and raises; [1] the sample peak; [2] non-finite count; [3] l1 * (1 + 1e-12). */
  readonly peak: Float64Array;
  /** Per channel, the f32 input staged for `block4` (the caller's arrays copied in with one native set()). */
  readonly input: Float32Array[];
  readonly inputAt: number[];
  readonly chunkMaxAt: number;
}
/** Byte offset of the running peak (and the scalars after it) in the WASM memory. */
const WASM_PEAK = 384;
/** Frames of f32 input staged per channel for the WASM block (longer arrays take the JS loop). */
const WASM_STAGING = 8192;

/** Bytes of the splatted coefficients at the start of the WASM memory. */
const WASM_COEF_BYTES = 512;

/** New samples per skip decision of the 4x interpolator. */
const CHUNK = 64;

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
  /** Per channel: #history samples of the previous block followed by the current block, as Float64. */
  #scratch: Float64Array[] = [];
  /** Largest |x| of each CHUNK of the block being processed (the 4x skip test). */
  #chunkMax = new Float64Array(0);
  #folded: FoldedFilterTaps = { ...foldedItuFilter(), l1: 1 };
  #half: Float64Array = new Float64Array(12);
  /** Scalar state in a typed array: updating it on the audio thread never boxes a double. */
  readonly #s = new Float64Array(T_COUNT);
  readonly #windowPeaks = new Float64Array(WINDOW_HOPS);
  #kernel4: WasmPeak4 | null = null;
  /** Byte offset of each channel's #scratch in the WASM memory. */
  #scratchAt: number[] = [];
  /**
   * 'wasm' (default): the 4x interpolator runs in WebAssembly SIMD (same maxima to the bit as the
   * JS loop); 'js': the JS reference.
   */
  kernel: 'wasm' | 'js' = 'wasm';

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
    this.#folded = { ...foldedItuFilter(), l1: ituPhaseL1() };
    this.#half = halfSampleInterpolator(24, 8);
    this.#history = this.#factor === 4 ? ITU_TAPS - 1 : this.#factor === 2 ? 2 * this.#half.length - 1 : 0;
    this.#hop = Math.max(1, Math.round(sampleRate / 10));
    this.#trackWindow = options.trackWindow ?? false;
    this.#scratch = [];
    this.#scratchAt = [];
    if (this.#factor === 4) {
      // The buffers live in the kernel's memory; +2 samples: the odd-tail lane reads one past.
      const len = this.#history + maxBlock;
      const stride = Math.ceil((len + 2) / 2) * 16;
      const chunkMaxAt = WASM_COEF_BYTES + channels * stride;
      const inputAt0 = chunkMaxAt + 8 * (Math.ceil(maxBlock / CHUNK) + 2);
      const { memory, exports } = instantiateKernel('true-peak-4x', inputAt0 + channels * 4 * WASM_STAGING);
      const coef = new Float64Array(memory.buffer, 0, WASM_COEF_BYTES / 8);
      const f = this.#folded;
      [f.sym0, f.anti0, f.sym1, f.anti1].forEach((taps, t) => {
        for (let k = 0; k < 6; k++) coef[2 * (6 * t + k)] = coef[2 * (6 * t + k) + 1] = taps[k]!;
      });
      const inputAt = Array.from({ length: channels }, (_, c) => inputAt0 + c * 4 * WASM_STAGING);
      this.#kernel4 = {
        run: exports['peak4'] as Peak4Kernel,
        block: exports['block4'] as Block4Kernel,
        peak: new Float64Array(memory.buffer, WASM_PEAK, 4),
        input: inputAt.map((at) => new Float32Array(memory.buffer, at, WASM_STAGING)),
        inputAt,
        chunkMaxAt,
      };
      this.#kernel4.peak[3] = this.#folded.l1 * (1 + 1e-12);
      for (let c = 0; c < channels; c++) {
        this.#scratchAt.push(WASM_COEF_BYTES + c * stride);
        this.#scratch.push(new Float64Array(memory.buffer, WASM_COEF_BYTES + c * stride, len));
      }
    } else {
      this.#kernel4 = null;
      for (let c = 0; c < channels; c++) this.#scratch.push(new Float64Array(this.#history + maxBlock));
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
    const k = this.#kernel4;
    if (k === null || this.kernel !== 'wasm') return false;
    for (let c = 0; c < this.#channels; c++) {
      const x = input[c];
      if (x === undefined || x.length > WASM_STAGING) return false;
    }
    for (let c = 0; c < this.#channels; c++) k.input[c]!.set(input[c]!);
    return true;
  }

  /** #processBlock on staged input, every channel's block in the kernel (`block4`). */
  #processBlockWasm(offset: number, frames: number): void {
    const k = this.#kernel4!;
    const s = this.#s;
    let floor = s[T_TP_READ]!;
    if (this.#trackWindow && s[T_HOP_PEAK]! < floor) floor = s[T_HOP_PEAK]!;
    const kp = k.peak;
    kp[0] = floor;
    kp[1] = 0;
    kp[2] = 0;
    for (let c = 0; c < this.#channels; c++) k.block(k.inputAt[c]! + 4 * offset, this.#scratchAt[c]!, frames, k.chunkMaxAt);
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
      if (this.#factor === 4) peak4(buf, frames, this.#folded, chunkMax, s, this.kernel === 'wasm' ? this.#kernel4 : null, this.#scratchAt[c] ?? 0);
      else if (this.#factor === 2) peak2(buf, frames, this.#half, s);
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

/**
 * Largest |interpolated value| of the folded 4x ITU filter over the windows buf[j..j+11], one per new
 * sample (all four phases: see FoldedItuFilter), raising state[T_BLOCK_PEAK] (it comes in holding the
 * floor below which nothing matters; results go through the state array, not a return value, so that
 * no double is boxed per call).
 *
 * Quiet stretches cannot beat the running maximum: every phase output is at most l1 * max|x| over its
 * window (l1 = the largest sum of |taps| of a phase). The block is walked in chunks of CHUNK new
 * samples; a chunk whose inputs (its own samples and the 11 before) are all below floor / l1 is
 * skipped. Skipped values are provably <= floor, so the maximum is the same with or without skipping,
 * and the same for every block size.
 */
function peak4(buf: Float64Array, frames: number, f: FoldedFilterTaps, chunkMax: Float64Array, state: Float64Array, kernel: WasmPeak4 | null, bufAt: number): void {
  const s0 = f.sym0;
  const a0 = f.anti0;
  const s1 = f.sym1;
  const a1 = f.anti1;
  const c00 = s0[0]!, c01 = s0[1]!, c02 = s0[2]!, c03 = s0[3]!, c04 = s0[4]!, c05 = s0[5]!;
  const d00 = a0[0]!, d01 = a0[1]!, d02 = a0[2]!, d03 = a0[3]!, d04 = a0[4]!, d05 = a0[5]!;
  const c10 = s1[0]!, c11 = s1[1]!, c12 = s1[2]!, c13 = s1[3]!, c14 = s1[4]!, c15 = s1[5]!;
  const d10 = a1[0]!, d11 = a1[1]!, d12 = a1[2]!, d13 = a1[3]!, d14 = a1[4]!, d15 = a1[5]!;
  const l1 = f.l1 * (1 + 1e-12);
  let peak = state[T_BLOCK_PEAK]!;
  let previousMax = 0;
  for (let i = 0; i < ITU_TAPS - 1; i++) {
    const a = buf[i]! < 0 ? -buf[i]! : buf[i]!;
    if (a > previousMax) previousMax = a;
  }
  for (let start = 0, chunk = 0; start < frames; start += CHUNK, chunk++) {
    const own = chunkMax[chunk]!;
    const reach = own > previousMax ? own : previousMax;
    previousMax = own;
    if (reach * l1 <= peak) continue;
    const end = start + CHUNK < frames ? start + CHUNK : frames;
    if (kernel !== null) {
      kernel.peak[0] = peak;
      kernel.run(bufAt, start, end);
      peak = kernel.peak[0]!;
      continue;
    }
    for (let j = start; j < end; j++) {
      const x0 = buf[j]!, x1 = buf[j + 1]!, x2 = buf[j + 2]!, x3 = buf[j + 3]!, x4 = buf[j + 4]!, x5 = buf[j + 5]!;
      const x6 = buf[j + 6]!, x7 = buf[j + 7]!, x8 = buf[j + 8]!, x9 = buf[j + 9]!, x10 = buf[j + 10]!, x11 = buf[j + 11]!;
      const p0 = x0 + x11, p1 = x1 + x10, p2 = x2 + x9, p3 = x3 + x8, p4 = x4 + x7, p5 = x5 + x6;
      const m0 = x0 - x11, m1 = x1 - x10, m2 = x2 - x9, m3 = x3 - x8, m4 = x4 - x7, m5 = x5 - x6;
      const A = c00 * p0 + c01 * p1 + c02 * p2 + c03 * p3 + c04 * p4 + c05 * p5;
      const B = d00 * m0 + d01 * m1 + d02 * m2 + d03 * m3 + d04 * m4 + d05 * m5;
      const C = c10 * p0 + c11 * p1 + c12 * p2 + c13 * p3 + c14 * p4 + c15 * p5;
      const D = d10 * m0 + d11 * m1 + d12 * m2 + d13 * m3 + d14 * m4 + d15 * m5;
      const e = (A < 0 ? -A : A) + (B < 0 ? -B : B);
      const g = (C < 0 ? -C : C) + (D < 0 ? -D : D);
      const h = e > g ? e : g;
      if (h > peak) peak = h;
    }
  }
  state[T_BLOCK_PEAK] = peak;
}

/**
 * Largest |half-sample value| of the 2x interpolator over the windows buf[j..j+2h-1]: the point between
 * buf[j+h-1] and buf[j+h], h = g.length. Raises state[T_BLOCK_PEAK].
 */
function peak2(buf: Float64Array, frames: number, g: Float64Array, state: Float64Array): void {
  const h = g.length;
  let peak = state[T_BLOCK_PEAK]!;
  for (let j = 0; j < frames; j++) {
    const mid = j + h;
    let y = 0;
    for (let k = 0; k < h; k++) y += g[k]! * (buf[mid - 1 - k]! + buf[mid + k]!);
    const a = y < 0 ? -y : y;
    if (a > peak) peak = a;
  }
  state[T_BLOCK_PEAK] = peak;
}
