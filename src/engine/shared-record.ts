/**
 * A small Float64 record behind a seqlock, for one writer thread and any number of readers:
 * Int32 header [0] sequence (odd while written), then the values at byte 8. Neither side waits;
 * a reader that races the writer retries a few times, then keeps its previous copy.
 */
const HEADER_BYTES = 8;

export function createSharedRecord(fields: number): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + 8 * fields);
}

export class SharedRecordWriter {
  readonly #h: Int32Array;
  /** Write fields between begin() and commit(). */
  readonly values: Float64Array;

  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, 2);
    this.values = new Float64Array(sab, HEADER_BYTES);
  }

  begin(): void {
    Atomics.add(this.#h, 0, 1);
  }

  commit(): void {
    Atomics.add(this.#h, 0, 1);
  }
}

export class SharedRecordReader {
  readonly #h: Int32Array;
  readonly #src: Float64Array;
  readonly values: Float64Array;

  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, 2);
    this.#src = new Float64Array(sab, HEADER_BYTES);
    this.values = new Float64Array(this.#src.length);
  }

  /** Refresh `values`; false if the writer won every attempt (values keep the previous copy). */
  read(): boolean {
    for (let attempt = 0; attempt < 4; attempt++) {
      const s1 = Atomics.load(this.#h, 0);
      if ((s1 & 1) === 1) continue;
      const copy = this.#src.slice();
      if (Atomics.load(this.#h, 0) === s1) {
        this.values.set(copy);
        return true;
      }
    }
    return false;
  }
}
