import { defineParam, type ParamSpec } from '../../../src/params/param-spec.ts';
import type { Processor } from '../../../src/engine/processor.ts';

/** A stand-in for the audio layer's hardware insert: a gain switch with one parameter. */
export const INSERT_PARAMS: ParamSpec[] = [
  defineParam({ id: 'insert.halve', label: 'Halve', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: 'insert' }),
];

class HalvingInsert implements Processor {
  readonly kind = 'insert';
  readonly params = INSERT_PARAMS;
  readonly latencySamples = 0;
  readonly gainReductionDb = 0;
  readonly stateResets = 0;
  #halve = false;
  constructor(readonly id: string) {}
  prepare(): void {}
  reset(): void {}
  setParam(_i: number, v: number): void {
    this.#halve = v >= 0.5;
  }
  process(channels: Float32Array[], frames: number): void {
    if (!this.#halve) return;
    for (const ch of channels) for (let i = 0; i < frames; i++) ch[i] = ch[i]! * 0.5;
  }
}

export function createInsert(id: string): Processor {
  return new HalvingInsert(id);
}
