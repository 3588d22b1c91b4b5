import type { ParamSpec } from '../params/param-spec.ts';
import { ratioToSlope, staticGainReductionDb } from './compressor-curve.ts';
import {
  compressorParams,
  P_ATTACK,
  P_AUTO_RELEASE,
  P_DETECTOR,
  P_KNEE,
  P_LINK,
  P_MAKEUP,
  P_MIX,
  P_RATIO,
  P_RELEASE,
  P_RMS_WINDOW,
  P_SC_HP_HZ,
  P_SC_HP_ON,
  P_STEREO_MODE,
  P_THRESHOLD,
} from './compressor-params.ts';
import { processSegment } from './compressor-segment.ts';
import { CompressorState } from './compressor-state.ts';
import { DB_PER_LOG2_POWER, LOG2_PER_DB_AMPLITUDE } from './dsp/fast-math.ts';
import { DESIGN_SCRATCH_SIZE, designHighPass2 } from './dsp/filter-design.ts';
import { msToSamples } from './dsp/ramp.ts';
import type { KernelBackend, KernelChoice } from './dsp/wasm-kernel.ts';
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

// The compressor's public surface stays importable from here.
export { RATIO_INFINITE, ratioToSlope, staticGainReductionDb } from './compressor-curve.ts';
export { COMP_STEREO_MODES, DETECTORS } from './compressor-params.ts';

/** Program-dependent release (auto): fast stage releases at release/4, slow stage charges over the release time and releases at 4x. */
const AUTO_FAST_RELEASE = 0.25;
const AUTO_SLOW_ATTACK = 1;
const AUTO_SLOW_RELEASE = 4;

/**
 * Feed-forward compressor. Level detection (peak: |x|, or RMS over a window) on an optionally
 * high-passed sidechain, gain computer in dB (compressor-curve.ts), gain reduction smoothed in the
 * log domain by the smooth branching detector of the same paper (eq. 17): attack/release are the
 * time constants (63 %) of the gain-reduction envelope. Stereo link mixes each channel's reduction
 * towards the largest; M/S mode compresses mid and side. Dry/wet mix for parallel compression.
 *
 * Threshold, ratio, knee, makeup and mix glide per sample; a stereo-mode change cross-fades
 * through dry. At ratio 1:1 with 0 dB makeup the compressor is skipped (bit-exact pass).
 *
 * The general per-sample path is compressor-segment.ts; the common linked stereo case runs the
 * shortcut below (JS) or its WASM twin, with the same bits.
 */
export class Compressor implements Processor {
  readonly kind = 'comp';
  readonly id: string;
  readonly params: readonly ParamSpec[];
  readonly latencySamples = 0;
  #stateResets = 0;
  readonly #smoothingMs: number;

  #sampleRate = 48000;
  #glide = 1;
  #attackMs = 10;
  #releaseMs = 150;
  #rmsWindowMs = 30;
  #scHpHz = 100;
  #pendingMidSide = 0;
  readonly #designScratch = new Float64Array(DESIGN_SCRATCH_SIZE);
  /** Settings, coefficients, glides and detectors the per-sample paths work on. */
  readonly #s = new CompressorState();
  #skipped = true;
  #linked: WasmLinkedCompressor | null = null;
  /**
   * 'native' (default; 'wasm' where the addon is not built) or 'wasm': the common stereo linked
   * peak path (#plainLinkedStereo) runs in that kernel, bit-identical to the JS path; 'js': always
   * the JS reference. Native or wasm is chosen at prepare().
   */
  kernel: KernelChoice = 'native';

