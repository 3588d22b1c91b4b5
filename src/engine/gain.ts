import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { Ramp, msToSamples } from './dsp/ramp.ts';
import { dbToGain, type Processor, type ProcessorOptions } from './processor.ts';

const P_GAIN = 0;
const P_POL_L = 1;
const P_POL_R = 2;

/**
 * Gain and per-channel polarity. Each channel's factor (gain times +-1) glides per sample, so a
 * polarity flip fades through zero instead of stepping (a step is a click). Channel 0 follows
 * polarityLeft, channel 1 polarityRight, further channels polarityLeft. Unity: skipped (bit-exact).
 */
export class Gain implements Processor {
  readonly kind = 'gain';
  readonly id: string;
  readonly params: readonly ParamSpec[];
  readonly latencySamples = 0;
  readonly gainReductionDb = 0;
  readonly stateResets = 0;
  readonly #smoothingMs: number;
  #glide = 1;
  #gain = 1;
  #invertLeft = false;
  #invertRight = false;
  #ramps: Ramp[] = [];

  constructor(options: ProcessorOptions) {
    this.id = options.id;
    this.#smoothingMs = options.smoothingMs;
    const id = this.id;
    const group = id;
    this.params = [
      defineParam({ id: `${id}.gainDb`, label: 'Gain', kind: 'continuous', unit: 'dB', min: -24, max: 24, default: 0, group }),
      defineParam({ id: `${id}.invertLeft`, label: 'Polarity left', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group }),
      defineParam({ id: `${id}.invertRight`, label: 'Polarity right', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group }),
    ];
  }

  prepare(sampleRate: number, _maxBlock: number, channels: number): void {
    this.#glide = msToSamples(this.#smoothingMs, sampleRate);
    this.#ramps = Array.from({ length: channels }, (_, c) => new Ramp(this.#factor(c)));
  }

  reset(): void {
    for (let c = 0; c < this.#ramps.length; c++) (this.#ramps[c] as Ramp).set(this.#factor(c));
  }

  #factor(c: number): number {
    const inv = c === 1 ? this.#invertRight : this.#invertLeft;
    return inv ? -this.#gain : this.#gain;
  }

  setParam(index: number, value: number): void {
    if (index === P_GAIN) this.#gain = dbToGain(value);
    else if (index === P_POL_L) this.#invertLeft = value >= 0.5;
    else if (index === P_POL_R) this.#invertRight = value >= 0.5;
    for (let c = 0; c < this.#ramps.length; c++) (this.#ramps[c] as Ramp).setTarget(this.#factor(c), this.#glide);
  }

  process(channels: Float32Array[], frames: number): void {
    const ramps = this.#ramps;
    for (let c = 0; c < ramps.length; c++) applyRamp(ramps[c] as Ramp, channels[c] as Float32Array, frames);
  }
}

/** Multiply `x` by a gliding factor; a settled factor of exactly 1 leaves `x` untouched. */
export function applyRamp(r: Ramp, x: Float32Array, frames: number): void {
  let v = r.value;
  let rem = r.remaining;
  if (rem === 0) {
    if (v === 1) return;
    for (let i = 0; i < frames; i++) x[i] = (x[i] as number) * v;
    return;
  }
  const st = r.step;
  const target = r.target;
  for (let i = 0; i < frames; i++) {
    if (rem > 0) {
      v += st;
      if (--rem === 0) v = target;
    }
    x[i] = (x[i] as number) * v;
  }
  r.value = v;
  r.remaining = rem;
}
