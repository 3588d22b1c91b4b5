import type { MeterSnapshot, StageLevels } from '../meter-snapshot.ts';
import { slotOffsets, type MeterLayout, type MeterSlotOffsets } from './meter-layout.ts';

/**
 * The shared meter buffer: how meter frames leave the audio worker without the worker ever waiting and
 * without the main thread ever seeing a half-written frame.
 *
 * SharedArrayBuffer layout:
 *   bytes 0..63   Int32 header: [0] magic 'MTR1', [1] version, [2] Float64 values per slot,
 *                 [3] index of the latest complete slot (-1: nothing published yet),
 *                 [4] sequence of slot 0, [5] sequence of slot 1 (odd while that slot is being written),
 *                 [7] stamp switch: when non-zero the writer stamps each frame's publish wall clock
 *                     (latency probes; off by default: reading the clock allocates a heap number)
 *   bytes 64..    two slots of Float64 values (meter-layout.ts gives the order inside a slot)
 *
 * Writer (worker): picks the slot that is not the latest, bumps its sequence to odd, writes the values,
 * bumps the sequence to even, then publishes the slot index; all with Atomics.store, never a wait.
 * Reader (main thread): loads the latest index and that slot's sequence; if even, copies the slot and
 * loads the sequence again; equal sequences mean the copy is one whole frame. A mismatch (the writer
 * came round to this slot twice during the copy) is retried a few times; if the reader still loses, it
 * returns the previous frame. Double buffering makes that race need two publishes within one copy.
 */

const MAGIC = 0x3152544d; // 'MTR1' little-endian
const VERSION = 1;
const HEADER_BYTES = 64;
const H_MAGIC = 0;
const H_VERSION = 1;
const H_SLOT_LENGTH = 2;
const H_LATEST = 3;
const H_SEQ = 4;
const H_STAMP = 7;
const READ_ATTEMPTS = 4;

/** A SharedArrayBuffer sized and initialised for `layout`. */
export function createMeterBuffer(layout: MeterLayout): SharedArrayBuffer {
  const offsets = slotOffsets(layout);
  const sab = new SharedArrayBuffer(HEADER_BYTES + 2 * offsets.length * 8);
  const header = new Int32Array(sab, 0, HEADER_BYTES / 4);
  header[H_MAGIC] = MAGIC;
  header[H_VERSION] = VERSION;
  header[H_SLOT_LENGTH] = offsets.length;
  Atomics.store(header, H_LATEST, -1);
  return sab;
}

function openBuffer(buffer: SharedArrayBuffer, layout: MeterLayout): { header: Int32Array; slots: [Float64Array, Float64Array]; offsets: MeterSlotOffsets } {
  const offsets = slotOffsets(layout);
  if (buffer.byteLength < HEADER_BYTES + 2 * offsets.length * 8) throw new TypeError('meter buffer: smaller than the layout needs');
  const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  if (header[H_MAGIC] !== MAGIC || header[H_VERSION] !== VERSION) throw new TypeError('meter buffer: not created by createMeterBuffer');
  if (header[H_SLOT_LENGTH] !== offsets.length) {
    throw new TypeError(`meter buffer: created for ${header[H_SLOT_LENGTH]} values per frame, the layout has ${offsets.length}`);
  }
  const slots: [Float64Array, Float64Array] = [
    new Float64Array(buffer, HEADER_BYTES, offsets.length),
    new Float64Array(buffer, HEADER_BYTES + offsets.length * 8, offsets.length),
  ];
  return { header, slots, offsets };
}

/** The audio worker's side. begin() / commit() allocate nothing and never wait. */
export class MeterBufferWriter {
  readonly offsets: MeterSlotOffsets;
  readonly #header: Int32Array;
  readonly #slots: [Float64Array, Float64Array];
  #slot = 0;
  #open = false;

  constructor(buffer: SharedArrayBuffer, layout: MeterLayout) {
    const b = openBuffer(buffer, layout);
    this.offsets = b.offsets;
    this.#header = b.header;
    this.#slots = b.slots;
  }

