import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { DB_PER_LOG2_POWER, FastMath, LOG2_PER_DB_AMPLITUDE } from './dsp/fast-math.ts';
import { DESIGN_SCRATCH_SIZE, designHighPass2 } from './dsp/filter-design.ts';
import { Ramp, msToSamples } from './dsp/ramp.ts';
import {
  STATE_ALPHA_ATTACK,
  STATE_ALPHA_RELEASE,
  STATE_ENV_DB,
  STATE_KNEE_DB,
  STATE_KNEE_START_SQ,
  STATE_MAKEUP,
  STATE_MAX_GR_DB,
  STATE_SLOPE,
  STATE_THRESHOLD_DB,
  WasmLinkedCompressor,
} from './dsp/wasm-linked-compressor.ts';
import { dbToGain, DENORMAL_FLOOR, type Processor, type ProcessorOptions } from './processor.ts';

const P_THRESHOLD = 0;
const P_RATIO = 1;
const P_KNEE = 2;
const P_ATTACK = 3;
const P_RELEASE = 4;
const P_AUTO_RELEASE = 5;
const P_DETECTOR = 6;
const P_RMS_WINDOW = 7;
const P_MAKEUP = 8;
const P_SC_HP_ON = 9;
const P_SC_HP_HZ = 10;
const P_LINK = 11;
const P_STEREO_MODE = 12;
const P_MIX = 13;

/** The top of the ratio range means infinity (a limiter's slope). */
export const RATIO_INFINITE = 100;
export const DETECTORS = ['peak', 'rms'] as const;
export const COMP_STEREO_MODES = ['stereo', 'midSide'] as const;

/** Program-dependent release (auto): fast stage releases at release/4, slow stage charges over the release time and releases at 4x. */
const AUTO_FAST_RELEASE = 0.25;
const AUTO_SLOW_ATTACK = 1;
const AUTO_SLOW_RELEASE = 4;

/**
 * Static curve (Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor Design - A
 * Tutorial and Analysis", JAES 2012, eq. 4): gain reduction in dB for a level `xDb`, with the
 * quadratic soft knee of width `kneeDb` centred on the threshold. `slope` = 1 - 1/ratio.
 */
export function staticGainReductionDb(xDb: number, thresholdDb: number, slope: number, kneeDb: number): number {
  const over = xDb - thresholdDb;
  if (2 * over <= -kneeDb) return 0;
  if (2 * over < kneeDb) {
    const t = over + kneeDb / 2;
    return (slope * t * t) / (2 * kneeDb);
  }
  return slope * over;
}

export function ratioToSlope(ratio: number): number {
  return ratio >= RATIO_INFINITE ? 1 : 1 - 1 / ratio;
}

/**
 * Feed-forward compressor. Level detection (peak: |x|, or RMS over a window) on an optionally
 * high-passed sidechain, gain computer in dB (above), gain reduction smoothed in the log domain
 * by the smooth branching detector of the same paper (eq. 17): attack/release are the time
 * constants (63 %) of the gain-reduction envelope. Stereo link mixes each channel's reduction
 * towards the largest; M/S mode compresses mid and side. Dry/wet mix for parallel compression.
 *
 * Threshold, ratio, knee, makeup and mix glide per sample; a stereo-mode change cross-fades
 * through dry. At ratio 1:1 with 0 dB makeup the compressor is skipped (bit-exact pass).
 */
export class Compressor implements Processor {
  readonly kind = 'comp';
  readonly id: string;
  readonly params: readonly ParamSpec[];
  readonly latencySamples = 0;
  #gainReductionDb = 0;
  #stateResets = 0;
  readonly #smoothingMs: number;

  #sampleRate = 48000;
  #channels = 0;
  #glide = 1;
  readonly #threshold = new Ramp(-18);
  readonly #slope = new Ramp(0);
  readonly #knee = new Ramp(6);
  readonly #makeup = new Ramp(1);
  readonly #mix = new Ramp(1);
  #attackMs = 10;
  #releaseMs = 150;
  #autoRelease = 0;
  #detector = 0;
  #rmsWindowMs = 30;
  #scHpOn = 0;
  #scHpHz = 100;
  #link = 1;
  #midSide = 0;
  #pendingMidSide = 0;

