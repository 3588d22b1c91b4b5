import type { ParamSpec } from '../params/param-spec.ts';
import { defineParam } from '../params/param-spec.ts';
import { NO_TAPS, TAP_INPUT, TAP_INSERT_RETURN, TAP_INSERT_SEND, TAP_OUTPUT, type ChainTaps } from './chain-taps.ts';
import { Ramp, msToSamples } from './dsp/ramp.ts';
import { writeDryRings } from './dry-ring.ts';
import { applyRampAll, type ProcessorSlot } from './processor-slot.ts';
import { dbToGain } from './processor.ts';

const P_BYPASS = 0;
const P_INPUT_GAIN = 1;
const P_INVERT = 2;

/** A dynamics processor whose gain reduction the meters show. */
export interface DynamicsEntry {
  readonly id: string;
  readonly slot: ProcessorSlot;
}

/**
 * The ordered digital chain. Parameter indices are global: chain parameters first
 * (`chain.bypass`, `chain.inputGainDb`, `chain.invertPolarity`), then each slot's in order; `params`
 * lists them, and the audio worker addresses them by index (the shared parameter table).
 *
 * Per block: scrub non-finite input samples (replaced by 0, counted: NaN/Inf never reach a filter
 * state), tap `input`, apply the chain's input gain/polarity, run the slots (tapping `insertSend`
 * and `insertReturn` around the insert), cross-fade with the dry input delayed by the chain's
 * latency when the chain is bypassed, scrub the output (a processor that blew up within this
 * block resets itself at its end), tap `output`.
 */
export class Chain {
  readonly params: readonly ParamSpec[];
  readonly slots: readonly ProcessorSlot[];
  readonly dynamics: readonly DynamicsEntry[];
  readonly #slotOf: Int32Array;
  readonly #localIndex: Int32Array;
  readonly #smoothingMs: number;
  readonly #insertIndex: number;
  #taps: ChainTaps = NO_TAPS;
  #glide = 1;
  readonly #wet = new Ramp(1);
  #inputGain = 1;
  #invert = false;
  readonly #gain = new Ramp(1);
  #ring: Float32Array[] = [];
  #ringMask = 0;
  #ringPos = 0;
  #nonFiniteInput = 0;
  #nonFiniteOutput = 0;
  #channels = 0;
  #maxBlock = 0;

  constructor(slots: readonly ProcessorSlot[], options: { readonly smoothingMs: number }) {
    this.slots = slots;
    this.#smoothingMs = options.smoothingMs;
    const own = [
      defineParam({ id: 'chain.bypass', label: 'Chain bypass', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: 'chain' }),
      defineParam({ id: 'chain.inputGainDb', label: 'Chain input gain', kind: 'continuous', unit: 'dB', min: -24, max: 24, default: 0, group: 'chain' }),
      defineParam({ id: 'chain.invertPolarity', label: 'Chain polarity', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: 'chain' }),
    ];
    const params: ParamSpec[] = [...own];
    const slotOf: number[] = [-1, -1, -1];
    const local: number[] = [0, 1, 2];
    slots.forEach((slot, s) => {
      slot.params.forEach((p, i) => {
        params.push(p);
        slotOf.push(s);
        local.push(i);
      });
    });
    this.params = params;
    this.#slotOf = Int32Array.from(slotOf);
    this.#localIndex = Int32Array.from(local);
    this.#insertIndex = slots.findIndex((s) => s.inner.kind === 'insert');
    this.dynamics = slots.filter((s) => s.inner.kind === 'comp' || s.inner.kind === 'limiter').map((slot) => ({ id: slot.id, slot }));
  }

  /** The processor in the `insert` slot, if the chain has one. */
  get insert(): ProcessorSlot | undefined {
    return this.#insertIndex >= 0 ? this.slots[this.#insertIndex] : undefined;
  }

  /** Total latency of the slots (the chain's own stages add none). */
  get latencySamples(): number {
    let l = 0;
    for (let s = 0; s < this.slots.length; s++) l += (this.slots[s] as ProcessorSlot).latencySamples;
    return l;
  }

  /** Input samples that were NaN/Inf and replaced by silence, since prepare. */
  get nonFiniteInput(): number {
    return this.#nonFiniteInput;
  }

  /** Output samples that were NaN/Inf (a processor blew up) and were replaced by silence. */
  get nonFiniteOutput(): number {
    return this.#nonFiniteOutput;
  }

  /** Self-resets of the processors after non-finite state, since construction. */
  get stateResets(): number {
    let n = 0;
    for (let s = 0; s < this.slots.length; s++) n += (this.slots[s] as ProcessorSlot).inner.stateResets;
    return n;
  }

  get channels(): number {
    return this.#channels;
  }

  get maxBlock(): number {
    return this.#maxBlock;
  }