  /** What runs the kernel work now: 'js', or the kernel prepared for 'native' / 'wasm' (null before prepare()). */
  get backend(): KernelBackend | 'js' | null {
    return this.kernel === 'js' ? 'js' : (this.#linked?.backend ?? null);
  }

  constructor(options: ProcessorOptions) {
    this.id = options.id;
    this.#smoothingMs = options.smoothingMs;
    this.params = compressorParams(this.id);
  }

  get gainReductionDb(): number {
    return this.#s.gainReductionDb;
  }

  get stateResets(): number {
    return this.#stateResets;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    const s = this.#s;
    this.#sampleRate = sampleRate;
    this.#linked = channels === 2 ? new WasmLinkedCompressor(maxBlock, this.kernel) : null;
    s.channels = channels;
    this.#glide = msToSamples(this.#smoothingMs, sampleRate);
    s.env = new Float64Array(channels);
    s.envSlow = new Float64Array(channels);
    s.meanSq = new Float64Array(channels);
    s.hpState = new Float64Array(channels * 2);
    s.det = new Float64Array(channels);
    s.gr = new Float64Array(channels);
    this.#updateTimeConstants();
    this.#updateSidechainFilter();
    s.threshold.set(s.threshold.target);
    s.slope.set(s.slope.target);
    s.knee.set(s.knee.target);
    s.makeup.set(s.makeup.target);
    s.mix.set(s.mix.target);
    s.midSide = this.#pendingMidSide;
    this.reset();
  }

  reset(): void {
    const s = this.#s;
    s.env.fill(0);
    s.envSlow.fill(0);
    s.meanSq.fill(0);
    s.hpState.fill(0);
    s.gainReductionDb = 0;
  }

  #alpha(ms: number): number {
    return Math.exp(-1000 / (ms * this.#sampleRate));
  }

  #updateTimeConstants(): void {
    const s = this.#s;
    s.alphaAttack = this.#alpha(this.#attackMs);
    s.alphaRelease = this.#alpha(this.#releaseMs);
    s.alphaFastRelease = this.#alpha(this.#releaseMs * AUTO_FAST_RELEASE);
    s.alphaSlowAttack = this.#alpha(this.#releaseMs * AUTO_SLOW_ATTACK);
    s.alphaSlowRelease = this.#alpha(this.#releaseMs * AUTO_SLOW_RELEASE);
    s.alphaRms = this.#alpha(this.#rmsWindowMs);
  }

  #updateSidechainFilter(): void {
    designHighPass2(this.#s.hp, 0, this.#designScratch, this.#scHpHz, Math.SQRT1_2, this.#sampleRate);
  }

  setParam(index: number, value: number): void {
    const s = this.#s;
    const n = this.#glide;
    switch (index) {
      case P_THRESHOLD:
        s.threshold.setTarget(value, n);
        break;
      case P_RATIO:
        s.slope.setTarget(ratioToSlope(value), n);
        break;
      case P_KNEE:
        s.knee.setTarget(value, n);
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
        s.autoRelease = value >= 0.5 ? 1 : 0;
        s.envSlow.fill(0);
        break;
      case P_DETECTOR:
        s.detector = value >= 0.5 ? 1 : 0;
        break;
      case P_RMS_WINDOW:
        this.#rmsWindowMs = value;
        this.#updateTimeConstants();
        break;
      case P_MAKEUP:
        s.makeup.setTarget(dbToGain(value), n);
        break;
      case P_SC_HP_ON:
        s.scHpOn = value >= 0.5 ? 1 : 0;
        s.hpState.fill(0);
        break;
      case P_SC_HP_HZ:
        this.#scHpHz = value;
        this.#updateSidechainFilter();
        break;
      case P_LINK: {
        const wasLinked = s.link >= 1;
        s.link = value / 100;
        // Linked, the shared detector lives in channel 0: hand it the largest reduction either way.
        if (wasLinked !== s.link >= 1) {
          let e = 0;
          let sl = 0;
          for (let c = 0; c < s.channels; c++) {
            e = Math.max(e, s.env[c] as number);
            sl = Math.max(sl, s.envSlow[c] as number);
          }
          s.env.fill(e);
          s.envSlow.fill(sl);
        }
        break;
      }
      case P_STEREO_MODE:
        this.#pendingMidSide = value >= 0.5 ? 1 : 0;
        break;
      case P_MIX:
        s.mix.setTarget(value / 100, n);
        break;
    }
  }

  /** Ratio 1:1, unity makeup, nothing gliding and no reduction left to release: skip (bit-exact). */
  get #neutral(): boolean {
    const st = this.#s;
    if (st.slope.value !== 0 || st.slope.moving || st.makeup.value !== 1 || st.makeup.moving) return false;
    const env = st.env;
    const slow = st.envSlow;
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
    const st = this.#s;
    st.midSide = this.#pendingMidSide;
    let e = 0;
    let s = 0;
    let m = 0;
    for (let c = 0; c < st.channels; c++) {
      e = Math.max(e, st.env[c] as number);
      s = Math.max(s, st.envSlow[c] as number);
      m = Math.max(m, st.meanSq[c] as number);
    }
    st.env.fill(e);
    st.envSlow.fill(s);
    st.meanSq.fill(m);
    st.hpState.fill(0);
  }