  /** The slot to fill: values go at `offsets`. Marks it as being written. */
  begin(): Float64Array {
    const latest = Atomics.load(this.#header, H_LATEST);
    this.#slot = latest === 0 ? 1 : 0;
    const seq = Atomics.load(this.#header, H_SEQ + this.#slot);
    // Odd: being written. (If a previous begin() was never committed it is odd already.)
    if ((seq & 1) === 0) Atomics.store(this.#header, H_SEQ + this.#slot, (seq + 1) | 0);
    this.#open = true;
    return this.#slot === 0 ? this.#slots[0] : this.#slots[1];
  }

  /** Publish the slot filled since begin(). */
  commit(): void {
    if (!this.#open) return;
    this.#open = false;
    if (Atomics.load(this.#header, H_STAMP) !== 0) {
      const slot = this.#slot === 0 ? this.#slots[0] : this.#slots[1];
      slot[this.offsets.publishedMs] = performance.timeOrigin + performance.now();
    }
    const i = H_SEQ + this.#slot;
    Atomics.store(this.#header, i, (Atomics.load(this.#header, i) + 1) | 0);
    Atomics.store(this.#header, H_LATEST, this.#slot);
    // No Atomics.notify to wake the reader: it allocates (measured: ~4 bytes a call), and the
    // writer runs on the audio path. The reader polls at the meter rate instead.
  }
}

/** The main thread's side: whole frames as MeterSnapshot objects. */
export class MeterBufferReader {
  readonly #layout: MeterLayout;
  readonly #offsets: MeterSlotOffsets;
  readonly #header: Int32Array;
  readonly #slots: [Float64Array, Float64Array];
  readonly #copy: Float64Array;
  #last: MeterSnapshot | undefined;
  #lastSlot = -1;
  #lastSeq = -1;
  #torn = 0;

  constructor(buffer: SharedArrayBuffer, layout: MeterLayout) {
    const b = openBuffer(buffer, layout);
    this.#layout = { ...layout, stageIds: [...layout.stageIds], gainReductionIds: [...layout.gainReductionIds] };
    this.#offsets = b.offsets;
    this.#header = b.header;
    this.#slots = b.slots;
    this.#copy = new Float64Array(b.offsets.length);
  }

  /** Reads that lost the race against the writer on every attempt (and returned the previous frame). */
  get tornReads(): number {
    return this.#torn;
  }

  /** Ask the writer to stamp every frame with its publish wall clock (`publishedMs`), or stop. */
  stampPublishes(on: boolean): void {
    Atomics.store(this.#header, H_STAMP, on ? 1 : 0);
  }

  /** The latest complete frame; undefined until the first publish. */
  read(): MeterSnapshot | undefined {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const latest = Atomics.load(this.#header, H_LATEST);
      if (latest !== 0 && latest !== 1) return this.#last;
      const before = Atomics.load(this.#header, H_SEQ + latest);
      if ((before & 1) === 1) continue;
      // Nothing published since the last read: no copy, no decode (the main thread polls faster
      // than the worker publishes).
      if (this.#last !== undefined && latest === this.#lastSlot && before === this.#lastSeq) return this.#last;
      this.#copy.set(latest === 0 ? this.#slots[0] : this.#slots[1]);
      const after = Atomics.load(this.#header, H_SEQ + latest);
      if (before === after) {
        this.#lastSlot = latest;
        this.#lastSeq = before;
        this.#last = this.#decode(this.#copy);
        return this.#last;
      }
    }
    this.#torn++;
    return this.#last;
  }

  #decode(v: Float64Array): MeterSnapshot {
    const o = this.#offsets;
    const l = o.loudness;
    const ch = this.#layout.channels;
    const stages: StageLevels[] = this.#layout.stageIds.map((id, s) => {
      const base = o.stages + s * ch * 3;
      const peakDb: number[] = [];
      const rmsDb: number[] = [];
      const holdDb: number[] = [];
      for (let c = 0; c < ch; c++) {
        peakDb.push(v[base + c * 3]!);
        rmsDb.push(v[base + c * 3 + 1]!);
        holdDb.push(v[base + c * 3 + 2]!);
      }
      return { id, peakDb, rmsDb, holdDb };
    });
    const bands = this.#layout.spectrumBands;
    return {
      seq: v[o.seq]!,
      timeS: v[o.timeS]!,
      ...(v[o.publishedMs]! > 0 ? { publishedMs: v[o.publishedMs]! } : {}),
      loudness: {
        momentaryLufs: v[l]!,
        shortTermLufs: v[l + 1]!,
        integratedLufs: v[l + 2]!,
        loudnessRangeLu: v[l + 3]!,
        momentaryMaxLufs: v[l + 4]!,
        shortTermMaxLufs: v[l + 5]!,
        truePeakDbtp: v[l + 6]!,
        samplePeakDbfs: v[l + 7]!,
        plrDb: v[l + 8]!,
        psrDb: v[l + 9]!,
      },
      stages,
      gainReduction: this.#layout.gainReductionIds.map((id, i) => ({ id, db: v[o.gainReduction + i]! })),
      correlation: v[o.correlation]!,
      balance: v[o.balance]!,
      spectrumHz: Float32Array.from(v.subarray(o.spectrumHz, o.spectrumHz + bands)),
      spectrumDb: Float32Array.from(v.subarray(o.spectrumDb, o.spectrumDb + bands)),
      nonFiniteSamples: v[o.nonFinite]!,
      xruns: v[o.xruns]!,
    };
  }
}
