import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { Ramp, msToSamples } from './dsp/ramp.ts';
import { writeDryRings } from './dry-ring.ts';
import { applyRamp } from './gain.ts';
import { dbToGain, type Processor } from './processor.ts';

export interface SlotOptions {
  readonly smoothingMs: number;
  /** Add `<id>.bypass` (click-free, latency-compensated). */
  readonly bypass: boolean;
  /** Add `<id>.outputGainDb` and `<id>.invertPolarity`, with this gain range. */
  readonly trim?: { readonly minDb: number; readonly maxDb: number };
}

/**
 * Wraps a processor with what every stage of the chain has: bypass, output gain and polarity.
 *
 * Bypass cross-fades (linearly, over the smoothing time) between the processed signal and the
 * dry signal delayed by the processor's latency, so bypassing a lookahead limiter neither clicks
 * nor moves the audio in time. The processor keeps running while bypassed, so engaging it again
 * fades into a warm state, not into stale filter memory. Fully bypassed, the output is the delayed
 * input exactly; at unity trim and not bypassed, the slot adds no arithmetic at all.
 */
export class ProcessorSlot {
  readonly inner: Processor;
  readonly params: readonly ParamSpec[];
  readonly #innerCount: number;
  readonly #smoothingMs: number;
  readonly #hasBypass: boolean;
  readonly #hasTrim: boolean;
  #glide = 1;
  /** 1 = processed, 0 = bypassed. */
  readonly #wet = new Ramp(1);
  #trimGain = 1;
  #invert = false;
  readonly #trim = new Ramp(1);
  #ring: Float32Array[] = [];
  #ringMask = 0;
  #ringPos = 0;
  #maxBlock = 0;

  constructor(inner: Processor, options: SlotOptions) {
    this.inner = inner;
    this.#smoothingMs = options.smoothingMs;
    this.#hasBypass = options.bypass;
    this.#hasTrim = options.trim !== undefined;
    this.#innerCount = inner.params.length;
    const id = inner.id;
    const own: ParamSpec[] = [];
    if (options.bypass) {
      own.push(defineParam({ id: `${id}.bypass`, label: `${inner.kind} bypass`, kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: id }));
    }
    if (options.trim) {
      own.push(
        defineParam({ id: `${id}.outputGainDb`, label: `${inner.kind} output gain`, kind: 'continuous', unit: 'dB', min: options.trim.minDb, max: options.trim.maxDb, default: 0, group: id }),
        defineParam({ id: `${id}.invertPolarity`, label: `${inner.kind} polarity`, kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: id }),
      );
    }
    this.params = [...inner.params, ...own];
  }

  get id(): string {
    return this.inner.id;
  }

  get latencySamples(): number {
    return this.inner.latencySamples;
  }

  get bypassed(): boolean {
    return this.#wet.target === 0;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    this.inner.prepare(sampleRate, maxBlock, channels);
    this.#maxBlock = maxBlock;
    this.#glide = msToSamples(this.#smoothingMs, sampleRate);
    this.#wet.set(this.#wet.target);
    this.#trim.set(this.#trim.target);
    if (this.#hasBypass) {
      const maxLatency = this.inner.maxLatencySamples ?? this.inner.latencySamples;
      let n = 1;
      while (n < maxLatency + maxBlock + 1) n <<= 1;
      this.#ring = Array.from({ length: channels }, () => new Float32Array(n));
      this.#ringMask = n - 1;
    }
    this.#ringPos = 0;
  }

  reset(): void {
    this.inner.reset();
    for (const r of this.#ring) r.fill(0);
  }

  setParam(index: number, value: number): void {
    if (index < this.#innerCount) {
      this.inner.setParam(index, value);
      return;
    }
    let own = index - this.#innerCount;
    if (this.#hasBypass) {
      if (own === 0) {
        this.#wet.setTarget(value >= 0.5 ? 0 : 1, this.#glide);
        return;
      }
      own--;
    }
    if (!this.#hasTrim) return;
    if (own === 0) this.#trimGain = dbToGain(value);
    else if (own === 1) this.#invert = value >= 0.5;
    this.#trim.setTarget(this.#invert ? -this.#trimGain : this.#trimGain, this.#glide);
  }

  process(channels: Float32Array[], frames: number): void {
    const wet = this.#wet;
    const lat = this.inner.latencySamples;
    const blending = wet.value !== 1 || wet.moving;
    if (this.#hasBypass && (blending || lat > 0)) writeDryRings(this.#ring, channels, frames, this.#ringPos, this.#ringMask, this.#maxBlock);
    this.inner.process(channels, frames);
    if (this.#hasTrim) applyRampAll(this.#trim, channels, frames);
    if (blending) this.#blend(channels, frames, lat);
    this.#ringPos += frames;
  }

  #blend(channels: Float32Array[], frames: number, lat: number): void {
    const wet = this.#wet;
    const mask = this.#ringMask;
    const start = this.#ringPos - lat;
    const v0 = wet.value;
    const rem0 = wet.remaining;
    const step = wet.step;
    const target = wet.target;
    let v = v0;
    let rem = rem0;
    for (let c = 0; c < this.#ring.length; c++) {
      const r = this.#ring[c] as Float32Array;
      const x = channels[c] as Float32Array;
      v = v0;
      rem = rem0;
      for (let i = 0; i < frames; i++) {
        if (rem > 0) {
          v += step;
          if (--rem === 0) v = target;
        }
        const dry = r[(start + i) & mask] as number;
        x[i] = v === 0 ? dry : dry + v * ((x[i] as number) - dry);
      }
    }
    wet.value = v;
    wet.remaining = rem;
  }
}

/** The same gliding factor on every channel. */
export function applyRampAll(r: Ramp, chans: Float32Array[], frames: number): void {
  const v = r.value;
  const rem = r.remaining;
  for (let c = 0; c < chans.length; c++) {
    r.value = v;
    r.remaining = rem;
    applyRamp(r, chans[c] as Float32Array, frames);
  }
}