  setTaps(taps: ChainTaps): void {
    this.#taps = taps;
  }

  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    this.#channels = channels;
    this.#maxBlock = maxBlock;
    this.#glide = msToSamples(this.#smoothingMs, sampleRate);
    let maxLatency = 0;
    for (const s of this.slots) {
      s.prepare(sampleRate, maxBlock, channels);
      maxLatency += s.inner.maxLatencySamples ?? s.inner.latencySamples;
    }
    let n = 1;
    while (n < maxLatency + maxBlock + 1) n <<= 1;
    this.#ring = Array.from({ length: channels }, () => new Float32Array(n));
    this.#ringMask = n - 1;
    this.#ringPos = 0;
    this.#wet.set(this.#wet.target);
    this.#gain.set(this.#gain.target);
    this.#nonFiniteInput = 0;
    this.#nonFiniteOutput = 0;
  }

  reset(): void {
    for (const s of this.slots) s.reset();
    for (const r of this.#ring) r.fill(0);
  }

  setParam(index: number, value: number): void {
    const s = this.#slotOf[index];
    if (s === undefined) return;
    if (s >= 0) {
      (this.slots[s] as ProcessorSlot).setParam(this.#localIndex[index] as number, value);
      return;
    }
    if (index === P_BYPASS) {
      this.#wet.setTarget(value >= 0.5 ? 0 : 1, this.#glide);
      return;
    }
    if (index === P_INPUT_GAIN) this.#inputGain = dbToGain(value);
    else if (index === P_INVERT) this.#invert = value >= 0.5;
    this.#gain.setTarget(this.#invert ? -this.#inputGain : this.#inputGain, this.#glide);
  }

  /** Index of a parameter id in `params` (-1 if absent). Not for the audio path. */
  indexOf(id: string): number {
    return this.params.findIndex((p) => p.id === id);
  }

  process(channels: Float32Array[], frames: number): void {
    const nch = this.#channels;
    this.#nonFiniteInput += scrub(channels, nch, frames);
    const taps = this.#taps;
    taps.tap(TAP_INPUT, channels, frames);
    // The dry copy for the chain bypass (always kept: the bypass may engage at any block).
    const pos = this.#ringPos;
    writeDryRings(this.#ring, channels, frames, pos, this.#ringMask, this.#maxBlock);
    applyRampAll(this.#gain, channels, frames);
    const slots = this.slots;
    const ins = this.#insertIndex;
    for (let s = 0; s < slots.length; s++) {
      if (s === ins) taps.tap(TAP_INSERT_SEND, channels, frames);
      (slots[s] as ProcessorSlot).process(channels, frames);
      if (s === ins) taps.tap(TAP_INSERT_RETURN, channels, frames);
    }
    const wet = this.#wet;
    if (wet.value !== 1 || wet.moving) this.#blend(channels, frames, pos - this.latencySamples);
    this.#ringPos = pos + frames;
    this.#nonFiniteOutput += scrub(channels, nch, frames);
    taps.tap(TAP_OUTPUT, channels, frames);
  }

  #blend(channels: Float32Array[], frames: number, start: number): void {
    const wet = this.#wet;
    const mask = this.#ringMask;
    const v0 = wet.value;
    const rem0 = wet.remaining;
    let v = v0;
    let rem = rem0;
    for (let c = 0; c < this.#channels; c++) {
      const r = this.#ring[c] as Float32Array;
      const x = channels[c] as Float32Array;
      v = v0;
      rem = rem0;
      for (let i = 0; i < frames; i++) {
        if (rem > 0) {
          v += wet.step;
          if (--rem === 0) v = wet.target;
        }
        const dry = r[(start + i) & mask] as number;
        x[i] = v === 0 ? dry : dry + v * ((x[i] as number) - dry);
      }
    }
    wet.value = v;
    wet.remaining = rem;
  }
}

/**
 * Replace NaN/Inf by 0; returns how many. (x - x is NaN exactly for NaN and +-Inf.) Eight samples
 * are tested at once through their sum: float32 values summed as doubles cannot overflow, so the
 * sum is non-finite exactly when one of them is, and only then are they looked at one by one.
 */
function scrub(channels: Float32Array[], nch: number, frames: number): number {
  let n = 0;
  for (let c = 0; c < nch; c++) {
    const x = channels[c] as Float32Array;
    let i = 0;
    for (; i + 8 <= frames; i += 8) {
      const s = x[i]! + x[i + 1]! + (x[i + 2]! + x[i + 3]!) + (x[i + 4]! + x[i + 5]! + (x[i + 6]! + x[i + 7]!));
      if (s - s !== 0) n += scrubRange(x, i, i + 8);
    }
    n += scrubRange(x, i, frames);
  }
  return n;
}

function scrubRange(x: Float32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      x[i] = 0;
      n++;
    }
  }
  return n;
}
