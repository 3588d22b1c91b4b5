import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { DESIGN_SCRATCH_SIZE, SCRATCH_FREQ, SCRATCH_FS, SCRATCH_Q, designHighPass2FromScratch } from './dsp/filter-design.ts';
import { Ramp, msToSamples } from './dsp/ramp.ts';
import { CONTROL_INTERVAL, dbToGain, DENORMAL_FLOOR, type Processor, type ProcessorOptions } from './processor.ts';

const P_MID = 0;
const P_SIDE = 1;
const P_MONO_ON = 2;
const P_MONO_HZ = 3;
/** The bottom of the side-gain range mutes the side (mono). */
export const SIDE_GAIN_MUTE_DB = -60;

/**
 * Width / mid-side: mid and side gains, and a mono-maker that removes the side signal below a
 * frequency (vinyl cutting wants mono bass) with a 4th-order (Linkwitz-Riley slope) high-pass on
 * the side only, so the mid is untouched. Stereo only; other channel counts pass through.
 * Gains glide per sample; the mono-maker fades in/out and its corner glides in log frequency,
 * redesigned every CONTROL_INTERVAL samples. Neutral settings skip the stage (bit-exact).
 */
export class Width implements Processor {
  readonly kind = 'width';
  readonly id: string;
  readonly params: readonly ParamSpec[];
  readonly latencySamples = 0;
  readonly gainReductionDb = 0;
  #stateResets = 0;
  readonly #smoothingMs: number;
  #sampleRate = 48000;
  #channels = 0;
  #glide = 1;
  readonly #mid = new Ramp(1);
  readonly #side = new Ramp(1);
  /** Mono-maker amount (0 = off, 1 = side high-passed). */
  readonly #mono = new Ramp(0);
  readonly #logHz = new Ramp(Math.log2(100));
  readonly #coefs = new Float64Array(10);
  readonly #designScratch = new Float64Array(DESIGN_SCRATCH_SIZE);
  readonly #state = new Float64Array(4);
  #countdown = 0;
  #designedLogHz = Number.NaN;
  #skipped = true;

  constructor(options: ProcessorOptions) {
    this.id = options.id;
    this.#smoothingMs = options.smoothingMs;
    const id = this.id;
    const group = id;
    this.params = [
      defineParam({ id: `${id}.midGainDb`, label: 'Mid gain', kind: 'continuous', unit: 'dB', min: -12, max: 12, default: 0, group }),
      defineParam({ id: `${id}.sideGainDb`, label: 'Side gain (-60 = mono)', kind: 'continuous', unit: 'dB', min: SIDE_GAIN_MUTE_DB, max: 12, default: 0, taper: 'db', group }),
      defineParam({ id: `${id}.monoMakerEnabled`, label: 'Mono maker on', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group }),
      defineParam({ id: `${id}.monoBelowHz`, label: 'Mono below', kind: 'continuous', unit: 'Hz', min: 20, max: 500, default: 100, taper: 'log', group }),
    ];
  }

  get stateResets(): number {
    return this.#stateResets;
  }

