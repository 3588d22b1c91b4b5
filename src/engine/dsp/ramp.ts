/**
 * A per-sample linear glide towards a target, for gains and mixes. The processing loops read
 * `value`, `step` and `remaining` into locals, add `step` once per sample and snap to `target` on
 * the last one, then write them back: the same additions happen whatever the block size, so the
 * output is bit-identical at block sizes 1 and 4096.
 */
export class Ramp {
  // Initialised with a fractional value first so that every instance's fields start in V8's
  // double representation: a field that starts as a small integer (1, 0) and later holds
  // fractions changes representation, and the hot loops that read several Ramps then see
  // mixed shapes, box their arithmetic and allocate on every sample.
  value = 0.5;
  target = 0.5;
  step = 0.5;
  remaining = 0;

  constructor(value: number) {
    this.value = value;
    this.target = value;
    this.step = 0;
  }

  /** Glide from the current value to `target` over `samples` samples (0: jump). */
  setTarget(target: number, samples: number): void {
    this.target = target;
    if (samples <= 0 || target === this.value) {
      this.value = target;
      this.step = 0;
      this.remaining = 0;
      return;
    }
    this.step = (target - this.value) / samples;
    this.remaining = samples;
  }

  /** Jump without gliding (prepare/reset). */
  set(value: number): void {
    this.value = value;
    this.target = value;
    this.step = 0;
    this.remaining = 0;
  }

  get moving(): boolean {
    return this.remaining > 0;
  }

  /** Advance `n` samples without producing output (a stage that is skipped still keeps time). */
  advance(n: number): void {
    let v = this.value;
    let rem = this.remaining;
    const st = this.step;
    for (let i = 0; i < n && rem > 0; i++) {
      v += st;
      if (--rem === 0) v = this.target;
    }
    this.value = v;
    this.remaining = rem;
  }
}

/** Samples for a glide of `ms` at `sampleRate`, at least 1. */
export function msToSamples(ms: number, sampleRate: number): number {
  const n = Math.round((ms * sampleRate) / 1000);
  return n < 1 ? 1 : n;
}
