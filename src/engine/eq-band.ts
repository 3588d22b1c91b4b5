import { CONTROL_INTERVAL } from './processor.ts';
import {
  COEF_STRIDE,
  DESIGN_SCRATCH_SIZE,
  HIGH_PASS,
  LOW_PASS,
  MAX_SECTIONS,
  SCRATCH_FREQ,
  SCRATCH_FS,
  SCRATCH_GAIN,
  SCRATCH_Q,
  designBandFromScratch,
  isGainType,
} from './dsp/filter-design.ts';
import { staticSections, toLeftRight, toMidSide } from './dsp/biquad-kernels.ts';

import { crossFade, filterCopy, flushState, glideSections, MODE_STEREO, modeChannels, SPAN_HI, SPAN_LO, SPAN_MS } from './eq-band-kernels.ts';

export { BAND_MODES, MODE_LEFT, MODE_MID, MODE_RIGHT, MODE_SIDE, MODE_STEREO, type BandMode } from './eq-band-kernels.ts';

// Imported bindings are property reads under tsx/vite: module constants for the hot loops.
const STRIDE = COEF_STRIDE;
const SECTIONS = MAX_SECTIONS;
const F_FREQ = SCRATCH_FREQ;
const F_GAIN = SCRATCH_GAIN;
const F_Q = SCRATCH_Q;
const F_FS = SCRATCH_FS;
const COEFS = SECTIONS * STRIDE;
/** Shelf Q is the shelf's slope: above 2 the prototype rings by several dB, below 0.3 it hardly shelves. */
const SHELF_Q_MIN = 0.3;
const SHELF_Q_MAX = 2;

/**
 * One EQ band: a cascade of up to four sections (48 dB/oct) with parameter glides and
 * click-free switching.
 *
 * Continuous parameters (frequency in log2 Hz, gain in dB, Q in ln) glide linearly to a new
 * target over the smoothing time; every CONTROL_INTERVAL samples the band designs the
 * coefficients for the next point of the glide and interpolates every coefficient linearly,
 * sample by sample, across the interval, so the response moves continuously (no zipper).
 * Discrete parameters (type, slope, stereo mode, on/off) cannot glide: the band cross-fades its
 * output to dry, switches and resets while silent, then fades back in.
 *
 * The control grid starts at the sample a parameter changed, so given the same changes at the
 * same sample positions the output is bit-identical at any host block size.
 */
export class EqBand {
  // Requested values (what the ParamStore says).
  #enabled = 1;
  #type = 0;
  #mode = MODE_STEREO;
  #slopeDbOct = 12;
  #targetLogF = Math.log2(1000);
  #targetGainDb = 0;
  #targetLogQ = Math.log(Math.SQRT1_2);
  // What is running now.
  #aEnabled = 1;
  #aType = 0;
  #aMode = MODE_STEREO;
  #aSlopeDbOct = 12;
  #logF = Math.log2(1000);
  #gainDb = 0;
  #logQ = Math.log(Math.SQRT1_2);
  #incLogF = 0;
  #incGainDb = 0;
  #incLogQ = 0;
  #rampTicks = 0;
  #discretePending = false;

  #sections = 1;
  readonly #cur = new Float64Array(COEFS);
  readonly #tgt = new Float64Array(COEFS);
  readonly #inc = new Float64Array(COEFS);
  readonly #run = new Float64Array(COEFS);
  readonly #scratch = new Float64Array(DESIGN_SCRATCH_SIZE);
  #coefsMoving = false;

  /** Output mix: y = x + w (filtered - x). */
  #w = 1;
  #wInc = 0;
  /** Where w lands at the end of the current control interval. */
  #wEnd = 1;
  #fadeDir = 0;
  #fadeStep = 1;

