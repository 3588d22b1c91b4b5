/**
 * Gain reduction of every dynamics processor (digital ones report per block, analog ones as their
 * meters are read back). read() gives the largest reduction reported since the previous read (a
 * display must not miss a short grab), and re-arms; a processor that reported nothing since then keeps
 * showing its last value.
 */
export class GainReductionMeter {
  #latest = new Float64Array(0);
  #max = new Float64Array(0);
  #fresh = new Uint8Array(0);

  get count(): number {
    return this.#latest.length;
  }

  prepare(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > 256) throw new RangeError(`gain reduction meter: ${count} processors`);
    this.#latest = new Float64Array(count);
    this.#max = new Float64Array(count);
    this.#fresh = new Uint8Array(count);
  }

  reset(): void {
    this.#latest.fill(0);
    this.#max.fill(0);
    this.#fresh.fill(0);
  }

  /** Positive dB of reduction; NaN/Inf and negative values are ignored / read as 0. Out-of-range index: ignored. */
  set(index: number, db: number): void {
    if (!(index >= 0 && index < this.#latest.length)) return;
    const v = db > 0 && db < Infinity ? db : 0;
    this.#latest[index] = v;
    if (this.#fresh[index] === 0 || v > this.#max[index]!) this.#max[index] = v;
    this.#fresh[index] = 1;
  }

  /** Writes one value per processor into `out` (from `offset`). */
  read(out: Float64Array, offset = 0): void {
    for (let i = 0; i < this.#latest.length; i++) {
      out[offset + i] = this.#fresh[i] === 1 ? this.#max[i]! : this.#latest[i]!;
      this.#fresh[i] = 0;
    }
  }
}
