import type { MeterSnapshot } from '../../engine/meter-snapshot.ts';
import { METER_SECTIONS, type MeterSection, type MetersLayoutMessage } from './protocol.ts';

/**
 * Binary meter frame, format version 1 (docs/protocol.md, "Meter frames"). Little-endian.
 *
 *   offset size  field
 *    0     u8    format version (1)
 *    1     u8    frame kind (1 = meters)
 *    2     u16   section mask (bit i = METER_SECTIONS[i] present, in that order)
 *    4     u32   layoutId (the `meters.layout` message describing stages, GR ids, bands)
 *    8     u32   seq (low 32 bits of MeterSnapshot.seq)
 *   12     u32   xruns
 *   16     f64   timeS: audio time of the snapshot
 *   24     f64   publishedAtMs: daemon clock (epoch ms) when the audio worker's publish reached the server
 *   32     u32   nonFiniteSamples
 *   36     u32   reserved (0)
 *   40     ...   sections, all f32, in mask order:
 *     loudness       10 x f32: M, S, I, LRA, Mmax, Smax, TP, sample peak, PLR, PSR
 *     stages         per layout stage, per channel: peak, RMS, hold (dB)
 *     gainReduction  per layout id: dB (positive = reducing)
 *     phase          correlation, balance
 *     spectrum       per layout band: dB
 * Silence is -Infinity (an f32 can carry it); every offset is a multiple of 4.
 */
export const FRAME_FORMAT_VERSION = 1;
export const FRAME_KIND_METERS = 1;
export const FRAME_HEADER_BYTES = 40;
export const LOUDNESS_FIELDS = 10;

export const SECTION_BIT: Readonly<Record<MeterSection, number>> = Object.fromEntries(METER_SECTIONS.map((s, i) => [s, 1 << i])) as Record<MeterSection, number>;
export const ALL_SECTIONS_MASK = (1 << METER_SECTIONS.length) - 1;

export function sectionMask(sections: readonly MeterSection[]): number {
  let m = 0;
  for (const s of sections) m |= SECTION_BIT[s];
  return m;
}

export type MetersLayout = Omit<MetersLayoutMessage, 'type'>;

/**
 * Turns snapshots into frames. The layout (stage ids and channel counts, GR ids, spectrum
 * bands) travels once as JSON; a change bumps layoutId. A frame is encoded once per
 * snapshot and section mask and shared by every client that wants that mask.
 */
export class MeterFrameEncoder {
  #layout: MetersLayout | undefined;
  #seq = -1;
  #publishedAtMs = 0;
  #snapshot: MeterSnapshot | undefined;
  readonly #cache = new Map<number, Buffer>();

  /** The layout of the last snapshot given to `use`. */
  get layout(): MetersLayout | undefined {
    return this.#layout;
  }

