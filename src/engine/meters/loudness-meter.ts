import { channelWeights } from './channel-weights.ts';
import { FLUSH_INTERVAL_SAMPLES as K_FLUSH_INTERVAL_SAMPLES, kFilterChannels, STATE_FLUSH as K_STATE_FLUSH } from './k-filter-channels.ts';
import { kWeightingCoefficients } from './k-weighting.ts';
import { powerToLufs, powerToLufsAt } from './levels.ts';
import type { KernelBackend, KernelChoice } from '../dsp/wasm-kernel.ts';
import { LOUDNESS_KERNEL_CHUNK, LoudnessKernel } from './loudness-kernel.ts';
import { LoudnessHistogram } from './loudness-histogram.ts';
import { emptyLoudnessReading, type LoudnessReading } from './loudness-reading.ts';

export { emptyLoudnessReading, type LoudnessReading } from './loudness-reading.ts';

export interface LoudnessMeterOptions {
  /** Per-channel weights G_i; default from the channel count (see channel-weights.ts). */
  readonly weights?: ArrayLike<number>;
}

// Indices into the scalar state (dsp/wasm/loudness-k.wat reads the first eleven at 192 + 8 index).
const S_WRITE = 0;
const S_SUM_M = 1;
const S_SUM_S = 2;
const S_FRESH_M = 3;
const S_FRESH_S = 4;
const S_MAX_M_READ = 5;
const S_MAX_S_READ = 6;
const S_MAX_M = 7;
const S_MAX_S = 8;
const S_HOP_LEFT = 9;
const S_HOPS = 10;
const S_SAMPLES = 11;
const S_NON_FINITE = 12;
/** Integrated loudness and LRA, recomputed when a 100 ms boundary has passed since the last time. */
const S_INTEGRATED = 13;
const S_RANGE = 14;
const S_GATED_AT_HOP = 15;
/** Hands a block power to the histograms without passing a double through a call. */
const S_BLOCK = 16;
/** read()'s scratch: a level (see #level). */
const S_LEVEL = 17;
/** Slots in use (at most LOUDNESS_KERNEL_SCALARS: the kernel's memory reserves that many). */
const S_COUNT = 18;

// Imported bindings are property reads under tsx/vite: module constants for the sample loops.
const FLUSH_INTERVAL_SAMPLES = K_FLUSH_INTERVAL_SAMPLES;
const STATE_FLUSH = K_STATE_FLUSH;
/** 100 ms boundaries run at prepare() (see #warmUp): about what V8 needs before it optimises them. */
const WARM_UP_HOPS = 3000;

/**
 * EBU Mode loudness (EBU Tech 3341 / ITU-R BS.1770-4): momentary, short-term, integrated, LRA.
 *
 * Why a per-sample sliding window: Tech 3341 cases 13 and 14 put a 400 ms burst anywhere relative to
 * the 100 ms gating grid, and the maximum momentary loudness must still read the burst's level. A
 * meter that evaluates M only every 100 ms (or every few ms) under-reads by up to
 * 10 log10(1 - hop / 400 ms). Here the K-weighted, channel-weighted square of every sample enters a
 * 3 s ring; the 400 ms and 3 s sums slide one sample at a time (one add and one subtract each) and
 * their maxima are compared at every sample, so the maxima are exact for any alignment and any block
 * size. Rounding drift of the running sums is removed by resynchronising them with a freshly
 * accumulated sum every 400 ms / 3 s (that fresh sum covers exactly the window at that instant).
 *
 * The gating blocks for the integrated loudness (400 ms, 75 % overlap, BS.1770-4 §2.8) and the
 * short-term values for LRA (10 Hz, EBU Tech 3342 §2) are taken from the same sums at every 100 ms
 * boundary of the stream.
 *
 * The state lives in the memory of a WebAssembly kernel (loudness-kernel.ts) that runs the per-sample
 * work of channels 0 and 1 (`kernel: 'native'` or `'wasm'`) with the same arithmetic as the JS
 * reference (`kernel: 'js'`), to the bit; channels beyond the first two are K-filtered in JS.
 *
 * prepare() allocates; process() and read() do not.
 */
