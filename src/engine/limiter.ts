import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { Ramp, msToSamples } from './dsp/ramp.ts';
import { TRUE_PEAK_TAPS, truePeakCoefficients } from './dsp/true-peak-filter.ts';
import { instantiateKernel } from './dsp/wasm-kernel.ts';
import { dbToGain, type Processor, type ProcessorOptions } from './processor.ts';

const P_CEILING = 0;
const P_LOOKAHEAD = 1;
const P_RELEASE = 2;
const P_DRIVE = 3;

export const MAX_LOOKAHEAD_MS = 5;
/** Extra samples of hold on both sides of every true-peak region (the gain is not flat across the filter's support). */
const MARGIN = 3;
/**
 * Detection threshold below the ceiling. The output is measured with the same interpolator as
 * the detector but after a time-varying gain; this absorbs the difference (measured < 0.02 dB on
 * the test corpus, see test/engine/limiter.test.ts).
 */
const SAFETY_DB = 0.02;
const SAFETY_GAIN = Math.pow(10, -SAFETY_DB / 20);
// Imported bindings are property reads under tsx/vite: copy them into module constants for the hot loop.
const TAPS = TRUE_PEAK_TAPS;
const FORWARD = TAPS - 1;

/** Samples per block of the quiet-region test (see process()). */
const CHUNK = 16;

function maxPhaseL1(fir: Float64Array): number {
  let best = 1;
  for (let p = 0; p < 4; p++) {
    let s = 0;
    for (let k = 0; k < TAPS; k++) s += Math.abs(fir[p * TAPS + k] as number);
    if (s > best) best = s;
  }
  return best;
}

/** (h[k] + h[11-k]) / 2 and (h[k] - h[11-k]) / 2, k = 0..5, of phases 0 and 1. */
function foldPhases(fir: Float64Array): Float64Array {
  const out = new Float64Array(24);
  for (let ph = 0; ph < 2; ph++) {
    for (let k = 0; k < 6; k++) {
      const a = fir[ph * TAPS + k] as number;
      const b = fir[ph * TAPS + TAPS - 1 - k] as number;
      out[ph * 12 + k] = (a + b) / 2;
      out[ph * 12 + 6 + k] = (a - b) / 2;
    }
  }
  return out;
}

/** The WASM detector (dsp/wasm/limiter-detect.wat): history byte address, peaks byte address, samples. */
type DetectKernel = (x: number, peaks: number, count: number) => void;
/** Byte offset of #peak in the WASM memory (after the 24 splatted coefficients). */
const WASM_PEAKS = 384;

const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

/**
 * True-peak brickwall limiter with lookahead (constant latency).
 *
 * Detection: every input sample, the BS.1770-4 Annex 2 interpolator (4 phases x 12 taps) gives
 * the inter-sample peaks between x[n-6] and x[n-5]; g_req[n] = min(1, ceiling / peak) over all
 * channels (linked, so the image never shifts).
 * Gain: a sliding minimum of g_req over a window long enough that every output sample whose
 * interpolation support touches a peak region is held at or below that region's g_req, then an
 * exponential release, then a moving average over the lookahead L (a linear attack ramp of
 * length L ending exactly at the peak). The average of values that are all <= g is <= g, which
 * is what makes the ceiling hold; see the index arithmetic in `#configure`.
 * The audio is delayed by D = Lmax + 11 + MARGIN samples whatever the lookahead setting, so the
 * chain's latency never changes; the lookahead only sets the attack ramp (and where in the delay
 * the detector taps).
 */
export class Limiter implements Processor {
  readonly kind = 'limiter';
  readonly id: string;
  readonly params: readonly ParamSpec[];
  #latency = 0;
  #gainReductionDb = 0;
  #stateResets = 0;
  readonly #smoothingMs: number;
  readonly #fir = truePeakCoefficients();
  /** Largest sum of |taps| over the four phases: no interpolated value exceeds it times the largest |x| under the filter. */
  readonly #firL1 = maxPhaseL1(this.#fir);
  /** Phase 0 and phase 1 folded (see #detect): sym0, anti0, sym1, anti1, six taps each. */
  readonly #folded = foldPhases(this.#fir);

  #sampleRate = 48000;
  #channels = 0;
  #ceilingDbtp = -1;
  #lookaheadMs = 1.5;
  #releaseMs = 100;
  readonly #ceiling = new Ramp(dbToGain(-1));
  readonly #drive = new Ramp(1);
  #alphaRelease = 0;