  // Per-sample coefficients.
  #alphaAttack = 0;
  #alphaRelease = 0;
  #alphaFastRelease = 0;
  #alphaSlowAttack = 0;
  #alphaSlowRelease = 0;
  #alphaRms = 0;
  readonly #hp = new Float64Array(5);
  readonly #designScratch = new Float64Array(DESIGN_SCRATCH_SIZE);
  // Per-channel state.
  #env = new Float64Array(0);
  #envSlow = new Float64Array(0);
  #meanSq = new Float64Array(0);
  #hpState = new Float64Array(0);
  #det = new Float64Array(0);
  #gr = new Float64Array(0);
  #skipped = true;
  /** log2/exp2 with the WASM kernel's exact arithmetic (dsp/fast-math.ts). */
  readonly #math = new FastMath();
  #linked: WasmLinkedCompressor | null = null;
  /**
   * 'wasm' (default): the common stereo linked peak path (#plainLinkedStereo) runs in WebAssembly
   * SIMD, bit-identical to the JS path; 'js': always the JS reference.
   */
  kernel: 'wasm' | 'js' = 'wasm';

  constructor(options: ProcessorOptions) {
    this.id = options.id;
    this.#smoothingMs = options.smoothingMs;
    const id = this.id;
    const group = id;
    this.params = [
      defineParam({ id: `${id}.thresholdDb`, label: 'Comp threshold', kind: 'continuous', unit: 'dB', min: -60, max: 0, default: -18, group }),
      defineParam({ id: `${id}.ratio`, label: 'Comp ratio (100 = inf)', kind: 'continuous', unit: ':1', min: 1, max: RATIO_INFINITE, default: 1, taper: 'log', group }),
      defineParam({ id: `${id}.kneeDb`, label: 'Comp knee', kind: 'continuous', unit: 'dB', min: 0, max: 24, default: 6, group }),
      defineParam({ id: `${id}.attackMs`, label: 'Comp attack', kind: 'continuous', unit: 'ms', min: 0.05, max: 300, default: 10, taper: 'log', group }),
      defineParam({ id: `${id}.releaseMs`, label: 'Comp release', kind: 'continuous', unit: 'ms', min: 5, max: 5000, default: 150, taper: 'log', group }),
      defineParam({ id: `${id}.autoRelease`, label: 'Comp auto release', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group }),
      defineParam({ id: `${id}.detector`, label: 'Comp detector', kind: 'choice', unit: '', min: 0, max: 1, default: 0, choices: [...DETECTORS], group }),
      defineParam({ id: `${id}.rmsWindowMs`, label: 'Comp RMS window', kind: 'continuous', unit: 'ms', min: 1, max: 300, default: 30, taper: 'log', group }),
      defineParam({ id: `${id}.makeupDb`, label: 'Comp makeup', kind: 'continuous', unit: 'dB', min: -12, max: 24, default: 0, group }),
      defineParam({ id: `${id}.sidechainHpEnabled`, label: 'Comp sidechain HP on', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group }),
      defineParam({ id: `${id}.sidechainHpHz`, label: 'Comp sidechain HP', kind: 'continuous', unit: 'Hz', min: 20, max: 500, default: 100, taper: 'log', group }),
      defineParam({ id: `${id}.linkPct`, label: 'Comp stereo link', kind: 'continuous', unit: '%', min: 0, max: 100, default: 100, group }),
      defineParam({ id: `${id}.stereoMode`, label: 'Comp stereo mode', kind: 'choice', unit: '', min: 0, max: 1, default: 0, choices: [...COMP_STEREO_MODES], group }),
      defineParam({ id: `${id}.mixPct`, label: 'Comp mix', kind: 'continuous', unit: '%', min: 0, max: 100, default: 100, group }),
    ];
  }

  get gainReductionDb(): number {
    return this.#gainReductionDb;
  }

  get stateResets(): number {
    return this.#stateResets;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    this.#sampleRate = sampleRate;
    this.#linked = channels === 2 ? new WasmLinkedCompressor(maxBlock) : null;
    this.#channels = channels;
    this.#glide = msToSamples(this.#smoothingMs, sampleRate);
    this.#env = new Float64Array(channels);
    this.#envSlow = new Float64Array(channels);
    this.#meanSq = new Float64Array(channels);
    this.#hpState = new Float64Array(channels * 2);
    this.#det = new Float64Array(channels);
    this.#gr = new Float64Array(channels);
    this.#updateTimeConstants();
    this.#updateSidechainFilter();
    this.#threshold.set(this.#threshold.target);
    this.#slope.set(this.#slope.target);
    this.#knee.set(this.#knee.target);
    this.#makeup.set(this.#makeup.target);
    this.#mix.set(this.#mix.target);
    this.#midSide = this.#pendingMidSide;
    this.reset();
  }

