import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { Ramp, msToSamples } from './dsp/ramp.ts';
import { TRUE_PEAK_TAPS } from './dsp/true-peak-filter.ts';
import type { KernelBackend, KernelChoice } from './dsp/wasm-kernel.ts';
import {
  G_CEILING,
  G_CEILING_LEFT,
  G_CEILING_STEP,
  G_CEILING_TARGET,
  G_CLOCK,
  G_HEAD,
  G_INV_L,
  G_MIN_GAIN,
  G_R_PREV,
  G_RELEASE,
  G_SAFETY,
  G_SUM,
  G_TAIL,
  LimiterDetector,
} from './limiter-detector.ts';
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
  /** The true-peak detector; it holds the audio history per channel (see limiter-detector.ts). */
  #det: LimiterDetector | null = null;
  // Audio history per channel (the detector's, f32: fround(input * drive)), length 2*xLen with every sample written twice.
  #x: Float32Array[] = [];
  #xLen = 1;
  #xMask = 0;
  // g_req history, deque of indices, release/box history.
  #g: Float64Array = new Float64Array(1);
  #gMask = 0;
  #dq: Float64Array = new Float64Array(1);
  #dqMask = 0;
  #dqHead = 0;
  #dqTail = 0;
  #r: Float64Array = new Float64Array(1);
  #rMask = 0;
  #rPrev = 1;
  #sum = 1;
  /** Absolute sample index of the next input. */
  #n = 0;
  #pendingLookahead = false;
  /** Per-block scratch: true peak per sample (max over channels; the detector's), gain per sample. */
  #peak: Float32Array = new Float32Array(0);
  #gain: Float64Array = new Float64Array(0);
  /**
   * 'native' (default; 'wasm' where the addon is not built) or 'wasm': the true-peak detector
   * runs in that kernel on every sample (same peaks to the bit as the JS loop where that loop
   * interpolates; it skips quiet stretches, whose peaks cannot reach the ceiling, so the output is
   * identical); 'js': the JS reference. Native or wasm is chosen at prepare().
   */
  kernel: KernelChoice = 'native';

  /** What runs the kernel work now: 'js', or the kernel prepared for 'native' / 'wasm' (null before prepare()). */
  get backend(): KernelBackend | 'js' | null {
    return this.kernel === 'js' ? 'js' : (this.#det?.backend ?? null);
  }

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
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#lMax = Math.ceil((MAX_LOOKAHEAD_MS * sampleRate) / 1000);
    this.#latency = this.#lMax + FORWARD + MARGIN;
    // The whole block is written before the delayed samples are read: room for both.
    this.#xLen = nextPow2(this.#latency + TAPS + maxBlock + 1);
    this.#xMask = this.#xLen - 1;
    const gLen = nextPow2(2 * this.#lMax + 2 * (FORWARD + 2 * MARGIN) + 8);
    const rLen = nextPow2(this.#lMax + 1);
    // The detector's kernel memory holds the gain state too: pass 2 runs there (gainsWasm).
    const det = new LimiterDetector(channels, maxBlock, this.#xLen, gLen, rLen, this.kernel);
    this.#det = det;
    this.#peak = det.peaks;
    this.#x = det.x;
    this.#gain = det.gain;
    this.#g = det.g;
    this.#gMask = gLen - 1;
    this.#dq = det.dq;
    this.#dqMask = gLen - 1;
    this.#r = det.r;
    this.#rMask = rLen - 1;
    this.#ceiling.set(this.#ceiling.target);
    this.#drive.set(this.#drive.target);
    this.#alphaRelease = Math.exp(-1000 / (this.#releaseMs * sampleRate));
    this.reset();
  }

  reset(): void {
    this.#det?.reset();
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
    const det = this.#det as LimiterDetector;
    // A field, not an argument: a double passed to a call that is not inlined gets boxed.
    det.quietLimit = (this.#ceiling.value < this.#ceiling.target ? this.#ceiling.value : this.#ceiling.target) * SAFETY_GAIN;
    const wasm = this.kernel !== 'js';
    for (let c = 0; c < this.#channels; c++) {
      drv.value = d0;
      drv.remaining = dr0;
      if (wasm) det.detectWasm(channels[c] as Float32Array, c, frames, this.#n, drv);
      else det.detect(channels[c] as Float32Array, c, frames, this.#n, drv);
    }
    if (wasm) this.#gainsWasm(det, frames);
    else this.#gains(frames);
    // Pass 3: the delayed audio times the gain.
    const gains = this.#gain;
    const lat = this.#latency;
    const xMask = this.#xMask;
    const n0 = this.#n - frames;
    for (let c = 0; c < this.#channels; c++) {
      const out = channels[c] as Float32Array;
      if (wasm) {
        det.applyGains(out, c, n0 - lat, frames);
        continue;
      }
      const x = this.#x[c] as Float32Array;
      for (let i = 0; i < frames; i++) out[i] = (x[(n0 + i - lat) & xMask] as number) * (gains[i] as number);
    }
    if (this.#sum - this.#sum !== 0 || this.#rPrev - this.#rPrev !== 0) {
      // Non-finite state (cannot come from the input, see LimiterDetector.detect): start clean.
      this.#stateResets++;
      this.reset();
    }
  }

  /** #gains through the kernel (the same arithmetic: the same gains to the bit). */
  #gainsWasm(det: LimiterDetector, frames: number): void {
    const sc = det.gainScalars;
    const ceil = this.#ceiling;
    sc[G_CEILING] = ceil.value;
    sc[G_CEILING_STEP] = ceil.step;
    sc[G_CEILING_TARGET] = ceil.target;
    sc[G_CEILING_LEFT] = ceil.remaining;
    sc[G_SAFETY] = SAFETY_GAIN;
    sc[G_RELEASE] = this.#alphaRelease;
    sc[G_INV_L] = this.#invL;
    sc[G_R_PREV] = this.#rPrev;
    sc[G_SUM] = this.#sum;
    sc[G_CLOCK] = this.#n;
    sc[G_HEAD] = this.#dqHead;
    sc[G_TAIL] = this.#dqTail;
    det.gainsWasm(frames, this.#delta, this.#window, this.#l);
    ceil.value = sc[G_CEILING]!;
    ceil.remaining = sc[G_CEILING_LEFT]!;
    this.#rPrev = sc[G_R_PREV]!;
    this.#sum = sc[G_SUM]!;
    this.#n = sc[G_CLOCK]!;
    this.#dqHead = sc[G_HEAD]!;
    this.#dqTail = sc[G_TAIL]!;
    const minGain = sc[G_MIN_GAIN]!;
    this.#gainReductionDb = minGain < 1 ? -20 * Math.log10(minGain) : 0;
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
