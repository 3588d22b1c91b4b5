/**
 * The shared parameter table: how parameter values reach the audio worker without the worker
 * ever waiting on the main thread.
 *
 * SharedArrayBuffer layout: Int32 header [0] sequence (odd while the main thread writes),
 * [1] number of values, then (8-byte aligned, byte 8) one Float64 value per parameter, in the
 * chain's parameter index order.
 *
 * Writer (main thread, on every ParamStore change): sequence to odd, write the values, sequence
 * to even (Atomics.add: each a full fence). A batch (recall, setMany) is one write, so the worker
 * applies it in one block.
 * Reader (worker, once per block boundary): if the sequence is unchanged there is nothing to do;
 * if it is odd, or changes while the values are copied, the copy is discarded and retried at the
 * next block boundary; otherwise every value that differs from the worker's copy is reported.
 * Nothing allocates; the reader never blocks.
 */
const HEADER_BYTES = 8;
const H_SEQ = 0;
const H_COUNT = 1;

export function createParamTable(count: number, initial?: ArrayLike<number>): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(HEADER_BYTES + 8 * Math.max(1, count));
  const header = new Int32Array(sab, 0, 2);
  header[H_COUNT] = count;
  if (initial) new Float64Array(sab, HEADER_BYTES, count).set(Array.from({ length: count }, (_, i) => initial[i] as number));
  return sab;
}

export class ParamTableWriter {
  readonly #header: Int32Array;
  readonly #values: Float64Array;

  constructor(sab: SharedArrayBuffer) {
    this.#header = new Int32Array(sab, 0, 2);
    this.#values = new Float64Array(sab, HEADER_BYTES, this.#header[H_COUNT]);
  }

  get count(): number {
    return this.#values.length;
  }

  /** Write several values as one update; returns the sequence that publishes them. */
  write(entries: readonly (readonly [number, number])[]): number {
    Atomics.add(this.#header, H_SEQ, 1);
    for (const [i, v] of entries) this.#values[i] = v;
    return Atomics.add(this.#header, H_SEQ, 1) + 1;
  }

  /** The sequence of the last complete write. */
  get sequence(): number {
    return Atomics.load(this.#header, H_SEQ);
  }
}

export const POLL_TORN = -1;

export class ParamTableReader {
  readonly #header: Int32Array;
  readonly #values: Float64Array;
  readonly #staging: Float64Array;
  /** The values the worker has applied. */
  readonly values: Float64Array;
  /** Indices changed by the last successful poll. */
  readonly changed: Int32Array;
  #seq = -1;

  constructor(sab: SharedArrayBuffer) {
    this.#header = new Int32Array(sab, 0, 2);
    const n = this.#header[H_COUNT] as number;
    this.#values = new Float64Array(sab, HEADER_BYTES, n);
    this.#staging = new Float64Array(n);
    this.values = new Float64Array(n);
    this.values.fill(Number.NaN);
    this.changed = new Int32Array(n);
  }

  /** Sequence of the table the worker applied last. */
  get sequence(): number {
    return this.#seq;
  }

  /**
   * Returns how many values changed (their indices in `changed`, new values in `values`), 0 if
   * nothing was published since the last poll, or POLL_TORN if a write was in progress.
   */
  poll(): number {
    const s1 = Atomics.load(this.#header, H_SEQ);
    if (s1 === this.#seq) return 0;
    if ((s1 & 1) === 1) return POLL_TORN;
    const src = this.#values;
    const st = this.#staging;
    const n = st.length;
    for (let i = 0; i < n; i++) st[i] = src[i] as number;
    if (Atomics.load(this.#header, H_SEQ) !== s1) return POLL_TORN;
    this.#seq = s1;
    const vals = this.values;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = st[i] as number;
      if (v !== vals[i]) {
        vals[i] = v;
        this.changed[k++] = i;
      }
    }
    return k;
  }
}
