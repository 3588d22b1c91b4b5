import type { ParamSpec } from '../params/param-spec.ts';
import type { Processor } from './processor.ts';

/**
 * Stands in for a processor that only exists in the audio worker (the hardware insert, built by
 * the audio layer's worker plugin), so that the main thread can register its parameters at the
 * same indices. Never processes audio.
 */
export class ParamsOnlyProcessor implements Processor {
  readonly id: string;
  readonly kind: string;
  readonly params: readonly ParamSpec[];
  readonly latencySamples = 0;
  readonly gainReductionDb = 0;
  readonly stateResets = 0;

  constructor(id: string, kind: string, params: readonly ParamSpec[]) {
    this.id = id;
    this.kind = kind;
    this.params = [...params];
  }

  prepare(): void {
    // parameters only
  }
  setParam(): void {
    // parameters only
  }
  process(): void {
    // parameters only
  }
  reset(): void {
    // parameters only
  }
}