export class LoudnessMeter {
  #sampleRate = 0;
  #maxBlock = 0;
  #channels = 0;
  #hop = 0;
  #nM = 0;
  #nS = 0;
  #weights = new Float64Array(0);
  /** Per channel: b0 b1 b2 a1 a2 of the shelf, then of the high-pass. */
  #coef = new Float64Array(0);
  /**
   * z1 z2 of the shelf, z1 z2 of the high-pass (transposed direct form II): channels 0 and 1
   * interleaved (s1 of 0, s1 of 1, s2 of 0, ...: the kernel's lanes), then four per channel at 4 c.
   */
  #state = new Float64Array(0);
  /** Weighted K-filtered squares of the current block (channels beyond the first two). */
  #power = new Float64Array(0);
  #ring = new Float64Array(0);
  /** Zeros standing in for a channel the caller did not pass. */
  #silent = new Float32Array(0);
  /** Scalar state, in a typed array so that updating it on the audio thread never boxes a double. */
  #s = new Float64Array(S_COUNT);
  #kernel: LoudnessKernel | null = null;
  readonly #blocks = new LoudnessHistogram();
  readonly #shortTerms = new LoudnessHistogram();
  /**
   * 'native' (default; 'wasm' where the addon is not built) or 'wasm': channels 0 and 1 run through
   * that kernel (dsp/wasm/loudness-k.wat, native/loudness_k.cc; the same readings to the bit);
   * 'js': the JS reference. Native or wasm is chosen at prepare(); 'js' may be switched between blocks.
   */
  kernel: KernelChoice = 'native';