  // Geometry.
  #lMax = 1;
  #l = 1;
  #delta = 0;
  #window = 1;
  #invL = 1;
  // Audio history per channel, length 2*xLen with every sample written twice (no masking in the FIR).
  #x: Float64Array[] = [];
  #xLen = 1;
  #xMask = 0;
  // g_req history, deque of indices, release/box history.
  #g = new Float64Array(1);
  #gMask = 0;
  #dq = new Float64Array(1);
  #dqMask = 0;
  #dqHead = 0;
  #dqTail = 0;
  #r = new Float64Array(1);
  #rMask = 0;
  #rPrev = 1;
  #sum = 1;
  /** Absolute sample index of the next input. */
  #n = 0;
  #pendingLookahead = false;
  #quietLimit = 0.5;
  /** Per-block scratch: true peak per sample (max over channels), gain per sample. */
  #peak = new Float64Array(0);
  #gain = new Float64Array(0);
  #detectKernel: DetectKernel | null = null;
  /** Byte address of each channel's #x in the WASM memory. */
  #xAt: number[] = [];
  /**
   * 'wasm' (default): the true-peak detector runs in WebAssembly SIMD on every sample (same peaks
   * to the bit as the JS loop where that loop interpolates; it skips quiet stretches, whose peaks
   * cannot reach the ceiling, so the output is identical); 'js': the JS reference.
   */
  kernel: 'wasm' | 'js' = 'wasm';

  constructor(options: ProcessorOptions) {
    this.id = options.id;
    this.#smoothingMs = options.smoothingMs;
    const id = this.id;
    const group = id;
    this.params = [
      defineParam({ id: `${id}.ceilingDbtp`, label: 'Limiter ceiling', kind: 'continuous', unit: 'dBTP', min: -12, max: 0, default: -1, group }),
      defineParam({ id: `${id}.lookaheadMs`, label: 'Limiter lookahead', kind: 'continuous', unit: 'ms', min: 0.5, max: MAX_LOOKAHEAD_MS, default: 1.5, group }),
      defineParam({ id: `${id}.releaseMs`, label: 'Limiter release', kind: 'continuous', unit: 'ms', min: 1, max: 1000, default: 100, taper: 'log', group }),
      defineParam({ id: `${id}.driveDb`, label: 'Limiter drive', kind: 'continuous', unit: 'dB', min: 0, max: 24, default: 0, group }),
    ];
  }

  get latencySamples(): number {
    return this.#latency;
  }

  get gainReductionDb(): number {
    return this.#gainReductionDb;
  }

