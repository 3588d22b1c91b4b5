import { defineParam, type ParamSpec } from '../../params/param-spec.ts';
import type { Processor } from '../processor.ts';
import { DelayLine } from './delay-line.ts';
import type { MeasurementSlot } from './measurement-slot.ts';

/**
 * The send/return buffers of the insert: the audio worker copies `ret` from the interface's
 * return inputs before the chain runs and copies `send` to the insert send outputs after it.
 * That is the whole contract between the chain's `insert` slot and the interface.
 */
export interface InsertEndpoint {
  readonly send: readonly Float32Array[];
  readonly ret: readonly Float32Array[];
}

/** insert: the analog path (mixed with the compensated dry path by `mix`); bypass: the dry path only; null: return minus dry. */
export const INSERT_MODES = ['insert', 'bypass', 'null'] as const;
export type InsertMode = (typeof INSERT_MODES)[number];

export interface InsertCompensation {
  /** Round trip of the insert as the chain sees it (send sample n returns as sample n + latency). */
  readonly latencySamples: number;
  /** Level of the return relative to the send; the insert applies the inverse. */
  readonly gainDb: number;
  readonly polarity: 1 | -1;
}

const NO_COMPENSATION: InsertCompensation = { latencySamples: 0, gainDb: 0, polarity: 1 };

export interface HardwareInsertOptions {
  /** Parameter id prefix (default `insert`). */
  readonly id?: string;
  /** Longest round trip the dry-path compensation can cover. */
  readonly maxLatencySamples: number;
  /** Mode / mix crossfade (default 20 ms). */
  readonly rampMs?: number;
}

/** The insert's parameters, in setParam index order. */
export function insertParamSpecs(id = 'insert'): ParamSpec[] {
  return [
    defineParam({ id: `${id}.mode`, label: 'Insert', kind: 'choice', unit: '', min: 0, max: 2, default: 0, choices: [...INSERT_MODES], group: id }),
    defineParam({ id: `${id}.mixPct`, label: 'Insert mix', kind: 'continuous', unit: '%', min: 0, max: 100, default: 100, group: id }),
  ];
}

/**
 * The hardware insert as a chain processor. Its output is always `latencySamples` behind its
 * input, whatever the mode, so that switching the insert in and out never moves the programme in
 * time, and everything downstream (the A/B, the print) can compensate one constant figure:
 *
 *   - the send carries the block as it enters (the pre chain's output);
 *   - the return comes back `latency` samples later (measured by the calibration); it is corrected
 *     for the gain offset and polarity of the loop (so a flat analog path is unity);
 *   - the dry path goes through a delay line of exactly `latency` samples, so return and dry line
 *     up to the sample: dry/wet mixing is phase-coherent and the `null` mode cancels.
 *
 * Mode and mix changes ramp (no clicks). A new compensation latency is applied while the dry path
 * is ramped out. While a measurement runs, the insert plays the measurement signal on the send,
 * captures the return for the calibration, and passes silence downstream: a measurement signal
 * never reaches the monitors or a print.
 */
export class HardwareInsert implements Processor {
  readonly id: string;
  readonly kind = 'insert';
  readonly params: readonly ParamSpec[];
  readonly gainReductionDb = 0;
  readonly stateResets = 0;
  readonly #maxLatency: number;
  readonly #rampMs: number;
  #endpoint: InsertEndpoint = { send: [], ret: [] };
  readonly #dryDelay = new DelayLine();
  #dry: Float32Array[] = [];
  #channels = 0;
  #maxBlock = 0;
  #compensation: InsertCompensation = NO_COMPENSATION;
  #pendingLatency = -1;
  #mode: InsertMode = 'insert';
  #mix = 1;
  #rampFrames = 960;
  #wetGain = 1;
  #dryGain = 0;
  #slot: MeasurementSlot | null = null;
  #measuring = false;

  constructor(options: HardwareInsertOptions) {
    if (!Number.isInteger(options.maxLatencySamples) || options.maxLatencySamples < 0) {
      throw new TypeError(`insert: maxLatencySamples ${options.maxLatencySamples}`);
    }
    this.id = options.id ?? 'insert';
    this.params = insertParamSpecs(this.id);
    this.#maxLatency = options.maxLatencySamples;
    this.#rampMs = options.rampMs ?? 20;
  }

  get endpoint(): InsertEndpoint {
    return this.#endpoint;
  }

  /** What the chain adds for this processor (the compensated round trip). */
  get latencySamples(): number {
    return this.#pendingLatency >= 0 ? this.#pendingLatency : this.#compensation.latencySamples;
  }

  /** The compensation in force (a new latency counts from `setCompensation`, even while the dry path ramps to it). */
  get compensation(): InsertCompensation {
    const c = this.#compensation;
    return this.#pendingLatency >= 0 ? { latencySamples: this.#pendingLatency, gainDb: c.gainDb, polarity: c.polarity } : c;
  }

  get mode(): InsertMode {
    return this.#mode;
  }

  /** True from arming a measurement until the block after it ends (the monitors stay muted). */
  get measuring(): boolean {
    return this.#measuring;
  }

  /** Allocate for `channels` insert channels and blocks up to `maxBlock`; resets the signal state. */
  prepare(sampleRate: number, maxBlock: number, channels: number): void {
    this.#channels = channels;
    this.#maxBlock = maxBlock;
    const mk = (): Float32Array[] => Array.from({ length: channels }, () => new Float32Array(maxBlock));
    this.#endpoint = { send: mk(), ret: mk() };
    this.#dry = mk();
    this.#dryDelay.prepare(channels, this.#maxLatency, maxBlock);
    this.#dryDelay.setDelay(this.#compensation.latencySamples);
    this.#rampFrames = Math.max(1, Math.round((this.#rampMs * sampleRate) / 1000));
    this.#applyTargets(true);
  }

