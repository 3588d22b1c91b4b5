import { LOUDNESS_OFFSET_DB, lufsToPower, powerToLufsAt } from './levels.ts';

// Slots of the scratch array: the doubles of a query, kept out of locals passed between calls.
/** A sum of powers (#prefixPower), a bin's mean loudness (#binMeanLufs). */
const T_VALUE = 0;
/** A sum of counts (#prefixCount). */
const T_COUNT = 1;
/** The relative gate in LUFS (#gate, #firstBinAbove). */
const T_GATE = 2;
/** The number and the summed power of the stored blocks. */
const T_TOTAL = 3;
const T_TOTAL_POWER = 4;
const T_SLOTS = 5;

/**
 * Fixed-size store of gating-block (or short-term) powers for the gated measures: integrated loudness
 * (BS.1770-4 §2.8, absolute -70 LUFS and relative -10 LU gates) and loudness range (EBU Tech 3342:
 * -70 LUFS absolute, -20 LU relative, 10th..95th percentile).
 *
 * A live meter runs for days, so blocks cannot be kept in a growing list: each block goes into a
 * 0.01 LU bin that keeps the count and the exact sum of powers, indexed by two Fenwick trees so that
 * the gated mean and any percentile cost O(log bins) instead of a scan. Powers are summed exactly; only
 * the blocks that share a bin with the relative gate are decided together (by the bin's mean), an
 * error far below 0.001 LU. Percentiles return the mean loudness of the bin they fall in (<= 0.01 LU).
 */
export class LoudnessHistogram {
  /** Lowest stored loudness: the absolute gate (blocks at or below it are not stored). */
  static readonly MIN_LUFS = -70;
  static readonly MAX_LUFS = 30;
  static readonly BINS_PER_LU = 100;

  readonly #bins = (LoudnessHistogram.MAX_LUFS - LoudnessHistogram.MIN_LUFS) * LoudnessHistogram.BINS_PER_LU;
  readonly #count = new Float64Array(this.#bins);
  readonly #power = new Float64Array(this.#bins);
  /** Fenwick trees, 1-based. */
  readonly #treeCount = new Float64Array(this.#bins + 1);
  readonly #treePower = new Float64Array(this.#bins + 1);
  readonly #topBit: number;
  /**
   * Results land here rather than in return values: a double returned from a call that is not inlined
   * is boxed on the heap, and these run on the audio thread.
   */
  readonly result = new Float64Array(1);
  /** See T_*: doubles held in a typed array, never in a field or an argument (both can box). */
  readonly #tmp = new Float64Array(T_SLOTS);

