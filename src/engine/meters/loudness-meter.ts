import { channelWeights } from './channel-weights.ts';
import { kWeightingCoefficients } from './k-weighting.ts';
import { powerToLufs } from './levels.ts';
import { LoudnessHistogram } from './loudness-histogram.ts';

/** What `LoudnessMeter.read()` fills in. LUFS / LU; silence is -Infinity (LRA of silence is 0). */
export interface LoudnessReading {
  /** Momentary loudness (400 ms window) ending at the last sample processed. */
  momentaryLufs: number;
  /** Short-term loudness (3 s window) ending at the last sample processed. */
  shortTermLufs: number;
  /** Highest momentary loudness since the previous read(), over every sample position. */
  momentaryMaxSinceReadLufs: number;
  shortTermMaxSinceReadLufs: number;
  /** Highest momentary / short-term loudness since reset() (the programme maxima of Tech 3341). */
  momentaryMaxLufs: number;
  shortTermMaxLufs: number;
  /** Gated integrated loudness since reset() (BS.1770-4 §2.8). */
  integratedLufs: number;
  /** Loudness range since reset() (EBU Tech 3342). */
  loudnessRangeLu: number;
}

export function emptyLoudnessReading(): LoudnessReading {
  return {
    momentaryLufs: -Infinity,
    shortTermLufs: -Infinity,
    momentaryMaxSinceReadLufs: -Infinity,
    shortTermMaxSinceReadLufs: -Infinity,
    momentaryMaxLufs: -Infinity,
    shortTermMaxLufs: -Infinity,
    integratedLufs: -Infinity,
    loudnessRangeLu: 0,
  };
}

export interface LoudnessMeterOptions {
  /** Per-channel weights G_i; default from the channel count (see channel-weights.ts). */
  readonly weights?: ArrayLike<number>;
}

// Indices into the scalar state.
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
const S_COUNT = 17;

