import type { ParamSpec } from '../params/param-spec.ts';
import type { Processor } from './processor.ts';

/**
 * The `insert` slot when no hardware insert is plugged in: the audio passes through unchanged
 * (the chain still taps insertSend / insertReturn around it, so the meters show the slot).
 * The audio layer replaces it with the hardware insert (send/return through the interface,
 * latency compensated) via the chain's `createInsert` option; any Processor fits the slot.
 */
export class PassThroughInsert implements Processor {
  readonly kind = 'insert';
  readonly id: string;
  readonly params: readonly ParamSpec[] = [];
  readonly latencySamples = 0;
  readonly maxLatencySamples = 0;
  readonly gainReductionDb = 0;
  readonly stateResets = 0;
  /** What the slot reports (status / CLI): nothing is inserted. */
  readonly passThrough = true;

  constructor(id = 'insert') {
    this.id = id;
  }

  prepare(): void {
    // stateless
  }

  setParam(): void {
    // no parameters
  }

  process(): void {
    // the return is the send
  }

  reset(): void {
    // stateless
  }
}