  constructor() {
    let bit = 1;
    while (bit * 2 <= this.#bins) bit *= 2;
    this.#topBit = bit;
  }

  get count(): number {
    return this.#tmp[T_TOTAL]!;
  }

  clear(): void {
    this.#count.fill(0);
    this.#power.fill(0);
    this.#treeCount.fill(0);
    this.#treePower.fill(0);
    this.#tmp.fill(0);
  }

  /** Add one block by its weighted mean square; blocks at or below the absolute gate are dropped. */
  add(power: number): void {
    this.result[0] = power;
    this.addFrom(this.result, 0);
  }

  /** add(values[index]): the audio thread's form, which passes no double through a call. */
  addFrom(values: Float64Array, index: number): void {
    const power = values[index]!;
    // l > -70 LUFS  <=>  power > 10^((-70 + 0.691) / 10), compared in the power domain (no log when gated out).
    if (!(power > ABSOLUTE_GATE_POWER)) return;
    const lufs = LOUDNESS_OFFSET_DB + 10 * Math.log10(power);
    let bin = Math.floor((lufs - LoudnessHistogram.MIN_LUFS) * LoudnessHistogram.BINS_PER_LU);
    if (bin < 0) bin = 0;
    else if (bin >= this.#bins) bin = this.#bins - 1;
    this.#count[bin] = (this.#count[bin] ?? 0) + 1;
    this.#power[bin] = (this.#power[bin] ?? 0) + power;
    for (let i = bin + 1; i <= this.#bins; i += i & -i) {
      this.#treeCount[i] = (this.#treeCount[i] ?? 0) + 1;
      this.#treePower[i] = (this.#treePower[i] ?? 0) + power;
    }
    this.#tmp[T_TOTAL] = this.#tmp[T_TOTAL]! + 1;
    this.#tmp[T_TOTAL_POWER] = this.#tmp[T_TOTAL_POWER]! + power;
  }

  /**
   * Into result[0]: mean power of the stored blocks louder than `relativeLu` below the mean of all
   * stored blocks (the two-stage gate of BS.1770-4 §2.8 with relativeLu = -10). 0 when nothing qualifies.
   */
  gatedMeanPower(relativeLu: number): void {
    const t = this.#tmp;
    this.result[0] = 0;
    if (t[T_TOTAL] === 0) return;
    this.#gate(relativeLu);
    const first = this.#firstBinAbove();
    this.#prefixCount(first);
    const count = t[T_TOTAL]! - t[T_COUNT]!;
    this.#prefixPower(first);
    const power = t[T_TOTAL_POWER]! - t[T_VALUE]!;
    if (count > 0) this.result[0] = power / count;
  }

  /**
   * Into result[0]: EBU Tech 3342 loudness range: relative gate `relativeLu` (-20) below the mean of the stored
   * short-term values, then the spread between the `low` and `high` percentiles (0.10, 0.95), picked
   * as the Tech 3342 reference does: index round((n - 1) * p) into the sorted gated values.
   */
  range(relativeLu: number, low: number, high: number): void {
    const t = this.#tmp;
    this.result[0] = 0;
    if (t[T_TOTAL] === 0) return;
    this.#gate(relativeLu);
    const first = this.#firstBinAbove();
    this.#prefixCount(first);
    const below = t[T_COUNT]!;
    const n = t[T_TOTAL]! - below;
    if (n < 2) return;
    this.#binMeanLufs(this.#binOfRank(below + Math.round((n - 1) * low)));
    const lo = t[T_VALUE]!;
    this.#binMeanLufs(this.#binOfRank(below + Math.round((n - 1) * high)));
    const hi = t[T_VALUE]!;
    if (hi > lo) this.result[0] = hi - lo;
  }

  /** Into #tmp[T_GATE]: the loudness of the mean of all stored blocks, plus `relativeLu`. */
  #gate(relativeLu: number): void {
    const t = this.#tmp;
    t[T_GATE] = t[T_TOTAL_POWER]! / t[T_TOTAL]!;
    powerToLufsAt(t, T_GATE);
    t[T_GATE] = t[T_GATE] + relativeLu;
  }

  /** The first bin whose blocks count as louder than the gate in #tmp[T_GATE]. */
  #firstBinAbove(): number {
    const gateLufs = this.#tmp[T_GATE]!;
    if (!(gateLufs > LoudnessHistogram.MIN_LUFS)) return 0;
    const bin = Math.floor((gateLufs - LoudnessHistogram.MIN_LUFS) * LoudnessHistogram.BINS_PER_LU);
    if (bin >= this.#bins) return this.#bins;
    if (this.#count[bin] === 0) return bin + 1;
    // The gate falls inside this bin: its blocks go with the gate's side of their mean.
    this.#binMeanLufs(bin);
    return this.#tmp[T_VALUE]! > gateLufs ? bin : bin + 1;
  }

  /** Into #tmp[T_VALUE] (no double return values: see `result`). */
  #binMeanLufs(bin: number): void {
    const t = this.#tmp;
    const c = this.#count[bin]!;
    if (c > 0) {
      t[T_VALUE] = this.#power[bin]! / c;
      powerToLufsAt(t, T_VALUE);
    } else t[T_VALUE] = LoudnessHistogram.MIN_LUFS + (bin + 0.5) / LoudnessHistogram.BINS_PER_LU;
  }

  /** Into #tmp[T_COUNT]: the sum of counts of bins [0, bin). */
  #prefixCount(bin: number): void {
    let s = 0;
    for (let i = bin; i > 0; i -= i & -i) s += this.#treeCount[i]!;
    this.#tmp[T_COUNT] = s;
  }

  /** Into #tmp[T_VALUE]: the sum of powers of bins [0, bin). */
  #prefixPower(bin: number): void {
    let s = 0;
    for (let i = bin; i > 0; i -= i & -i) s += this.#treePower[i]!;
    this.#tmp[T_VALUE] = s;
  }

  /** The bin holding the block of 0-based rank `rank` in ascending loudness. */
  #binOfRank(rank: number): number {
    let pos = 0;
    let remaining = rank;
    for (let step = this.#topBit; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.#bins) {
        const c = this.#treeCount[next] ?? 0;
        if (c <= remaining) {
          pos = next;
          remaining -= c;
        }
      }
    }
    return pos < this.#bins ? pos : this.#bins - 1;
  }
}

const ABSOLUTE_GATE_POWER = lufsToPower(LoudnessHistogram.MIN_LUFS);
