import { AnalogStage, setAnalogStages } from './analog-stage.ts';
import type { AnalogModel } from './analog-model.ts';

export const LOOPS = 6;

/** What is patched into an insert loop: any block processor (another unit's model, or nothing). */
export interface LoopProcessor {
  process(channels: readonly Float32Array[], frames: number): void;
}

/**
 * HB-IS6 audio: six relay-switched insert loops in a settable order, each optionally wrapped in an
 * M/S matrix (encode before the loop, decode after). An empty loop is a wire. Hard bypass is a relay:
 * the signal does not touch the line drivers at all.
 */
export class SwitcherModel implements AnalogModel {
  readonly #loops: (LoopProcessor | undefined)[] = new Array<LoopProcessor | undefined>(LOOPS).fill(undefined);
  readonly #order = new Int32Array(LOOPS);
  readonly #in = new Uint8Array(LOOPS);
  readonly #ms = new Uint8Array(LOOPS);
  readonly #stages = [new AnalogStage({ seed: 31, noiseDbfs: -118 }), new AnalogStage({ seed: 37, noiseDbfs: -118 })];
  #bypass = false;
  #engaged = false;
  #values: Readonly<Record<string, number>> = {};

  constructor() {
    for (let i = 0; i < LOOPS; i++) this.#order[i] = i;
  }

  /** Patch a processor into loop `n` (1-based), or unpatch it. */
  setLoop(n: number, processor: LoopProcessor | undefined): void {
    this.#loops[n - 1] = processor;
  }

  prepare(_sampleRate: number, _maxBlock: number): void {
    this.setParams(this.#values);
  }

  reset(): void {}

  setAnalog(options: { noise: boolean; saturation: boolean }): void {
    setAnalogStages(this.#stages, options);
  }

  setParams(values: Readonly<Record<string, number>>): void {
    this.#values = values;
    this.#bypass = (values.bypass ?? 0) === 1;
    const pos: [number, number][] = [];
    this.#engaged = false;
    for (let n = 1; n <= LOOPS; n++) {
      this.#in[n - 1] = (values[`loop${n}.in`] ?? 0) === 1 ? 1 : 0;
      this.#ms[n - 1] = (values[`loop${n}.ms`] ?? 0) === 1 ? 1 : 0;
      if (this.#in[n - 1] === 1) this.#engaged = true;
      pos.push([values[`loop${n}.position`] ?? n, n - 1]);
    }
    pos.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 0; i < LOOPS; i++) this.#order[i] = (pos[i] as [number, number])[1];
  }

  /** Loop numbers (1-based) in signal order, only those switched in. */
  chain(): number[] {
    if (this.#bypass) return [];
    return [...this.#order].filter((i) => this.#in[i] === 1).map((i) => i + 1);
  }

  process(channels: readonly Float32Array[], frames: number): void {
    if (this.#bypass || !this.#engaged) return;
    const l = channels[0] as Float32Array;
    const r = channels[1] as Float32Array;
    for (let k = 0; k < LOOPS; k++) {
      const i = this.#order[k] as number;
      if (this.#in[i] === 0) continue;
      const ms = this.#ms[i] === 1;
      if (ms) matrix(l, r, frames, 0.5);
      this.#loops[i]?.process(channels, frames);
      if (ms) matrix(l, r, frames, 1);
    }
    // The send/return line drivers of the engaged loops.
    (this.#stages[0] as AnalogStage).process(l, frames);
    (this.#stages[1] as AnalogStage).process(r, frames);
  }
}

/** Sum/difference matrix: encode with scale 0.5 (M = (L+R)/2), decode with 1 (L = M+S). */
function matrix(a: Float32Array, b: Float32Array, frames: number, scale: number): void {
  for (let i = 0; i < frames; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    a[i] = (x + y) * scale;
    b[i] = (x - y) * scale;
  }
}