  reset(): void {
    this.#env.fill(0);
    this.#envSlow.fill(0);
    this.#meanSq.fill(0);
    this.#hpState.fill(0);
    this.#gainReductionDb = 0;
  }

  #alpha(ms: number): number {
    return Math.exp(-1000 / (ms * this.#sampleRate));
  }

  #updateTimeConstants(): void {
    this.#alphaAttack = this.#alpha(this.#attackMs);
    this.#alphaRelease = this.#alpha(this.#releaseMs);
    this.#alphaFastRelease = this.#alpha(this.#releaseMs * AUTO_FAST_RELEASE);
    this.#alphaSlowAttack = this.#alpha(this.#releaseMs * AUTO_SLOW_ATTACK);
    this.#alphaSlowRelease = this.#alpha(this.#releaseMs * AUTO_SLOW_RELEASE);
    this.#alphaRms = this.#alpha(this.#rmsWindowMs);
  }

  #updateSidechainFilter(): void {
    designHighPass2(this.#hp, 0, this.#designScratch, this.#scHpHz, Math.SQRT1_2, this.#sampleRate);
  }

  setParam(index: number, value: number): void {
    const n = this.#glide;
    switch (index) {
      case P_THRESHOLD:
        this.#threshold.setTarget(value, n);
        break;
      case P_RATIO:
        this.#slope.setTarget(ratioToSlope(value), n);
        break;
      case P_KNEE:
        this.#knee.setTarget(value, n);
        break;
      case P_ATTACK:
        this.#attackMs = value;
        this.#updateTimeConstants();
        break;
      case P_RELEASE:
        this.#releaseMs = value;
        this.#updateTimeConstants();
        break;
      case P_AUTO_RELEASE:
        this.#autoRelease = value >= 0.5 ? 1 : 0;
        this.#envSlow.fill(0);
        break;
      case P_DETECTOR:
        this.#detector = value >= 0.5 ? 1 : 0;
        break;
      case P_RMS_WINDOW:
        this.#rmsWindowMs = value;
        this.#updateTimeConstants();
        break;
      case P_MAKEUP:
        this.#makeup.setTarget(dbToGain(value), n);
        break;
      case P_SC_HP_ON:
        this.#scHpOn = value >= 0.5 ? 1 : 0;
        this.#hpState.fill(0);
        break;
      case P_SC_HP_HZ:
        this.#scHpHz = value;
        this.#updateSidechainFilter();
        break;
      case P_LINK: {
        const wasLinked = this.#link >= 1;
        this.#link = value / 100;
        // Linked, the shared detector lives in channel 0: hand it the largest reduction either way.
        if (wasLinked !== this.#link >= 1) {
          let e = 0;
          let sl = 0;
          for (let c = 0; c < this.#channels; c++) {
            e = Math.max(e, this.#env[c] as number);
            sl = Math.max(sl, this.#envSlow[c] as number);
          }
          this.#env.fill(e);
          this.#envSlow.fill(sl);
        }
        break;
      }
      case P_STEREO_MODE:
        this.#pendingMidSide = value >= 0.5 ? 1 : 0;
        break;
      case P_MIX:
        this.#mix.setTarget(value / 100, n);
        break;
    }
  }

  /** Ratio 1:1, unity makeup, nothing gliding and no reduction left to release: skip (bit-exact). */
  get #neutral(): boolean {
    if (this.#slope.value !== 0 || this.#slope.moving || this.#makeup.value !== 1 || this.#makeup.moving) return false;
    const env = this.#env;
    const slow = this.#envSlow;
    for (let c = 0; c < env.length; c++) if ((env[c] as number) > 1e-9 || (slow[c] as number) > 1e-9) return false;
    return true;
  }

  /**
   * Stereo <-> mid/side without a fade through dry (that would bump the level of a compressed
   * signal): every detector starts from the largest current reduction, so at the switch every
   * channel gets the same gain, which is the same in either basis, and the new detection takes
   * over from there with the attack/release times.
   */
  #switchStereoMode(): void {
    this.#midSide = this.#pendingMidSide;
    let e = 0;
    let s = 0;
    let m = 0;
    for (let c = 0; c < this.#channels; c++) {
      e = Math.max(e, this.#env[c] as number);
      s = Math.max(s, this.#envSlow[c] as number);
      m = Math.max(m, this.#meanSq[c] as number);
    }
    this.#env.fill(e);
    this.#envSlow.fill(s);
    this.#meanSq.fill(m);
    this.#hpState.fill(0);
  }

  process(channels: Float32Array[], frames: number): void {
    this.#gainReductionDb = 0;
    if (this.#pendingMidSide !== this.#midSide && this.#neutral) this.#midSide = this.#pendingMidSide;
    if (this.#neutral) {
      this.#skipped = true;
      this.#mix.advance(frames);
      this.#threshold.advance(frames);
      this.#knee.advance(frames);
      return;
    }
    if (this.#skipped) {
      this.reset();
      this.#skipped = false;
    }
    if (this.#pendingMidSide !== this.#midSide) this.#switchStereoMode();
    if (this.#plainLinkedStereo) {
      const k = this.#linked;
      if (k !== null && this.kernel === 'wasm' && frames <= k.maxBlock) this.#processLinkedWasm(k, channels[0] as Float32Array, channels[1] as Float32Array, frames);
      else this.#processLinkedStereo(channels[0] as Float32Array, channels[1] as Float32Array, frames);
    } else this.#processSegment(channels, 0, frames);
    this.#checkState();
  }

  /**
   * The common mastering case with nothing in flight: stereo L/R, fully linked, peak detection, no
   * sidechain filter, no auto release, every glide at rest, 100 % wet. Then #processSegment does
   * exactly what #processLinkedStereo does (the same operations in the same order, so the same
   * bits, whatever the block size), with none of its per-sample branches.
   */
  get #plainLinkedStereo(): boolean {
    return (
      this.#channels === 2 &&
      this.#midSide === 0 &&
      this.#link >= 1 &&
      this.#detector === 0 &&
      this.#scHpOn === 0 &&
      this.#autoRelease === 0 &&
      this.#threshold.remaining === 0 &&
      this.#slope.remaining === 0 &&
      this.#knee.remaining === 0 &&
      this.#makeup.remaining === 0 &&
      this.#mix.remaining === 0 &&
      this.#mix.value === 1
    );
  }

  /** #processLinkedStereo in the WASM kernel (the same bits). */
  #processLinkedWasm(k: WasmLinkedCompressor, c0: Float32Array, c1: Float32Array, frames: number): void {
    const sloV = this.#slope.value;
    const thrV = this.#threshold.value;
    const kneV = this.#knee.value;
    const env = this.#env;
    const state = k.state;
    state[STATE_ENV_DB] = env[0] as number;
    state[STATE_MAX_GR_DB] = this.#gainReductionDb;
    // Two stores, not a conditional expression: a phi of a computed double and the Infinity
    // constant makes V8 box the double (16 bytes per block).
    if (sloV > 0) state[STATE_KNEE_START_SQ] = Math.pow(10, (thrV - kneV / 2) / 10);
    else state[STATE_KNEE_START_SQ] = Infinity;
    state[STATE_THRESHOLD_DB] = thrV;
    state[STATE_SLOPE] = sloV;
    state[STATE_KNEE_DB] = kneV;
    state[STATE_MAKEUP] = this.#makeup.value;
    state[STATE_ALPHA_ATTACK] = this.#alphaAttack;
    state[STATE_ALPHA_RELEASE] = this.#alphaRelease;
    k.process(c0, c1, frames);
    env[0] = state[STATE_ENV_DB];
    this.#gainReductionDb = state[STATE_MAX_GR_DB];
  }

  #processLinkedStereo(c0: Float32Array, c1: Float32Array, frames: number): void {
    const math = this.#math;
    const env = this.#env;
    const aA = this.#alphaAttack;
    const aR = this.#alphaRelease;
    const bA = 1 - aA;
    const bR = 1 - aR;
    const thrV = this.#threshold.value;
    const sloV = this.#slope.value;
    const kneV = this.#knee.value;
    const makV = this.#makeup.value;
    // Not `sloV > 0 ? ... : Infinity` (a phi of a computed double and a constant: V8 boxes it,
    // 16 bytes per block); the slope is tested per frame instead, as #processSegment does.
    const kneeStartSq = Math.pow(10, (thrV - kneV / 2) / 10);
    let e = env[0] as number;
    let maxGr = this.#gainReductionDb;
    for (let i = 0; i < frames; i++) {
      const l = c0[i] as number;
      const r = c1[i] as number;
      const ll = l * l;
      const rr = r * r;
      const lvl = rr > ll ? rr : ll;
      let gc = 0;
      if (lvl > kneeStartSq && sloV > 0) gc = staticGainReductionDb(DB_PER_LOG2_POWER * math.log2(lvl), thrV, sloV, kneV);
      e = gc > e ? aA * e + bA * gc : aR * e + bR * gc;
      if (e > maxGr) maxGr = e;
      const g = e === 0 ? makV : math.exp2(-e * LOG2_PER_DB_AMPLITUDE) * makV;
      c0[i] = l * g;
      c1[i] = r * g;
    }
    env[0] = e;
    this.#gainReductionDb = maxGr;
  }

  #processSegment(channels: Float32Array[], pos: number, len: number): void {
    const math = this.#math;
    const nch = this.#channels;
    const ms = this.#midSide === 1 && nch === 2;
    const end = pos + len;
    const env = this.#env;
    const envSlow = this.#envSlow;
    const meanSq = this.#meanSq;
    const hs = this.#hpState;
    const det = this.#det;
    const gr = this.#gr;
    const hp = this.#hp;
    const hb0 = hp[0] as number;
    const hb1 = hp[1] as number;
    const hb2 = hp[2] as number;
    const ha1 = hp[3] as number;
    const ha2 = hp[4] as number;
    const useHp = this.#scHpOn === 1;
    const rmsMode = this.#detector === 1;
    const auto = this.#autoRelease === 1;
    const aA = this.#alphaAttack;
    const aR = auto ? this.#alphaFastRelease : this.#alphaRelease;
    const aSA = this.#alphaSlowAttack;
    const aSR = this.#alphaSlowRelease;
    const aRms = this.#alphaRms;
    const link = this.#link;
    const linked = link >= 1;
    // Glides, in locals.
    const thr = this.#threshold;
    const slo = this.#slope;
    const kne = this.#knee;
    const mak = this.#makeup;
    const mix = this.#mix;
    let thrV = thr.value;
    let thrR = thr.remaining;
    let sloV = slo.value;
    let sloR = slo.remaining;
    let kneV = kne.value;
    let kneR = kne.remaining;
    let makV = mak.value;
    let makR = mak.remaining;
    let mixV = mix.value;
    let mixR = mix.remaining;
    let kneeStartSq = Math.pow(10, (thrV - kneV / 2) / 10);
    let maxGr = this.#gainReductionDb;
    const c0 = channels[0] as Float32Array;
    const c1 = (nch > 1 ? channels[1] : channels[0]) as Float32Array;
    for (let i = pos; i < end; i++) {
      let paramsMoved = false;
      if (thrR > 0) {
        thrV += thr.step;
        if (--thrR === 0) thrV = thr.target;
        paramsMoved = true;
      }
      if (sloR > 0) {
        sloV += slo.step;
        if (--sloR === 0) sloV = slo.target;
      }
      if (kneR > 0) {
        kneV += kne.step;
        if (--kneR === 0) kneV = kne.target;
        paramsMoved = true;
      }
      if (makR > 0) {
        makV += mak.step;
        if (--makR === 0) makV = mak.target;
      }
      if (mixR > 0) {
        mixV += mix.step;
        if (--mixR === 0) mixV = mix.target;
      }
      if (paramsMoved) kneeStartSq = Math.pow(10, (thrV - kneV / 2) / 10);
      // Detector inputs (M/S encoded when compressing mid and side).
      if (ms) {
        const l = c0[i] as number;
        const r = c1[i] as number;
        det[0] = 0.5 * (l + r);
        det[1] = 0.5 * (l - r);
      } else {
        for (let c = 0; c < nch; c++) det[c] = (channels[c] as Float32Array)[i] as number;
      }
      let grMax = 0;
      let lvlMax = 0;
      for (let c = 0; c < nch; c++) {
        let d = det[c] as number;
        if (useHp) {
          const k = c * 2;
          const y = hb0 * d + (hs[k] as number);
          hs[k] = hb1 * d - ha1 * y + (hs[k + 1] as number);
          hs[k + 1] = hb2 * d - ha2 * y;
          d = y;
        }
        let lvlSq = d * d;
        if (rmsMode) {
          const m = aRms * (meanSq[c] as number) + (1 - aRms) * lvlSq;
          meanSq[c] = m;
          lvlSq = m;
        }
        if (linked) {
          // Fully linked: one detector on the loudest channel (one log and one exp per frame).
          if (lvlSq > lvlMax) lvlMax = lvlSq;
          continue;
        }
        let gc = 0;
        if (lvlSq > kneeStartSq && sloV > 0) {
          gc = staticGainReductionDb(DB_PER_LOG2_POWER * math.log2(lvlSq), thrV, sloV, kneV);
        }
        let e = env[c] as number;
        e = gc > e ? aA * e + (1 - aA) * gc : aR * e + (1 - aR) * gc;
        env[c] = e;
        if (auto) {
          let s = envSlow[c] as number;
          s = gc > s ? aSA * s + (1 - aSA) * gc : aSR * s + (1 - aSR) * gc;
          envSlow[c] = s;
          if (s > e) e = s;
        }
        gr[c] = e;
        if (e > grMax) grMax = e;
      }
      const wet = mixV;
      if (linked) {
        let gc = 0;
        if (lvlMax > kneeStartSq && sloV > 0) {
          gc = staticGainReductionDb(DB_PER_LOG2_POWER * math.log2(lvlMax), thrV, sloV, kneV);
        }
        let e = env[0] as number;
        e = gc > e ? aA * e + (1 - aA) * gc : aR * e + (1 - aR) * gc;
        env[0] = e;
        if (auto) {
          let s = envSlow[0] as number;
          s = gc > s ? aSA * s + (1 - aSA) * gc : aSR * s + (1 - aSR) * gc;
          envSlow[0] = s;
          if (s > e) e = s;
        }
        if (e > maxGr) maxGr = e;
        const g = e === 0 ? makV : math.exp2(-e * LOG2_PER_DB_AMPLITUDE) * makV;
        for (let c = 0; c < nch; c++) det[c] = g;
      } else {
        for (let c = 0; c < nch; c++) {
          const own = gr[c] as number;
          const applied = own + link * (grMax - own);
          if (applied > maxGr) maxGr = applied;
          det[c] = applied === 0 ? makV : math.exp2(-applied * LOG2_PER_DB_AMPLITUDE) * makV;
        }
      }
      if (ms) {
        const l = c0[i] as number;
        const r = c1[i] as number;
        const m = 0.5 * (l + r) * (det[0] as number);
        const s = 0.5 * (l - r) * (det[1] as number);
        const yl = m + s;
        const yr = m - s;
        c0[i] = wet === 1 ? yl : l + wet * (yl - l);
        c1[i] = wet === 1 ? yr : r + wet * (yr - r);
      } else {
        for (let c = 0; c < nch; c++) {
          const ch = channels[c] as Float32Array;
          const x = ch[i] as number;
          const y = x * (det[c] as number);
          ch[i] = wet === 1 ? y : x + wet * (y - x);
        }
      }
    }
    thr.value = thrV;
    thr.remaining = thrR;
    slo.value = sloV;
    slo.remaining = sloR;
    kne.value = kneV;
    kne.remaining = kneR;
    mak.value = makV;
    mak.remaining = makR;
    mix.value = mixV;
    mix.remaining = mixR;
    this.#gainReductionDb = maxGr;
  }

  /** Once per block: flush denormals; a non-finite state resets the detector. */
  #checkState(): void {
    let sum = 0;
    const nch = this.#channels;
    for (let c = 0; c < nch; c++) {
      sum += (this.#env[c] as number) + (this.#envSlow[c] as number) + (this.#meanSq[c] as number);
      const h0 = this.#hpState[c * 2] as number;
      const h1 = this.#hpState[c * 2 + 1] as number;
      sum += h0 + h1;
      if (h0 < DENORMAL_FLOOR && h0 > -DENORMAL_FLOOR) this.#hpState[c * 2] = 0;
      if (h1 < DENORMAL_FLOOR && h1 > -DENORMAL_FLOOR) this.#hpState[c * 2 + 1] = 0;
      if ((this.#env[c] as number) < DENORMAL_FLOOR) this.#env[c] = 0;
      if ((this.#envSlow[c] as number) < DENORMAL_FLOOR) this.#envSlow[c] = 0;
      if ((this.#meanSq[c] as number) < DENORMAL_FLOOR) this.#meanSq[c] = 0;
    }
    if (sum - sum !== 0) {
      this.reset();
      this.#stateResets++;
    }
  }
}