  /** Take a new snapshot; returns true when its layout differs from the previous one. */
  use(snapshot: MeterSnapshot, publishedAtMs: number): boolean {
    this.#snapshot = snapshot;
    this.#publishedAtMs = publishedAtMs;
    this.#seq = snapshot.seq;
    this.#cache.clear();
    if (this.#layout && sameLayout(this.#layout, snapshot)) return false;
    this.#layout = {
      layoutId: (this.#layout?.layoutId ?? 0) + 1,
      stages: snapshot.stages.map((s) => ({ id: s.id, channels: s.peakDb.length })),
      gainReduction: snapshot.gainReduction.map((g) => g.id),
      spectrumHz: Array.from(snapshot.spectrumHz),
    };
    return true;
  }

  /** The frame of the current snapshot with the given sections. */
  frame(mask: number): Buffer {
    const cached = this.#cache.get(mask);
    if (cached) return cached;
    const snap = this.#snapshot;
    const layout = this.#layout;
    if (!snap || !layout) throw new TypeError('MeterFrameEncoder.frame() before use()');
    const buf = Buffer.alloc(frameBytes(layout, mask));
    buf.writeUInt8(FRAME_FORMAT_VERSION, 0);
    buf.writeUInt8(FRAME_KIND_METERS, 1);
    buf.writeUInt16LE(mask, 2);
    buf.writeUInt32LE(layout.layoutId >>> 0, 4);
    buf.writeUInt32LE(this.#seq >>> 0, 8);
    buf.writeUInt32LE(clampU32(snap.xruns), 12);
    buf.writeDoubleLE(snap.timeS, 16);
    buf.writeDoubleLE(this.#publishedAtMs, 24);
    buf.writeUInt32LE(clampU32(snap.nonFiniteSamples), 32);
    buf.writeUInt32LE(0, 36);
    let o = FRAME_HEADER_BYTES;
    const f = (v: number): void => {
      buf.writeFloatLE(v, o);
      o += 4;
    };
    if (mask & SECTION_BIT.loudness) {
      const l = snap.loudness;
      f(l.momentaryLufs);
      f(l.shortTermLufs);
      f(l.integratedLufs);
      f(l.loudnessRangeLu);
      f(l.momentaryMaxLufs);
      f(l.shortTermMaxLufs);
      f(l.truePeakDbtp);
      f(l.samplePeakDbfs);
      f(l.plrDb);
      f(l.psrDb);
    }
    if (mask & SECTION_BIT.stages) {
      for (const [i, st] of layout.stages.entries()) {
        const s = snap.stages[i];
        for (let ch = 0; ch < st.channels; ch++) {
          f(s?.peakDb[ch] ?? -Infinity);
          f(s?.rmsDb[ch] ?? -Infinity);
          f(s?.holdDb[ch] ?? -Infinity);
        }
      }
    }
    if (mask & SECTION_BIT.gainReduction) {
      for (let i = 0; i < layout.gainReduction.length; i++) f(snap.gainReduction[i]?.db ?? 0);
    }
    if (mask & SECTION_BIT.phase) {
      f(snap.correlation);
      f(snap.balance);
    }
    if (mask & SECTION_BIT.spectrum) {
      for (let i = 0; i < layout.spectrumHz.length; i++) f(snap.spectrumDb[i] ?? -Infinity);
    }
    this.#cache.set(mask, buf);
    return buf;
  }
}

export function frameBytes(layout: MetersLayout, mask: number): number {
  let n = FRAME_HEADER_BYTES;
  if (mask & SECTION_BIT.loudness) n += LOUDNESS_FIELDS * 4;
  if (mask & SECTION_BIT.stages) for (const s of layout.stages) n += s.channels * 3 * 4;
  if (mask & SECTION_BIT.gainReduction) n += layout.gainReduction.length * 4;
  if (mask & SECTION_BIT.phase) n += 2 * 4;
  if (mask & SECTION_BIT.spectrum) n += layout.spectrumHz.length * 4;
  return n;
}

function sameLayout(layout: MetersLayout, snap: MeterSnapshot): boolean {
  if (layout.stages.length !== snap.stages.length) return false;
  for (let i = 0; i < layout.stages.length; i++) {
    const a = layout.stages[i];
    const b = snap.stages[i];
    if (!a || !b || a.id !== b.id || a.channels !== b.peakDb.length) return false;
  }
  if (layout.gainReduction.length !== snap.gainReduction.length) return false;
  for (let i = 0; i < layout.gainReduction.length; i++) if (layout.gainReduction[i] !== snap.gainReduction[i]?.id) return false;
  if (layout.spectrumHz.length !== snap.spectrumHz.length) return false;
  // Band centres are fixed per analyser; compare the ends (f32 values round-trip exactly).
  const n = layout.spectrumHz.length;
  return n === 0 || (layout.spectrumHz[0] === snap.spectrumHz[0] && layout.spectrumHz[n - 1] === snap.spectrumHz[n - 1]);
}

function clampU32(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.min(n, 0xffffffff) >>> 0 : 0;
}

// ---- decoding (tests, the benchmark; the page has its own copy in web/meter-frame.js) ----

export interface DecodedMeterFrame {
  version: number;
  kind: number;
  mask: number;
  layoutId: number;
  seq: number;
  xruns: number;
  timeS: number;
  publishedAtMs: number;
  nonFiniteSamples: number;
  loudness?: {
    momentaryLufs: number;
    shortTermLufs: number;
    integratedLufs: number;
    loudnessRangeLu: number;
    momentaryMaxLufs: number;
    shortTermMaxLufs: number;
    truePeakDbtp: number;
    samplePeakDbfs: number;
    plrDb: number;
    psrDb: number;
  };
  stages?: { id: string; peakDb: number[]; rmsDb: number[]; holdDb: number[] }[];
  gainReduction?: { id: string; db: number }[];
  correlation?: number;
  balance?: number;
  spectrumDb?: number[];
}

/** Read only the header fields (cheap: the benchmark's clients use it). */
export function readFrameHeader(buf: Buffer): Pick<DecodedMeterFrame, 'version' | 'kind' | 'mask' | 'layoutId' | 'seq' | 'publishedAtMs'> {
  return {
    version: buf.readUInt8(0),
    kind: buf.readUInt8(1),
    mask: buf.readUInt16LE(2),
    layoutId: buf.readUInt32LE(4),
    seq: buf.readUInt32LE(8),
    publishedAtMs: buf.readDoubleLE(24),
  };
}

export function decodeMeterFrame(buf: Buffer, layout: MetersLayout): DecodedMeterFrame {
  const version = buf.readUInt8(0);
  if (version !== FRAME_FORMAT_VERSION) throw new TypeError(`unknown meter frame version ${version}`);
  const mask = buf.readUInt16LE(2);
  const layoutId = buf.readUInt32LE(4);
  if (layoutId !== layout.layoutId) throw new TypeError(`frame has layout ${layoutId}, decoder has ${layout.layoutId}`);
  if (buf.length !== frameBytes(layout, mask)) throw new TypeError(`frame is ${buf.length} bytes, layout says ${frameBytes(layout, mask)}`);
  const out: DecodedMeterFrame = {
    version,
    kind: buf.readUInt8(1),
    mask,
    layoutId,
    seq: buf.readUInt32LE(8),
    xruns: buf.readUInt32LE(12),
    timeS: buf.readDoubleLE(16),
    publishedAtMs: buf.readDoubleLE(24),
    nonFiniteSamples: buf.readUInt32LE(32),
  };
  let o = FRAME_HEADER_BYTES;
  const f = (): number => {
    const v = buf.readFloatLE(o);
    o += 4;
    return v;
  };
  if (mask & SECTION_BIT.loudness) {
    out.loudness = {
      momentaryLufs: f(),
      shortTermLufs: f(),
      integratedLufs: f(),
      loudnessRangeLu: f(),
      momentaryMaxLufs: f(),
      shortTermMaxLufs: f(),
      truePeakDbtp: f(),
      samplePeakDbfs: f(),
      plrDb: f(),
      psrDb: f(),
    };
  }
  if (mask & SECTION_BIT.stages) {
    out.stages = layout.stages.map((s) => {
      const st = { id: s.id, peakDb: [] as number[], rmsDb: [] as number[], holdDb: [] as number[] };
      for (let ch = 0; ch < s.channels; ch++) {
        st.peakDb.push(f());
        st.rmsDb.push(f());
        st.holdDb.push(f());
      }
      return st;
    });
  }
  if (mask & SECTION_BIT.gainReduction) out.gainReduction = layout.gainReduction.map((id) => ({ id, db: f() }));
  if (mask & SECTION_BIT.phase) {
    out.correlation = f();
    out.balance = f();
  }
  if (mask & SECTION_BIT.spectrum) out.spectrumDb = layout.spectrumHz.map(() => f());
  return out;
}