  process(channels: Float32Array[], frames: number): void {
    const s = this.#s;
    s.gainReductionDb = 0;
    if (this.#pendingMidSide !== s.midSide && this.#neutral) s.midSide = this.#pendingMidSide;
    if (this.#neutral) {
      this.#skipped = true;
      s.mix.advance(frames);
      s.threshold.advance(frames);
      s.knee.advance(frames);
      return;
    }
    if (this.#skipped) {
      this.reset();
      this.#skipped = false;
    }
    if (this.#pendingMidSide !== s.midSide) this.#switchStereoMode();
    if (this.#plainLinkedStereo) {
      const k = this.#linked;
      if (k !== null && this.kernel !== 'js' && frames <= k.maxBlock) this.#processLinkedWasm(k, channels[0] as Float32Array, channels[1] as Float32Array, frames);
      else this.#processLinkedStereo(channels[0] as Float32Array, channels[1] as Float32Array, frames);
    } else processSegment(s, channels, 0, frames);
    this.#checkState();
  }

  /**
   * The common mastering case with nothing in flight: stereo L/R, fully linked, peak detection, no
   * sidechain filter, no auto release, every glide at rest, 100 % wet. Then processSegment does
   * exactly what #processLinkedStereo does (the same operations in the same order, so the same
   * bits, whatever the block size), with none of its per-sample branches.
   */
  get #plainLinkedStereo(): boolean {
    const s = this.#s;
    return (
      s.channels === 2 &&
      s.midSide === 0 &&
      s.link >= 1 &&
      s.detector === 0 &&
      s.scHpOn === 0 &&
      s.autoRelease === 0 &&
      s.threshold.remaining === 0 &&
      s.slope.remaining === 0 &&
      s.knee.remaining === 0 &&
      s.makeup.remaining === 0 &&
      s.mix.remaining === 0 &&
      s.mix.value === 1
    );
  }

  /** #processLinkedStereo in the WASM kernel (the same bits). */
  #processLinkedWasm(k: WasmLinkedCompressor, c0: Float32Array, c1: Float32Array, frames: number): void {
    const s = this.#s;
    const sloV = s.slope.value;
    const thrV = s.threshold.value;
    const kneV = s.knee.value;
    const env = s.env;
    const state = k.state;
    state[STATE_ENV_DB] = env[0] as number;
    state[STATE_MAX_GR_DB] = s.gainReductionDb;
    // Two stores, not a conditional expression: a phi of a computed double and the Infinity
    // constant makes V8 box the double (16 bytes per block).
    if (sloV > 0) state[STATE_KNEE_START_SQ] = Math.pow(10, (thrV - kneV / 2) / 10);
    else state[STATE_KNEE_START_SQ] = Infinity;
    state[STATE_THRESHOLD_DB] = thrV;
    state[STATE_SLOPE] = sloV;
    state[STATE_KNEE_DB] = kneV;
    state[STATE_MAKEUP] = s.makeup.value;
    state[STATE_ALPHA_ATTACK] = s.alphaAttack;
    state[STATE_ALPHA_RELEASE] = s.alphaRelease;
    k.process(c0, c1, frames);
    env[0] = state[STATE_ENV_DB];
    s.gainReductionDb = state[STATE_MAX_GR_DB];
  }

  #processLinkedStereo(c0: Float32Array, c1: Float32Array, frames: number): void {
    const s = this.#s;
    const math = s.math;
    const env = s.env;
    const aA = s.alphaAttack;
    const aR = s.alphaRelease;
    const bA = 1 - aA;
    const bR = 1 - aR;
    const thrV = s.threshold.value;
    const sloV = s.slope.value;
    const kneV = s.knee.value;
    const makV = s.makeup.value;
    // Not `sloV > 0 ? ... : Infinity` (a phi of a computed double and a constant: V8 boxes it,
    // 16 bytes per block); the slope is tested per frame instead, as processSegment does.
    const kneeStartSq = Math.pow(10, (thrV - kneV / 2) / 10);
    let e = env[0] as number;
    let maxGr = s.gainReductionDb;
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
    s.gainReductionDb = maxGr;
  }

  /** Once per block: flush denormals; a non-finite state resets the detector. */
  #checkState(): void {
    const s = this.#s;
    let sum = 0;
    const nch = s.channels;
    for (let c = 0; c < nch; c++) {
      sum += (s.env[c] as number) + (s.envSlow[c] as number) + (s.meanSq[c] as number);
      const h0 = s.hpState[c * 2] as number;
      const h1 = s.hpState[c * 2 + 1] as number;
      sum += h0 + h1;
      if (h0 < DENORMAL_FLOOR && h0 > -DENORMAL_FLOOR) s.hpState[c * 2] = 0;
      if (h1 < DENORMAL_FLOOR && h1 > -DENORMAL_FLOOR) s.hpState[c * 2 + 1] = 0;
      if ((s.env[c] as number) < DENORMAL_FLOOR) s.env[c] = 0;
      if ((s.envSlow[c] as number) < DENORMAL_FLOOR) s.envSlow[c] = 0;
      if ((s.meanSq[c] as number) < DENORMAL_FLOOR) s.meanSq[c] = 0;
    }
    if (sum - sum !== 0) {
      this.reset();
      this.#stateResets++;
    }
  }
}