/** The filter runs in stream-aligned chunks of this many samples; tiny states are flushed between. */
const FLUSH_INTERVAL_SAMPLES = 1024;
/** Filter state below this magnitude (-400 dB) is set to zero so it never decays into denormals. */
const STATE_FLUSH = 1e-20;

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
  /** Per channel: z1 z2 of the shelf, z1 z2 of the high-pass (transposed direct form II). */
  #state = new Float64Array(0);
  /** Weighted K-filtered squares of the current block. */
  #power = new Float64Array(0);
  #ring = new Float64Array(0);
  /** Zeros standing in for a channel the caller did not pass. */
  #silent = new Float32Array(0);
  /** Scalar state, in a typed array so that updating it on the audio thread never boxes a double. */
  readonly #s = new Float64Array(S_COUNT);
  readonly #blocks = new LoudnessHistogram();
  readonly #shortTerms = new LoudnessHistogram();

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
    this.#state = new Float64Array(channels * 4);
    this.#power = new Float64Array(maxBlock);
    this.#ring = new Float64Array(this.#nS);
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
    this.reset();
    const n = Math.min(this.#maxBlock, 4096);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.1 * Math.sin(i * 0.1);
    x[1] = Number.NaN;
    const input = Array.from({ length: this.#channels }, () => x);
    const r = emptyLoudnessReading();
    for (let done = 0; done < this.#sampleRate / 2; done += n) {
      this.process(input, n);
      this.read(r);
    }
    this.#s[S_NON_FINITE] = 0;
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
      if (this.#channels > 2) this.#filterBlock(input, done, n, 2);
      this.#filterAndSlide(input, done, n);
      done += n;
    }
  }

  /** Fill `out` with the current values; the "since read" maxima re-arm. */
  read(out: LoudnessReading): void {
    const s = this.#s;
    if (s[S_MAX_M_READ]! > s[S_MAX_M]!) s[S_MAX_M] = s[S_MAX_M_READ]!;
    if (s[S_MAX_S_READ]! > s[S_MAX_S]!) s[S_MAX_S] = s[S_MAX_S_READ]!;
    this.#updateGated();
    out.momentaryLufs = powerToLufs(s[S_SUM_M]! / this.#nM);
    out.shortTermLufs = powerToLufs(s[S_SUM_S]! / this.#nS);
    out.momentaryMaxSinceReadLufs = powerToLufs(s[S_MAX_M_READ]! / this.#nM);
    out.shortTermMaxSinceReadLufs = powerToLufs(s[S_MAX_S_READ]! / this.#nS);
    out.momentaryMaxLufs = powerToLufs(s[S_MAX_M]! / this.#nM);
    out.shortTermMaxLufs = powerToLufs(s[S_MAX_S]! / this.#nS);
    out.integratedLufs = s[S_INTEGRATED]!;
    out.loudnessRangeLu = s[S_RANGE]!;
    s[S_MAX_M_READ] = 0;
    s[S_MAX_S_READ] = 0;
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
    s[S_INTEGRATED] = powerToLufs(this.#blocks.result[0]!);
    this.#shortTerms.range(-20, 0.1, 0.95);
    s[S_RANGE] = this.#shortTerms.result[0]!;
  }

  /** K-filter channels `from`.. into #power (the first of them writes, the others add). */
  #filterBlock(input: readonly Float32Array[], offset: number, frames: number, from: number): void {
    const power = this.#power;
    const coef = this.#coef;
    const state = this.#state;
    let bad = 0;
    power.fill(0, 0, frames);
    for (let c = from; c < this.#channels; c++) {
      const x = input[c];
      if (x === undefined) continue;
      const g = this.#weights[c]!;
      const base = c * 10;
      const sb0 = coef[base]!;
      const sb1 = coef[base + 1]!;
      const sb2 = coef[base + 2]!;
      const sa1 = coef[base + 3]!;
      const sa2 = coef[base + 4]!;
      const hb0 = coef[base + 5]!;
      const hb1 = coef[base + 6]!;
      const hb2 = coef[base + 7]!;
      const ha1 = coef[base + 8]!;
      const ha2 = coef[base + 9]!;
      let s1 = state[c * 4]!;
      let s2 = state[c * 4 + 1]!;
      let h1 = state[c * 4 + 2]!;
      let h2 = state[c * 4 + 3]!;
      // Stream-aligned flush points keep the result independent of the block size.
      let untilFlush = FLUSH_INTERVAL_SAMPLES - (this.#s[S_SAMPLES]! % FLUSH_INTERVAL_SAMPLES);
      let i = 0;
      while (i < frames) {
        const end = frames - i < untilFlush ? frames : i + untilFlush;
        untilFlush -= end - i;
        for (; i < end; i++) {
          let v = x[offset + i]!;
          if (v - v !== 0) {
            v = 0;
            bad++;
          }
          const y = sb0 * v + s1;
          s1 = sb1 * v - sa1 * y + s2;
          s2 = sb2 * v - sa2 * y;
          const z = hb0 * y + h1;
          h1 = hb1 * y - ha1 * z + h2;
          h2 = hb2 * y - ha2 * z;
          power[i] = power[i]! + g * z * z;
        }
        if (untilFlush === 0) {
          untilFlush = FLUSH_INTERVAL_SAMPLES;
          if (s1 < STATE_FLUSH && s1 > -STATE_FLUSH) s1 = 0;
          if (s2 < STATE_FLUSH && s2 > -STATE_FLUSH) s2 = 0;
          if (h1 < STATE_FLUSH && h1 > -STATE_FLUSH) h1 = 0;
          if (h2 < STATE_FLUSH && h2 > -STATE_FLUSH) h2 = 0;
        }
      }
      state[c * 4] = s1;
      state[c * 4 + 1] = s2;
      state[c * 4 + 2] = h1;
      state[c * 4 + 3] = h2;
    }
    this.#s[S_NON_FINITE] = this.#s[S_NON_FINITE]! + bad;
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
    let ls1 = state[0]!, ls2 = state[1]!, lh1 = state[2]!, lh2 = state[3]!;
    let rs1 = stereo ? state[4]! : 0, rs2 = stereo ? state[5]! : 0, rh1 = stereo ? state[6]! : 0, rh2 = stereo ? state[7]! : 0;
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
    state[1] = ls2;
    state[2] = lh1;
    state[3] = lh2;
    if (stereo) {
      state[4] = rs1;
      state[5] = rs2;
      state[6] = rh1;
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