  /** What runs the kernel work now: 'js', or the kernel prepared for 'native' / 'wasm' (null before prepare()). */
  get backend(): KernelBackend | 'js' | null {
    return this.kernel === 'js' ? 'js' : (this.#kernel?.backend ?? null);
  }

  get sampleRate(): number {
    return this.#sampleRate;
  }

  get channels(): number {
    return this.#channels;
  }

  /** Samples (frames) processed since reset(). */
  get processedFrames(): number {
    return this.#s[S_SAMPLES]!;
  }

  /** NaN/Inf input samples replaced by 0, since prepare(). */
  get nonFiniteSamples(): number {
    return this.#s[S_NON_FINITE]!;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number, options: LoudnessMeterOptions = {}): void {
    if (!Number.isInteger(sampleRate) || sampleRate % 10 !== 0) {
      throw new RangeError(`loudness meter: sample rate ${sampleRate} Hz is not a whole number of 100 ms blocks`);
    }
    if (!Number.isInteger(maxBlock) || maxBlock < 1) throw new RangeError(`loudness meter: maxBlock ${maxBlock}`);
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new RangeError(`loudness meter: ${channels} channels`);
    const k = kWeightingCoefficients(sampleRate);
    this.#sampleRate = sampleRate;
    this.#maxBlock = maxBlock;
    this.#channels = channels;
    this.#hop = sampleRate / 10;
    this.#nM = 4 * this.#hop;
    this.#nS = 30 * this.#hop;
    const weights = options.weights ?? channelWeights(channels);
    if (weights.length !== channels) throw new RangeError(`loudness meter: ${weights.length} weights for ${channels} channels`);
    this.#weights = Float64Array.from(weights);
    this.#coef = new Float64Array(channels * 10);
    for (let c = 0; c < channels; c++) {
      this.#coef.set([k.shelf.b0, k.shelf.b1, k.shelf.b2, k.shelf.a1, k.shelf.a2, k.highPass.b0, k.highPass.b1, k.highPass.b2, k.highPass.a1, k.highPass.a2], c * 10);
    }
    const kernel = new LoudnessKernel({
      k,
      weight0: this.#weights[0]!,
      weight1: channels > 1 ? this.#weights[1]! : 0,
      channels,
      maxBlock,
      momentarySamples: this.#nM,
      shortTermSamples: this.#nS,
      hopSamples: this.#hop,
      choice: this.kernel,
    });
    this.#kernel = kernel;
    this.#state = kernel.state;
    this.#power = kernel.power;
    this.#ring = kernel.ring;
    this.#s = kernel.scalars;
    this.#silent = new Float32Array(maxBlock);
    this.#s[S_NON_FINITE] = 0;
    this.#warmUp();
    this.reset();
  }

  /**
   * Measure half a second of made-up signal (every path: flush points, 100 ms boundaries, gating
   * blocks, a NaN) before the real one, then forget it. V8 otherwise compiles the sample loop on-stack
   * in the middle of the first block, before the code around it has run, and bails out of it again.
   */
  #warmUp(): void {
    const kernel = this.kernel;
    const n = Math.min(this.#maxBlock, 4096);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.1 * Math.sin(i * 0.1);
    x[1] = Number.NaN;
    const input = Array.from({ length: this.#channels }, () => x);
    const r = emptyLoudnessReading();
    for (const k of ['js', kernel === 'js' ? 'native' : kernel] as const) {
      this.kernel = k;
      this.reset();
      for (let done = 0; done < this.#sampleRate / 2; done += n) {
        this.process(input, n);
        this.read(r);
      }
    }
    this.kernel = kernel;
    // The 100 ms boundary work and the gated measures run only ten times a second, so V8 would leave
    // them for minutes in its baseline tiers, which box every double: run them on spread levels until
    // it has optimised them (reset() then forgets these blocks).
    const s = this.#s;
    for (let i = 0; i < WARM_UP_HOPS; i++) {
      s[S_SUM_M] = this.#nM * 1e-4 * (1 + (i % 64));
      s[S_SUM_S] = this.#nS * 1e-4 * (1 + (i % 37));
      this.#endOfHop();
      this.#updateGated();
    }
    s[S_NON_FINITE] = 0;
  }

  /** Start a new programme: filters, windows, maxima, integrated and LRA all cleared. */
  reset(): void {
    const nonFinite = this.#s[S_NON_FINITE]!;
    this.#state.fill(0);
    this.#ring.fill(0);
    this.#s.fill(0);
    this.#s[S_NON_FINITE] = nonFinite;
    this.#s[S_HOP_LEFT] = this.#hop;
    this.#s[S_INTEGRATED] = -Infinity;
    this.#s[S_GATED_AT_HOP] = -1;
    this.#blocks.clear();
    this.#shortTerms.clear();
  }

  process(input: readonly Float32Array[], frames: number): void {
    let done = 0;
    while (done < frames) {
      const n = Math.min(frames - done, this.#maxBlock);
      // Channels beyond the first two are filtered into #power first; the first two are filtered in
      // the same loop that slides the windows (one pass, no intermediate array for stereo).
      if (this.#channels > 2) {
        const bad = kFilterChannels(input, done, n, 2, this.#coef, this.#weights, this.#state, this.#power, this.#s, S_SAMPLES);
        this.#s[S_NON_FINITE] = this.#s[S_NON_FINITE]! + bad;
      }
      if (this.kernel !== 'js') this.#slideWasm(input, done, n);
      else this.#filterAndSlide(input, done, n);
      done += n;
    }
  }

  /** Fill `out` with the current values; the "since read" maxima re-arm. */
  read(out: LoudnessReading): void {
    const s = this.#s;
    if (s[S_MAX_M_READ]! > s[S_MAX_M]!) s[S_MAX_M] = s[S_MAX_M_READ]!;
    if (s[S_MAX_S_READ]! > s[S_MAX_S]!) s[S_MAX_S] = s[S_MAX_S_READ]!;
    this.#updateGated();
    this.#level(S_SUM_M, this.#nM);
    out.momentaryLufs = s[S_LEVEL]!;
    this.#level(S_SUM_S, this.#nS);
    out.shortTermLufs = s[S_LEVEL]!;
    this.#level(S_MAX_M_READ, this.#nM);
    out.momentaryMaxSinceReadLufs = s[S_LEVEL]!;
    this.#level(S_MAX_S_READ, this.#nS);
    out.shortTermMaxSinceReadLufs = s[S_LEVEL]!;
    this.#level(S_MAX_M, this.#nM);
    out.momentaryMaxLufs = s[S_LEVEL]!;
    this.#level(S_MAX_S, this.#nS);
    out.shortTermMaxLufs = s[S_LEVEL]!;
    out.integratedLufs = s[S_INTEGRATED]!;
    out.loudnessRangeLu = s[S_RANGE]!;
    s[S_MAX_M_READ] = 0;
    s[S_MAX_S_READ] = 0;
  }

  /**
   * #s[S_LEVEL] = the loudness of the sum #s[index] over a window of `samples`: through the state
   * array, because a double returned from a call that is not inlined is boxed on the heap.
   */
  #level(index: number, samples: number): void {
    const s = this.#s;
    s[S_LEVEL] = s[index]! / samples;
    powerToLufsAt(s, S_LEVEL);
  }

  /** Momentary loudness of the 400 ms ending at the last sample processed. */
  momentaryLufs(): number {
    return powerToLufs(this.#s[S_SUM_M]! / this.#nM);
  }

  shortTermLufs(): number {
    return powerToLufs(this.#s[S_SUM_S]! / this.#nS);
  }

  /** BS.1770-4 §2.8: absolute gate -70 LUFS, relative gate -10 LU. */
  integratedLufs(): number {
    this.#updateGated();
    return this.#s[S_INTEGRATED]!;
  }

  /** EBU Tech 3342: short-term values at 10 Hz, gates -70 LUFS / -20 LU, 10th to 95th percentile. */
  loudnessRangeLu(): number {
    this.#updateGated();
    return this.#s[S_RANGE]!;
  }

  /** The gated measures change only at 100 ms boundaries: recompute them at most once per boundary. */
  #updateGated(): void {
    const s = this.#s;
    if (s[S_GATED_AT_HOP] === s[S_HOPS]) return;
    s[S_GATED_AT_HOP] = s[S_HOPS]!;
    this.#blocks.gatedMeanPower(-10);
    s[S_INTEGRATED] = this.#blocks.result[0]!;
    powerToLufsAt(s, S_INTEGRATED);
    this.#shortTerms.range(-20, 0.1, 0.95);
    s[S_RANGE] = this.#shortTerms.result[0]!;
  }

  /**
   * K-filter channels 0 and 1 (a mono input runs channel 0 twice with the second weight 0), add the
   * power of the other channels from #power when there are more, and slide both windows, sample by
   * sample. The block is cut at the stream's 100 ms boundaries (gating blocks, resync) and at its
   * 1024-sample flush points, so the result does not depend on how the caller cuts its blocks.
   */
  #filterAndSlide(input: readonly Float32Array[], offset: number, frames: number): void {
    const st = this.#s;
    const coef = this.#coef;
    const state = this.#state;
    const ring = this.#ring;
    const power = this.#power;
    const extra = this.#channels > 2;
    const stereo = this.#channels > 1;
    // A channel the caller did not pass reads as silence.
    const xl = input[0] ?? this.#silent;
    const xr = (stereo ? input[1] : input[0]) ?? this.#silent;
    const ol = xl === this.#silent ? 0 : offset;
    const or = xr === this.#silent ? 0 : offset;
    const gl = this.#weights[0]!;
    const gr = stereo ? this.#weights[1]! : 0;
    // Both channels share the coefficients (they are per instance, the same for every channel).
    const sb0 = coef[0]!, sb1 = coef[1]!, sb2 = coef[2]!, sa1 = coef[3]!, sa2 = coef[4]!;
    const hb0 = coef[5]!, hb1 = coef[6]!, hb2 = coef[7]!, ha1 = coef[8]!, ha2 = coef[9]!;
    let ls1 = state[0]!, ls2 = state[2]!, lh1 = state[4]!, lh2 = state[6]!;
    let rs1 = stereo ? state[1]! : 0, rs2 = stereo ? state[3]! : 0, rh1 = stereo ? state[5]! : 0, rh2 = stereo ? state[7]! : 0;
    const nS = this.#nS;
    const nM = this.#nM;
    let w = st[S_WRITE]!;
    let sumM = st[S_SUM_M]!;
    let sumS = st[S_SUM_S]!;
    let freshM = st[S_FRESH_M]!;
    let freshS = st[S_FRESH_S]!;
    let maxM = st[S_MAX_M_READ]!;
    let maxS = st[S_MAX_S_READ]!;
    let hopLeft = st[S_HOP_LEFT]!;
    let untilFlush = FLUSH_INTERVAL_SAMPLES - (st[S_SAMPLES]! % FLUSH_INTERVAL_SAMPLES);
    let bad = 0;
    let i = 0;
    while (i < frames) {
      let n = frames - i;
      if (hopLeft < n) n = hopLeft;
      if (untilFlush < n) n = untilFlush;
      const end = i + n;
      // The 400 ms window starts nM samples behind the write position; both wrap only at hop boundaries.
      let m = w >= nM ? w - nM : w - nM + nS;
      for (; i < end; i++) {
        let a = xl[ol + i]!;
        let b = xr[or + i]!;
        if (a - a !== 0) {
          a = 0;
          bad++;
        }
        if (b - b !== 0) {
          b = 0;
          if (stereo) bad++;
        }
        const ya = sb0 * a + ls1;
        ls1 = sb1 * a - sa1 * ya + ls2;
        ls2 = sb2 * a - sa2 * ya;
        const yb = sb0 * b + rs1;
        rs1 = sb1 * b - sa1 * yb + rs2;
        rs2 = sb2 * b - sa2 * yb;
        const za = hb0 * ya + lh1;
        lh1 = hb1 * ya - ha1 * za + lh2;
        lh2 = hb2 * ya - ha2 * za;
        const zb = hb0 * yb + rh1;
        rh1 = hb1 * yb - ha1 * zb + rh2;
        rh2 = hb2 * yb - ha2 * zb;
        let p = gl * za * za + gr * zb * zb;
        if (extra) p += power[i]!;
        const oldS = ring[w]!;
        const oldM = ring[m]!;
        ring[w] = p;
        sumS += p - oldS;
        sumM += p - oldM;
        freshS += p;
        freshM += p;
        if (sumM > maxM) maxM = sumM;
        if (sumS > maxS) maxS = sumS;
        w++;
        m++;
      }
      untilFlush -= n;
      if (untilFlush === 0) {
        untilFlush = FLUSH_INTERVAL_SAMPLES;
        if (ls1 < STATE_FLUSH && ls1 > -STATE_FLUSH) ls1 = 0;
        if (ls2 < STATE_FLUSH && ls2 > -STATE_FLUSH) ls2 = 0;
        if (lh1 < STATE_FLUSH && lh1 > -STATE_FLUSH) lh1 = 0;
        if (lh2 < STATE_FLUSH && lh2 > -STATE_FLUSH) lh2 = 0;
        if (rs1 < STATE_FLUSH && rs1 > -STATE_FLUSH) rs1 = 0;
        if (rs2 < STATE_FLUSH && rs2 > -STATE_FLUSH) rs2 = 0;
        if (rh1 < STATE_FLUSH && rh1 > -STATE_FLUSH) rh1 = 0;
        if (rh2 < STATE_FLUSH && rh2 > -STATE_FLUSH) rh2 = 0;
      }
      hopLeft -= n;
      if (hopLeft === 0) {
        hopLeft = this.#hop;
        if (w === nS) w = 0;
        st[S_SUM_M] = sumM;
        st[S_SUM_S] = sumS;
        st[S_FRESH_M] = freshM;
        st[S_FRESH_S] = freshS;
        this.#endOfHop();
        sumM = st[S_SUM_M]!;
        sumS = st[S_SUM_S]!;
        freshM = st[S_FRESH_M]!;
        freshS = st[S_FRESH_S]!;
      }
    }
    state[0] = ls1;
    state[2] = ls2;
    state[4] = lh1;
    state[6] = lh2;
    if (stereo) {
      state[1] = rs1;
      state[3] = rs2;
      state[5] = rh1;
      state[7] = rh2;
    }
    st[S_WRITE] = w;
    st[S_SUM_M] = sumM;
    st[S_SUM_S] = sumS;
    st[S_FRESH_M] = freshM;
    st[S_FRESH_S] = freshS;
    st[S_MAX_M_READ] = maxM;
    st[S_MAX_S_READ] = maxS;
    st[S_HOP_LEFT] = hopLeft;
    st[S_NON_FINITE] = st[S_NON_FINITE]! + bad;
    st[S_SAMPLES] = st[S_SAMPLES]! + frames;
  }

  /**
   * What #filterAndSlide does, through the WASM kernel: the input is copied into the kernel's memory
   * (a native copy when the caller's arrays fit), the kernel runs up to LOUDNESS_KERNEL_CHUNK frames
   * and reports the 100 ms boundaries it passed, whose block powers then go to the histograms here in
   * the same order (nothing reads them in between).
   */
  #slideWasm(input: readonly Float32Array[], offset: number, frames: number): void {
    const k = this.#kernel!;
    const st = this.#s;
    const stereo = this.#channels > 1;
    const extra = this.#channels > 2;
    const xl = input[0];
    const events = k.events;
    const bad = k.nonFinite;
    const state = k.state;
    let done = 0;
    while (done < frames) {
      const n = frames - done < LOUDNESS_KERNEL_CHUNK ? frames - done : LOUDNESS_KERNEL_CHUNK;
      k.stage(0, xl, offset + done, n);
      if (stereo) k.stage(1, input[1], offset + done, n);
      else {
        // Mono: channel 0 feeds the second lane with weight 0, whose filter starts from rest at
        // every block, as in the JS path.
        state[1] = 0;
        state[3] = 0;
        state[5] = 0;
        state[7] = 0;
      }
      const hops = st[S_HOPS]!;
      const passed = k.run(n, FLUSH_INTERVAL_SAMPLES - (st[S_SAMPLES]! % FLUSH_INTERVAL_SAMPLES), !stereo, extra ? done : -1);
      for (let e = 0; e < passed; e++) {
        // #endOfHop's complete-window rules: the e-th boundary of this run is hop number hops + e + 1.
        if (hops + e + 1 >= 4) this.#blocks.addFrom(events, 2 * e);
        if (hops + e + 1 >= 30) this.#shortTerms.addFrom(events, 2 * e + 1);
      }
      st[S_NON_FINITE] = st[S_NON_FINITE]! + bad[0]! + (stereo ? bad[1]! : 0);
      bad[0] = 0;
      bad[1] = 0;
      st[S_SAMPLES] = st[S_SAMPLES]! + n;
      done += n;
    }
  }


  /**
   * Every 100 ms of stream time: resynchronise the running sums, record a gating block (BS.1770-4
   * §2.8: 400 ms, 75 % overlap, complete blocks only) and a short-term value for LRA (EBU Tech 3342
   * §2: 10 Hz, complete 3 s windows only). Works on the sums in #s.
   */
  #endOfHop(): void {
    const st = this.#s;
    const hops = st[S_HOPS]! + 1;
    st[S_HOPS] = hops;
    if (hops % 4 === 0) {
      st[S_SUM_M] = st[S_FRESH_M]!;
      st[S_FRESH_M] = 0;
    }
    if (hops % 30 === 0) {
      st[S_SUM_S] = st[S_FRESH_S]!;
      st[S_FRESH_S] = 0;
    }
    if (st[S_SUM_M]! < 0) st[S_SUM_M] = 0;
    if (st[S_SUM_S]! < 0) st[S_SUM_S] = 0;
    st[S_BLOCK] = st[S_SUM_M]! / this.#nM;
    if (hops >= 4) this.#blocks.addFrom(st, S_BLOCK);
    st[S_BLOCK] = st[S_SUM_S]! / this.#nS;
    if (hops >= 30) this.#shortTerms.addFrom(st, S_BLOCK);
  }

}