  get stateResets(): number {
    return this.#stateResets;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    this.#gain = new Float64Array(maxBlock);
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#lMax = Math.ceil((MAX_LOOKAHEAD_MS * sampleRate) / 1000);
    this.#latency = this.#lMax + FORWARD + MARGIN;
    // The whole block is written before the delayed samples are read: room for both.
    this.#xLen = nextPow2(this.#latency + TAPS + maxBlock + 1);
    this.#xMask = this.#xLen - 1;
    // #peak and the histories live in the detector kernel's memory (+2 samples each: the odd-tail
    // lane reads one past).
    const xAt0 = align16(WASM_PEAKS + 8 * (maxBlock + 2));
    const stride = align16(8 * (2 * this.#xLen + 2));
    const { memory, exports } = instantiateKernel('limiter-detect', xAt0 + channels * stride);
    this.#detectKernel = exports['detect'] as DetectKernel;
    const coef = new Float64Array(memory.buffer, 0, WASM_PEAKS / 8);
    for (let k = 0; k < 24; k++) coef[2 * k] = coef[2 * k + 1] = this.#folded[k] as number;
    this.#peak = new Float64Array(memory.buffer, WASM_PEAKS, maxBlock);
    this.#xAt = Array.from({ length: channels }, (_, c) => xAt0 + c * stride);
    this.#x = this.#xAt.map((at) => new Float64Array(memory.buffer, at, 2 * this.#xLen));
    const gLen = nextPow2(2 * this.#lMax + 2 * (FORWARD + 2 * MARGIN) + 8);
    this.#g = new Float64Array(gLen);
    this.#gMask = gLen - 1;
    this.#dq = new Float64Array(gLen);
    this.#dqMask = gLen - 1;
    const rLen = nextPow2(this.#lMax + 1);
    this.#r = new Float64Array(rLen);
    this.#rMask = rLen - 1;
    this.#ceiling.set(this.#ceiling.target);
    this.#drive.set(this.#drive.target);
    this.#alphaRelease = Math.exp(-1000 / (this.#releaseMs * sampleRate));
    this.reset();
  }

  reset(): void {
    for (let c = 0; c < this.#x.length; c++) (this.#x[c] as Float64Array).fill(0);
    this.#g.fill(1);
    this.#r.fill(1);
    this.#rPrev = 1;
    // Start the clock past the history length so that every look-back index is >= 0.
    this.#n = this.#g.length + this.#xLen;
    this.#configure(this.#lookaheadMs);
    this.#gainReductionDb = 0;
  }

  /**
   * Window arithmetic. The output at time j is x[j - D] * s[j]; the output's interpolated values
   * near x[m - D - 6] use y[m - 11 .. m], whose input region was detected as g_req[m - D]. So
   * s[j] must be <= g_req[i] for i in [j - D - MARGIN, j - D + 11 + MARGIN]. s[j] averages
   * r[j - L + 1 .. j] with r <= h, h[j'] = min g_req[j' - delta - W + 1 .. j' - delta]: choosing
   * delta = Lmax - L and W = L + 11 + 2 MARGIN makes every h in the average cover that range.
   */
  #configure(lookaheadMs: number): void {
    let l = Math.round((lookaheadMs * this.#sampleRate) / 1000);
    l = l < 1 ? 1 : l > this.#lMax ? this.#lMax : l;
    this.#l = l;
    this.#invL = 1 / l;
    this.#delta = this.#lMax - l;
    this.#window = l + FORWARD + 2 * MARGIN;
    this.#rebuild();
  }

  /**
   * Rebuild the sliding minimum and the average from the g_req history (after a lookahead
   * change or a reset): recompute h for the last L outputs under the new window, keep the
   * release memory where it is lower (never raises the gain), and refill the deque.
   */
  #rebuild(): void {
    const n = this.#n;
    const g = this.#g;
    const gm = this.#gMask;
    const r = this.#r;
    const rm = this.#rMask;
    const l = this.#l;
    let sum = 0;
    for (let j = n - l; j < n; j++) {
      const hi = j - this.#delta;
      let h = 1;
      for (let i = hi - this.#window + 1; i <= hi; i++) {
        const v = g[i & gm] as number;
        if (v < h) h = v;
      }
      const old = r[j & rm] as number;
      const v = h < old ? h : old;
      r[j & rm] = v;
      sum += v;
    }
    this.#sum = sum;
    this.#dqHead = 0;
    this.#dqTail = 0;
    const tap = n - 1 - this.#delta;
    for (let i = tap - this.#window + 1; i <= tap; i++) this.#push(i);
  }

  #push(idx: number): void {
    const g = this.#g;
    const gm = this.#gMask;
    const dq = this.#dq;
    const dm = this.#dqMask;
    const v = g[idx & gm] as number;
    let tail = this.#dqTail;
    while (tail > this.#dqHead && (g[(dq[(tail - 1) & dm] as number) & gm] as number) >= v) tail--;
    dq[tail & dm] = idx;
    this.#dqTail = tail + 1;
  }

  setParam(index: number, value: number): void {
    switch (index) {
      case P_CEILING:
        this.#ceilingDbtp = value;
        this.#ceiling.setTarget(dbToGain(value), msToSamples(this.#smoothingMs, this.#sampleRate));
        break;
      case P_LOOKAHEAD:
        this.#lookaheadMs = value;
        this.#pendingLookahead = true;
        break;
      case P_RELEASE:
        this.#releaseMs = value;
        this.#alphaRelease = Math.exp(-1000 / (value * this.#sampleRate));
        break;
      case P_DRIVE:
        this.#drive.setTarget(dbToGain(value), msToSamples(this.#smoothingMs, this.#sampleRate));
        break;
    }
  }

  get ceilingDbtp(): number {
    return this.#ceilingDbtp;
  }

  process(channels: Float32Array[], frames: number): void {
    if (this.#pendingLookahead) {
      this.#pendingLookahead = false;
      this.#configure(this.#lookaheadMs);
    }
    // Pass 1, per channel (tight monomorphic loops): store the driven input in the history and
    // take the true peak of every sample's interpolation region into #peak (max over channels).
    const peaks = this.#peak;
    peaks.fill(0, 0, frames);
    const drv = this.#drive;
    const d0 = drv.value;
    const dr0 = drv.remaining;
    // A field, not an argument: a double passed to a call that is not inlined gets boxed.
    this.#quietLimit = (this.#ceiling.value < this.#ceiling.target ? this.#ceiling.value : this.#ceiling.target) * SAFETY_GAIN;
    for (let c = 0; c < this.#channels; c++) {
      drv.value = d0;
      drv.remaining = dr0;
      if (this.#detectKernel !== null && this.kernel === 'wasm') this.#detectWasm(this.#detectKernel, channels[c] as Float32Array, c, frames);
      else this.#detect(channels[c] as Float32Array, this.#x[c] as Float64Array, peaks, frames);
    }
    this.#gains(frames);
    // Pass 3: the delayed audio times the gain.
    const gains = this.#gain;
    const lat = this.#latency;
    const xMask = this.#xMask;
    const n0 = this.#n - frames;
    for (let c = 0; c < this.#channels; c++) {
      const x = this.#x[c] as Float64Array;
      const out = channels[c] as Float32Array;
      for (let i = 0; i < frames; i++) out[i] = (x[(n0 + i - lat) & xMask] as number) * (gains[i] as number);
    }
    if (this.#sum - this.#sum !== 0 || this.#rPrev - this.#rPrev !== 0) {
      // Non-finite state (cannot come from the input, see #detect): start clean.
      this.#stateResets++;
      this.reset();
    }
  }

  /**
   * Write one channel's block into its history (doubled buffer: x[n - k] = x[base - k] without
   * masking) and max its per-sample true peak into `peaks`. Per CHUNK samples, a quiet-region
   * test first: if the largest |x| under the filter, times the filter's largest L1 norm, stays
   * below the limit, no interpolated value can reach it and the interpolation is skipped
   * (g_req is 1 either way, so the result is identical).
   */
  #detect(input: Float32Array, x: Float64Array, peaks: Float64Array, frames: number): void {
    const limit = this.#quietLimit;
    const xLen = this.#xLen;
    const xMask = this.#xMask;
    const l1 = this.#firL1;
    const drv = this.#drive;
    let drvV = drv.value;
    let drvR = drv.remaining;
    const dStep = drv.step;
    const dTarget = drv.target;
    const n0 = this.#n;
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
      const v = (input[i] as number) * drvV;
      x[wpos] = v;
      x[wpos + xLen] = v;
      if (quiet) continue;
      const base = wpos + xLen;
      // BS.1770-4 Annex 2, folded for its symmetry (phase 3 is phase 0 reversed, phase 2 phase 1):
      // with p_k = s_k + s_(11-k), m_k = s_k - s_(11-k), phases 0/3 are A +- B and 1/2 are C +- D,
      // and max(|A + B|, |A - B|) = |A| + |B|: 24 multiplies for the largest of the four.
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
      const p0 = s0 + s11;
      const p1 = s1 + s10;
      const p2 = s2 + s9;
      const p3 = s3 + s8;
      const p4 = s4 + s7;
      const p5 = s5 + s6;
      const m0 = s0 - s11;
      const m1 = s1 - s10;
      const m2 = s2 - s9;
      const m3 = s3 - s8;
      const m4 = s4 - s7;
      const m5 = s5 - s6;
      let fa = e0 * p0 + e1 * p1 + e2 * p2 + e3 * p3 + e4 * p4 + e5 * p5;
      let fb = o0 * m0 + o1 * m1 + o2 * m2 + o3 * m3 + o4 * m4 + o5 * m5;
      let fc = f0 * p0 + f1 * p1 + f2 * p2 + f3 * p3 + f4 * p4 + f5 * p5;
      let fd = q0 * m0 + q1 * m1 + q2 * m2 + q3 * m3 + q4 * m4 + q5 * m5;
      if (fa < 0) fa = -fa;
      if (fb < 0) fb = -fb;
      if (fc < 0) fc = -fc;
      if (fd < 0) fd = -fd;
      const a03 = fa + fb;
      const a12 = fc + fd;
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
   * #detect through the WASM kernel. Per CHUNK: the samples into the history first, then the same
   * kind of quiet test as #detect, on the driven history under the chunk's windows (no window
   * whose inputs all stay below limit / l1 can reach the limit, so skipping it leaves every
   * g_req at 1 as computing it would); the loud chunks go through the kernel in runs.
   */
  #detectWasm(run: DetectKernel, input: Float32Array, c: number, frames: number): void {
    const x = this.#x[c] as Float64Array;
    const xAt = this.#xAt[c] as number;
    const xLen = this.#xLen;
    const xMask = this.#xMask;
    const limit = this.#quietLimit;
    const l1 = this.#firL1;
    const drv = this.#drive;
    const drvR = drv.remaining;
    const ramp = drvR < frames ? drvR : frames;
    const n0 = this.#n;
    let drvV = drv.value;
    let loudFrom = -1;
    let start = 0;
    while (start < frames) {
      // A chunk never straddles the end of the history: its windows are contiguous.
      const w0 = (n0 + start) & xMask;
      let end = start + CHUNK < frames ? start + CHUNK : frames;
      if (end - start > xLen - w0) end = start + xLen - w0;
      for (let i = start; i < end; i++) {
        // The drive ramp as in #detect: a step per sample, landing exactly on the target.
        if (i < ramp) drvV = i + 1 === drvR ? drv.target : drvV + drv.step;
        const wpos = (n0 + i) & xMask;
        const v = (input[i] as number) * drvV;
        x[wpos] = v;
        x[wpos + xLen] = v;
      }
      // Largest |x| under the chunk's windows (NaN compares false: ignored, as in #detect).
      let m = 0;
      const last = w0 + xLen + (end - start);
      for (let j = w0 + xLen - (TAPS - 1); j < last; j++) {
        const v = Math.abs(x[j] as number);
        if (v > m) m = v;
      }
      if (m * l1 > limit) {
        if (loudFrom < 0) loudFrom = start;
      } else if (loudFrom >= 0) {
        this.#peakRun(run, xAt, loudFrom, start);
        loudFrom = -1;
      }
      start = end;
    }
    if (loudFrom >= 0) this.#peakRun(run, xAt, loudFrom, frames);
    drv.value = drvV;
    drv.remaining = drvR - ramp;
  }

  /** The kernel over samples [from, to) of the block, split where the history wraps. */
  #peakRun(run: DetectKernel, xAt: number, from: number, to: number): void {
    const first = (this.#n + from) & this.#xMask;
    const count = to - from;
    const head = this.#xLen - first < count ? this.#xLen - first : count;
    run(xAt + 8 * (first + this.#xLen), WASM_PEAKS + 8 * from, head);
    if (head < count) run(xAt + 8 * this.#xLen, WASM_PEAKS + 8 * (from + head), count - head);
  }

  /** Pass 2: g_req per sample, sliding minimum, release, moving average -> #gain; advances the clock. */
  #gains(frames: number): void {
    const peaks = this.#peak;
    const gains = this.#gain;
    const g = this.#g;
    const gm = this.#gMask;
    const dq = this.#dq;
    const dm = this.#dqMask;
    const r = this.#r;
    const rm = this.#rMask;
    const delta = this.#delta;
    const win = this.#window;
    const l = this.#l;
    const invL = this.#invL;
    const aR = this.#alphaRelease;
    const safety = SAFETY_GAIN;
    const ceil = this.#ceiling;
    let ceilV = ceil.value;
    let ceilR = ceil.remaining;
    let n = this.#n;
    let head = this.#dqHead;
    let tail = this.#dqTail;
    let rPrev = this.#rPrev;
    let sum = this.#sum;
    let minGain = 1;
    for (let i = 0; i < frames; i++) {
      if (ceilR > 0) {
        ceilV += ceil.step;
        if (--ceilR === 0) ceilV = ceil.target;
      }
      const peak = peaks[i] as number;
      const limit = ceilV * safety;
      g[n & gm] = peak > limit ? limit / peak : 1;
      // Sliding minimum over [tap - W + 1, tap].
      const tap = n - delta;
      const gv = g[tap & gm] as number;
      while (tail > head && (g[(dq[(tail - 1) & dm] as number) & gm] as number) >= gv) tail--;
      dq[tail & dm] = tap;
      tail++;
      while ((dq[head & dm] as number) <= tap - win) head++;
      const h = g[(dq[head & dm] as number) & gm] as number;
      // Release towards unity, never above the hold.
      let rv = 1 - aR * (1 - rPrev);
      if (h < rv) rv = h;
      rPrev = rv;
      const ri = n & rm;
      sum += rv - (r[(n - l) & rm] as number);
      r[ri] = rv;
      if (ri === 0) {
        // Re-sum exactly once per history length: no drift from the running additions.
        sum = 0;
        for (let j = n - l + 1; j <= n; j++) sum += r[j & rm] as number;
      }
      const s = sum * invL;
      if (s < minGain) minGain = s;
      gains[i] = s;
      n++;
    }
    ceil.value = ceilV;
    ceil.remaining = ceilR;
    this.#n = n;
    this.#dqHead = head;
    this.#dqTail = tail;
    this.#rPrev = rPrev;
    this.#sum = sum;
    this.#gainReductionDb = minGain < 1 ? -20 * Math.log10(minGain) : 0;
  }
}
