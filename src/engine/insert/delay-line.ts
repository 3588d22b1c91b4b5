/**
 * A multichannel integer-sample delay line. Everything is allocated in `prepare`; `process`
 * and `setDelay` are plain arithmetic over preallocated rings.
 *
 * The delay can change while running (a new calibration): the ring keeps its history, so a
 * longer delay replays audio that is already in it and a shorter one skips ahead. That jump
 * is a discontinuity: callers ramp the output around it (see HardwareInsert).
 */
export class DelayLine {
  #rings: Float32Array[] = [];
  #size = 0;
  #write = 0;
  #delay = 0;
  #maxDelay = 0;

  /** The longest delay `setDelay` accepts. */
  get maxDelaySamples(): number {
    return this.#maxDelay;
  }

  get delaySamples(): number {
    return this.#delay;
  }

  prepare(channels: number, maxDelaySamples: number, maxBlock: number): void {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`delay line: ${channels} channels`);
    if (!Number.isInteger(maxDelaySamples) || maxDelaySamples < 0) throw new RangeError(`delay line: max delay ${maxDelaySamples}`);
    if (!Number.isInteger(maxBlock) || maxBlock < 1) throw new RangeError(`delay line: max block ${maxBlock}`);
    this.#maxDelay = maxDelaySamples;
    this.#size = maxDelaySamples + maxBlock;
    this.#rings = [];
    for (let c = 0; c < channels; c++) this.#rings.push(new Float32Array(this.#size));
    this.#write = 0;
    if (this.#delay > maxDelaySamples) this.#delay = maxDelaySamples;
  }

  /** Clamped to 0..maxDelaySamples. */
  setDelay(samples: number): void {
    const d = Math.round(samples);
    this.#delay = d < 0 ? 0 : d > this.#maxDelay ? this.#maxDelay : d;
  }

  reset(): void {
    for (const r of this.#rings) r.fill(0);
  }

  /**
   * Write `frames` samples of every channel of `input` and put the delayed signal into `output`
   * (may be the same arrays: in-place). `frames` must not exceed the prepared maxBlock.
   */
  process(input: readonly Float32Array[], output: readonly Float32Array[], frames: number): void {
    const size = this.#size;
    const rings = this.#rings;
    const start = this.#write;
    const nCh = rings.length < input.length ? rings.length : input.length;
    for (let c = 0; c < nCh; c++) {
      const ring = rings[c] as Float32Array;
      const src = input[c] as Float32Array;
      const dst = output[c] as Float32Array;
      let w = start;
      let r = start - this.#delay;
      if (r < 0) r += size;
      for (let i = 0; i < frames; i++) {
        ring[w] = src[i] as number;
        dst[i] = ring[r] as number;
        w++;
        if (w === size) w = 0;
        r++;
        if (r === size) r = 0;
      }
    }
    let w = start + frames;
    if (w >= size) w -= size;
    this.#write = w;
  }
}