  /** Type / mode / slope switch: the old filter keeps running and is cross-faded into the new one. */
  #switching = false;
  #xf = 1;
  #xfInc = 0;
  #xfEnd = 1;
  readonly #oldCoefs = new Float64Array(COEFS);
  #oldState = new Float64Array(0);
  #oldSections = 1;
  #oldMode = MODE_STEREO;
  #oldWork: Float64Array[] = [];
  /** [w, wInc] in, w out: the gliding kernel's doubles go through memory (arguments get boxed). */
  readonly #mix = new Float64Array(2);
  /** modeChannels() output: [lo, hi, mid/side]. */
  readonly #span = new Int32Array(3);

  #countdown = 0;
  /** The next tick was forced by a parameter change, mid-interval: do not snap to the interval's end. */
  #forced = false;
  #forcedXf = false;
  #skipped = true;
  #state = new Float64Array(0);
  #sampleRate = 48000;
  #glideTicks = 1;
  readonly #smoothingMs: number;

  constructor(smoothingMs: number) {
    this.#smoothingMs = smoothingMs;
  }

  prepare(sampleRate: number, channels: number, maxBlock: number): void {
    this.#sampleRate = sampleRate;
    this.#state = new Float64Array(channels * SECTIONS * 2);
    this.#oldState = new Float64Array(channels * SECTIONS * 2);
    this.#oldWork = Array.from({ length: channels }, () => new Float64Array(maxBlock));
    const ticks = Math.ceil((this.#smoothingMs * sampleRate) / 1000 / CONTROL_INTERVAL);
    this.#glideTicks = ticks < 1 ? 1 : ticks;
    this.#fadeStep = 1 / this.#glideTicks;
    this.#snapAll();
  }

  /** Jump to the requested settings with no glide (prepare, reset). */
  #snapAll(): void {
    this.#aEnabled = this.#enabled;
    this.#aType = this.#type;
    this.#aMode = this.#mode;
    this.#aSlopeDbOct = this.#slopeDbOct;
    this.#logF = this.#targetLogF;
    this.#gainDb = this.#targetGainDb;
    this.#logQ = this.#targetLogQ;
    this.#rampTicks = 0;
    this.#discretePending = false;
    this.#design(this.#cur);
    this.#tgt.set(this.#cur);
    this.#inc.fill(0);
    this.#coefsMoving = false;
    this.#w = this.#aEnabled ? 1 : 0;
    this.#wEnd = this.#w;
    this.#wInc = 0;
    this.#fadeDir = 0;
    this.#countdown = 0;
    this.#forced = false;
    this.#switching = false;
    this.#xf = 1;
    this.#xfEnd = 1;
    this.#xfInc = 0;
    this.#state.fill(0);
  }

  reset(): void {
    this.#snapAll();
  }

  /** Stereo mode of the running filter (the EQ picks the L/R or M/S domain from it). */
  get mode(): number {
    return this.#aMode;
  }

  get sections(): number {
    return this.#sections;
  }

  /** Current coefficients (for displays and tests). */
  get coefficients(): Float64Array {
    return this.#cur;
  }

  /**
   * The next block is one fixed cascade over both channels of a stereo pair, nothing gliding or
   * switching: what the WASM fast path of the EQ runs (beginStatic(), then the cascade on
   * `coefficients` / `liveState`).
   */
  get staticStereo(): boolean {
    return !this.idle && !this.#moving && this.#wInc === 0 && this.#aMode === MODE_STEREO;
  }

  /** Fast-path entry: what process() does before its first span. */
  beginStatic(): void {
    if (this.#skipped) {
      this.#state.fill(0);
      this.#skipped = false;
    }
  }

  /** The filter state, in the layout of dsp/biquad-kernels.ts (for the fast path). */
  get liveState(): Float64Array {
    return this.#state;
  }

  /** True when the band leaves the signal bit-exactly untouched and has nothing in flight. */
  get idle(): boolean {
    if (this.#rampTicks > 0 || this.#coefsMoving || this.#fadeDir !== 0 || this.#discretePending || this.#switching) return false;
    if (this.#aEnabled === 0) return this.#w === 0;
    return this.#w === 1 && isGainType(this.#aType) && this.#gainDb === 0;
  }

  setEnabled(on: number): void {
    this.#enabled = on >= 0.5 ? 1 : 0;
    this.#requestDiscrete();
  }

  setType(type: number): void {
    this.#type = type;
    this.#requestDiscrete();
  }

  setMode(mode: number): void {
    this.#mode = mode;
    this.#requestDiscrete();
  }

  setSlope(slopeDbOct: number): void {
    this.#slopeDbOct = slopeDbOct;
    // The slope only matters to the passes; elsewhere take it silently.
    if (this.#aType === HIGH_PASS || this.#aType === LOW_PASS) this.#requestDiscrete();
    else this.#aSlopeDbOct = slopeDbOct;
  }

  setFreq(freqHz: number): void {
    this.#targetLogF = Math.log2(freqHz);
    this.#startGlide();
  }

  setGain(gainDb: number): void {
    this.#targetGainDb = gainDb;
    this.#startGlide();
  }

  setQ(q: number): void {
    this.#targetLogQ = Math.log(q);
    this.#startGlide();
  }

  #startGlide(): void {
    if (this.#discretePending || (this.#fadeDir === 0 && this.#w === 0)) {
      // Silent or about to switch: the glide would be inaudible, the switch snaps anyway.
      if (this.#fadeDir === 0 && this.#w === 0) this.#snapContinuous();
      return;
    }
    const n = this.#glideTicks;
    this.#incLogF = (this.#targetLogF - this.#logF) / n;
    this.#incGainDb = (this.#targetGainDb - this.#gainDb) / n;
    this.#incLogQ = (this.#targetLogQ - this.#logQ) / n;
    this.#rampTicks = n;
    this.#force();
  }

  /** Start a control interval at the next sample processed (the change is heard in the next block). */
  #force(): void {
    if (this.#countdown !== 0) {
      this.#forced = true;
      this.#forcedXf = true;
    }
    this.#countdown = 0;
  }

  #snapContinuous(): void {
    this.#logF = this.#targetLogF;
    this.#gainDb = this.#targetGainDb;
    this.#logQ = this.#targetLogQ;
    this.#rampTicks = 0;
    this.#design(this.#cur);
    this.#tgt.set(this.#cur);
    this.#inc.fill(0);
    this.#coefsMoving = false;
  }

  #requestDiscrete(): void {
    const same =
      this.#enabled === this.#aEnabled && this.#type === this.#aType && this.#mode === this.#aMode && this.#slopeDbOct === this.#aSlopeDbOct;
    if (same && !this.#discretePending) return;
    if (this.#fadeDir === 0 && this.#w === 0 && !this.#switching) {
      // Silent (disabled): switch now, fade in if now enabled.
      this.#switchNow();
      return;
    }
    this.#discretePending = true;
    // Turning the band off fades to dry; any other switch waits for a steady band and then
    // cross-fades the old filter into the new one (see #startSwitch).
    if (this.#enabled === 0 && this.#aEnabled === 1) this.#fadeDir = -1;
    this.#force();
  }

  /**
   * Cross-fade to the new type / mode / slope: the current filter (coefficients, state, stereo
   * mode) becomes the "old" path and keeps running, the new one starts from silence-free zero
   * state, and their outputs are mixed from old to new over the smoothing time. Fading through
   * dry instead would bump the level (a cut band would briefly come back).
   */
  #startSwitch(): void {
    this.#oldCoefs.set(this.#cur);
    this.#oldState.set(this.#state);
    this.#oldSections = this.#sections;
    this.#oldMode = this.#aMode;
    this.#discretePending = false;
    this.#aType = this.#type;
    this.#aMode = this.#mode;
    this.#aSlopeDbOct = this.#slopeDbOct;
    this.#snapContinuous();
    this.#state.fill(0);
    this.#switching = true;
    this.#xf = 0;
    this.#xfEnd = 0;
  }

  #switchNow(): void {
    this.#discretePending = false;
    this.#aEnabled = this.#enabled;
    this.#aType = this.#type;
    this.#aMode = this.#mode;
    this.#aSlopeDbOct = this.#slopeDbOct;
    this.#snapContinuous();
    this.#state.fill(0);
    this.#w = 0;
    this.#wEnd = 0;
    this.#fadeDir = this.#aEnabled ? 1 : 0;
    this.#force();
  }

  #design(out: Float64Array): void {
    let q = Math.exp(this.#logQ);
    if (this.#aType !== 0 && this.#aType !== HIGH_PASS && this.#aType !== LOW_PASS) {
      q = q < SHELF_Q_MIN ? SHELF_Q_MIN : q > SHELF_Q_MAX ? SHELF_Q_MAX : q;
    }
    // Doubles go through the scratch, not as arguments (see filter-design.ts).
    const m = this.#scratch;
    m[F_FREQ] = Math.pow(2, this.#logF);
    m[F_GAIN] = this.#gainDb;
    m[F_Q] = q;
    m[F_FS] = this.#sampleRate;
    this.#sections = designBandFromScratch(out, 0, m, this.#aType, this.#aSlopeDbOct);
  }

  /** Control-rate step: advance glides and fades, design the coefficients at the next point. */
  #tick(): void {
    if (!this.#forced) {
      // The interval ran to its end: land exactly on its targets (no drift from the additions).
      if (this.#coefsMoving) this.#cur.set(this.#tgt);
      this.#w = this.#wEnd;
    }
    this.#forced = false;
    if (this.#switching) {
      if (!this.#forcedXf) this.#xf = this.#xfEnd;
      if (this.#xf >= 1) {
        this.#xf = 1;
        this.#switching = false;
      }
    }
    this.#forcedXf = false;
    if (this.#fadeDir < 0 && this.#w <= 0) {
      this.#w = 0;
      if (this.#discretePending) this.#switchNow();
      else this.#fadeDir = 0;
    } else if (this.#fadeDir > 0 && this.#w >= 1) {
      this.#w = 1;
      this.#fadeDir = 0;
    }
    if (this.#discretePending && !this.#switching && this.#fadeDir === 0 && this.#w === 1 && this.#enabled === 1) this.#startSwitch();
    if (this.#rampTicks > 0) {
      this.#rampTicks--;
      if (this.#rampTicks === 0) {
        this.#logF = this.#targetLogF;
        this.#gainDb = this.#targetGainDb;
        this.#logQ = this.#targetLogQ;
      } else {
        this.#logF += this.#incLogF;
        this.#gainDb += this.#incGainDb;
        this.#logQ += this.#incLogQ;
      }
      const before = this.#sections;
      this.#design(this.#tgt);
      if (this.#sections !== before) {
        // Cannot happen within one type/slope, but never interpolate across structures.
        this.#cur.set(this.#tgt);
      }
      const inv = 1 / CONTROL_INTERVAL;
      const n = this.#sections * STRIDE;
      for (let k = 0; k < n; k++) this.#inc[k] = ((this.#tgt[k] as number) - (this.#cur[k] as number)) * inv;
      this.#coefsMoving = true;
    } else if (this.#coefsMoving) {
      this.#cur.set(this.#tgt);
      this.#inc.fill(0);
      this.#coefsMoving = false;
    }
    if (this.#switching) {
      let end = this.#xf + this.#fadeStep;
      end = end > 1 ? 1 : end;
      this.#xfEnd = end;
      this.#xfInc = (end - this.#xf) / CONTROL_INTERVAL;
    } else {
      this.#xfInc = 0;
    }
    if (this.#fadeDir !== 0) {
      let end = this.#w + this.#fadeDir * this.#fadeStep;
      end = end < 0 ? 0 : end > 1 ? 1 : end;
      this.#wEnd = end;
      this.#wInc = (end - this.#w) / CONTROL_INTERVAL;
    } else {
      this.#wEnd = this.#w;
      this.#wInc = 0;
    }
    this.#countdown = CONTROL_INTERVAL;
  }

  get #moving(): boolean {
    return this.#rampTicks > 0 || this.#coefsMoving || this.#fadeDir !== 0 || this.#discretePending || this.#switching;
  }

  /**
   * Filter the Float64 work buffers (L/R, `nch` channels) in place, per the band's stereo mode:
   * stereo filters every channel; mid/side convert channels 0/1 to M/S around the filter; left,
   * right (and mid on a mono signal) filter one channel; side on a mono signal filters nothing
   * but still advances the glides. The mapping is taken per control interval, so a mode switch
   * lands on the same sample whatever the host block size.
   */
  process(work: Float64Array[], nch: number, frames: number): void {
    if (this.idle) {
      this.#skipped = true;
      return;
    }
    if (this.#skipped) {
      // The state went stale while the band was idle: start clean (a flat band from zero state
      // outputs its input exactly, so this is silent).
      this.#state.fill(0);
      this.#skipped = false;
    }
    let pos = 0;
    while (pos < frames) {
      if (this.#moving && this.#countdown === 0) this.#tick();
      if (this.idle) {
        this.#skipped = true;
        return;
      }
      const gliding = this.#coefsMoving || this.#wInc !== 0 || this.#fadeDir !== 0;
      const len = this.#moving ? Math.min(this.#countdown, frames - pos) : frames - pos;
      if (this.#switching) {
        this.#processSwitching(work, nch, pos, len, gliding);
      } else {
        this.#processSpan(work, nch, pos, len, gliding, this.#aMode);
      }
      if (this.#moving) this.#countdown -= len;
      pos += len;
    }
  }

  /** One span with the current filter in stereo mode `mode` (channel mapping, M/S around it). */
  #processSpan(work: Float64Array[], nch: number, pos: number, len: number, gliding: boolean, mode: number): void {
    const span = this.#span;
    modeChannels(mode, nch, span);
    const lo = span[SPAN_LO] as number;
    const hi = span[SPAN_HI] as number;
    const ms = span[SPAN_MS] === 1;
    if (ms) toMidSide(work, pos, pos + len);
    if (gliding) this.#processGliding(work, lo, hi, pos, len);
    else staticSections(this.#cur, this.#state, this.#sections, work, lo, hi, pos, len);
    if (ms) toLeftRight(work, pos, pos + len);
  }

  /** A switch in progress: old filter on a copy, new filter in place, cross-faded old -> new. */
  #processSwitching(work: Float64Array[], nch: number, pos: number, len: number, gliding: boolean): void {
    const old = this.#oldWork;
    filterCopy(this.#oldCoefs, this.#oldState, this.#oldSections, this.#oldMode, work, old, nch, pos, len, this.#span);
    this.#processSpan(work, nch, pos, len, gliding, this.#aMode);
    const mix = this.#mix;
    mix[0] = this.#xf;
    mix[1] = this.#xfInc;
    crossFade(old, work, nch, pos, len, mix);
    this.#xf = mix[0];
  }

  #processGliding(work: Float64Array[], ch0: number, ch1: number, pos: number, len: number): void {
    const mix = this.#mix;
    mix[0] = this.#w;
    mix[1] = this.#wInc;
    glideSections(this.#cur, this.#inc, this.#run, this.#state, this.#sections, work, ch0, ch1, pos, len, mix);
    if (this.#coefsMoving) this.#cur.set(this.#run);
    this.#w = mix[0];
  }

  /** Once per block: flush denormals; a non-finite state resets the band. Returns true on a reset. */
  checkState(): boolean {
    if (this.#switching) {
      const os = this.#oldState;
      let osum = 0;
      for (let i = 0; i < os.length; i++) osum += os[i] as number;
      if (osum - osum !== 0) os.fill(0);
    }
    return flushState(this.#state);
  }
}