  prepare(sampleRate: number, _maxBlock: number, channels: number): void {
    this.#sampleRate = sampleRate;
    this.#channels = channels;
    this.#glide = msToSamples(this.#smoothingMs, sampleRate);
    for (const r of [this.#mid, this.#side, this.#mono, this.#logHz]) r.set(r.target);
    this.#design();
    this.reset();
  }

  reset(): void {
    this.#state.fill(0);
    this.#countdown = 0;
  }

  setParam(index: number, value: number): void {
    const n = this.#glide;
    switch (index) {
      case P_MID:
        this.#mid.setTarget(dbToGain(value), n);
        break;
      case P_SIDE:
        this.#side.setTarget(value <= SIDE_GAIN_MUTE_DB ? 0 : dbToGain(value), n);
        break;
      case P_MONO_ON:
        if (value >= 0.5 && this.#mono.value === 0) this.#state.fill(0);
        this.#mono.setTarget(value >= 0.5 ? 1 : 0, n);
        break;
      case P_MONO_HZ:
        this.#logHz.setTarget(Math.log2(value), Math.ceil(n / CONTROL_INTERVAL));
        this.#countdown = 0;
        break;
    }
  }

  #design(): void {
    // Two Butterworth sections at the same corner: the Linkwitz-Riley 4th-order slope. The
    // doubles go through the scratch: this runs on the audio path while the corner glides.
    const m = this.#designScratch;
    m[SCRATCH_FREQ] = Math.pow(2, this.#logHz.value);
    m[SCRATCH_Q] = Math.SQRT1_2;
    m[SCRATCH_FS] = this.#sampleRate;
    designHighPass2FromScratch(this.#coefs, 0, m);
    this.#coefs.copyWithin(5, 0, 5);
    this.#designedLogHz = this.#logHz.value;
  }

  get #neutral(): boolean {
    return (
      this.#mid.value === 1 &&
      this.#side.value === 1 &&
      this.#mono.value === 0 &&
      !this.#mid.moving &&
      !this.#side.moving &&
      !this.#mono.moving
    );
  }

  process(channels: Float32Array[], frames: number): void {
    if (this.#channels !== 2 || this.#neutral) {
      this.#skipped = true;
      // Inaudible while skipped: land on the target corner directly.
      if (this.#logHz.moving || this.#logHz.value !== this.#designedLogHz) {
        this.#logHz.set(this.#logHz.target);
        this.#design();
      }
      return;
    }
    if (this.#skipped) {
      this.#state.fill(0);
      this.#skipped = false;
    }
    let pos = 0;
    while (pos < frames) {
      if (this.#countdown === 0) {
        if (this.#logHz.moving) {
          this.#logHz.advance(1);
          this.#design();
        }
        this.#countdown = CONTROL_INTERVAL;
      }
      const len = Math.min(this.#countdown, frames - pos);
      this.#segment(channels[0] as Float32Array, channels[1] as Float32Array, pos, pos + len);
      this.#countdown -= len;
      pos += len;
    }
    const st = this.#state;
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      const v = st[i] as number;
      sum += v;
      if (v < DENORMAL_FLOOR && v > -DENORMAL_FLOOR) st[i] = 0;
    }
    if (sum - sum !== 0) {
      st.fill(0);
      this.#stateResets++;
    }
  }

  #segment(l: Float32Array, r: Float32Array, from: number, to: number): void {
    const c = this.#coefs;
    const st = this.#state;
    const b0 = c[0] as number;
    const b1 = c[1] as number;
    const b2 = c[2] as number;
    const a1 = c[3] as number;
    const a2 = c[4] as number;
    let z1 = st[0] as number;
    let z2 = st[1] as number;
    let z3 = st[2] as number;
    let z4 = st[3] as number;
    const mid = this.#mid;
    const side = this.#side;
    const mono = this.#mono;
    let mV = mid.value;
    let mR = mid.remaining;
    let sV = side.value;
    let sR = side.remaining;
    let oV = mono.value;
    let oR = mono.remaining;
    const filtering = oV > 0 || oR > 0;
    for (let i = from; i < to; i++) {
      if (mR > 0) {
        mV += mid.step;
        if (--mR === 0) mV = mid.target;
      }
      if (sR > 0) {
        sV += side.step;
        if (--sR === 0) sV = side.target;
      }
      if (oR > 0) {
        oV += mono.step;
        if (--oR === 0) oV = mono.target;
      }
      const x0 = l[i] as number;
      const x1 = r[i] as number;
      const m = 0.5 * (x0 + x1);
      let s = 0.5 * (x0 - x1);
      if (filtering) {
        const y1 = b0 * s + z1;
        z1 = b1 * s - a1 * y1 + z2;
        z2 = b2 * s - a2 * y1;
        const y2 = b0 * y1 + z3;
        z3 = b1 * y1 - a1 * y2 + z4;
        z4 = b2 * y1 - a2 * y2;
        s += oV * (y2 - s);
      }
      const mm = mV * m;
      const ss = sV * s;
      l[i] = mm + ss;
      r[i] = mm - ss;
    }
    st[0] = z1;
    st[1] = z2;
    st[2] = z3;
    st[3] = z4;
    mid.value = mV;
    mid.remaining = mR;
    side.value = sV;
    side.remaining = sR;
    mono.value = oV;
    mono.remaining = oR;
  }
}