  /** 0: mode (index into INSERT_MODES), 1: mix in %. */
  setParam(index: number, value: number): void {
    if (index === 0) this.setMode(INSERT_MODES[Math.round(value)] ?? 'insert');
    else if (index === 1) this.setMix(value / 100);
  }

  get maxLatencySamples(): number {
    return this.#maxLatency;
  }

  setCompensation(c: InsertCompensation): void {
    if (!Number.isInteger(c.latencySamples) || c.latencySamples < 0 || c.latencySamples > this.#maxLatency) {
      throw new RangeError(`insert: latency ${c.latencySamples} is outside 0..${this.#maxLatency} samples`);
    }
    const latencyChanged = c.latencySamples !== this.#compensation.latencySamples;
    this.#compensation = { latencySamples: this.#compensation.latencySamples, gainDb: c.gainDb, polarity: c.polarity };
    if (latencyChanged) this.#pendingLatency = c.latencySamples;
    this.#applyTargets(false);
  }

  setMode(mode: InsertMode): void {
    this.#mode = mode;
    this.#applyTargets(false);
  }

  /** Wet proportion 0..1 in `insert` mode. */
  setMix(mix: number): void {
    this.#mix = mix < 0 ? 0 : mix > 1 ? 1 : mix;
    this.#applyTargets(false);
  }

  /** Hand the insert a measurement: from the next block it plays the slot's signal and captures the return. */
  armMeasurement(slot: MeasurementSlot): void {
    slot.arm();
    this.#slot = slot;
    this.#measuring = true;
  }

  reset(): void {
    this.#dryDelay.reset();
    for (const b of this.#endpoint.ret) b.fill(0);
    for (const b of this.#endpoint.send) b.fill(0);
  }

  #targetWet = 1;
  #targetDry = 0;

  #applyTargets(immediate: boolean): void {
    const { gainDb, polarity } = this.#compensation;
    const correction = polarity / Math.pow(10, gainDb / 20);
    let wet: number;
    let dry: number;
    switch (this.#mode) {
      case 'insert':
        wet = this.#mix * correction;
        dry = 1 - this.#mix;
        break;
      case 'bypass':
        wet = 0;
        dry = 1;
        break;
      case 'null':
        wet = correction;
        dry = -1;
        break;
    }
    this.#targetWet = wet;
    this.#targetDry = dry;
    if (immediate) {
      this.#wetGain = wet;
      this.#dryGain = dry;
    }
  }

  /** In place: `channels` enter as the pre chain's output and leave as the insert's output. */
  process(channels: Float32Array[], frames: number): void {
    const { send, ret } = this.#endpoint;
    const n = this.#channels;
    const slot = this.#slot;
    if (slot !== null) {
      // Keep the dry line's history moving so the programme resumes in time afterwards.
      this.#dryDelay.process(channels, this.#dry, frames);
      if (!slot.processBlock(send, ret, frames)) {
        // The measurement ended (done or cancelled): one more silent block, then normal service.
        this.#slot = null;
        this.#measuring = false;
        for (let c = 0; c < n; c++) (send[c] as Float32Array).fill(0, 0, frames);
      }
      for (let c = 0; c < n; c++) (channels[c] as Float32Array).fill(0, 0, frames);
      return;
    }
    // A new latency waits until the dry path is ramped out, then the delay jumps in silence.
    if (this.#pendingLatency >= 0 && this.#dryGain === 0) {
      this.#dryDelay.setDelay(this.#pendingLatency);
      this.#compensation = { ...this.#compensation, latencySamples: this.#pendingLatency };
      this.#pendingLatency = -1;
      this.#applyTargets(false);
    }
    const targetDry = this.#pendingLatency >= 0 ? 0 : this.#targetDry;
    const targetWet = this.#targetWet;
    for (let c = 0; c < n; c++) {
      const src = channels[c] as Float32Array;
      const dst = send[c] as Float32Array;
      for (let i = 0; i < frames; i++) dst[i] = src[i] as number;
    }
    this.#dryDelay.process(channels, this.#dry, frames);
    const step = 1 / this.#rampFrames;
    let w = this.#wetGain;
    let d = this.#dryGain;
    const dw = clampStep(targetWet - w, step * Math.max(1, Math.abs(targetWet - w)));
    const dd = clampStep(targetDry - d, step * Math.max(1, Math.abs(targetDry - d)));
    for (let c = 0; c < n; c++) {
      const out = channels[c] as Float32Array;
      const r = ret[c] as Float32Array;
      const dry = this.#dry[c] as Float32Array;
      let wc = w;
      let dc = d;
      for (let i = 0; i < frames; i++) {
        if (wc !== targetWet) {
          wc += dw;
          if ((dw > 0 && wc > targetWet) || (dw < 0 && wc < targetWet)) wc = targetWet;
        }
        if (dc !== targetDry) {
          dc += dd;
          if ((dd > 0 && dc > targetDry) || (dd < 0 && dc < targetDry)) dc = targetDry;
        }
        out[i] = wc * (r[i] as number) + dc * (dry[i] as number);
      }
      if (c === n - 1) {
        w = wc;
        d = dc;
      }
    }
    this.#wetGain = w;
    this.#dryGain = d;
  }

  /** Frames of block the insert was prepared for. */
  get maxBlock(): number {
    return this.#maxBlock;
  }
}

function clampStep(delta: number, step: number): number {
  if (delta > 0) return delta < step ? delta : step;
  if (delta < 0) return -delta < step ? delta : -step;
  return 0;
}
