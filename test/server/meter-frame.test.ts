import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MeterSnapshot } from '../../src/engine/meter-snapshot.ts';
import { ALL_SECTIONS_MASK, decodeMeterFrame, FRAME_HEADER_BYTES, frameBytes, MeterFrameEncoder, SECTION_BIT, sectionMask } from '../../src/server/ws/meter-frame.ts';

const f32 = (v: number): number => Math.fround(v);
const level = fc.oneof(fc.double({ min: -200, max: 30, noNaN: true }), fc.constant(-Infinity));

const snapshotArb = fc
  .record({
    seq: fc.integer({ min: 0, max: 2 ** 40 }),
    timeS: fc.double({ min: 0, max: 1e6, noNaN: true }),
    loud: fc.array(level, { minLength: 10, maxLength: 10 }),
    stages: fc.array(
      fc.record({
        id: fc.constantFrom('input', 'insertSend', 'insertReturn', 'output'),
        channels: fc.integer({ min: 1, max: 8 }),
        seed: fc.array(level, { minLength: 24, maxLength: 24 }),
      }),
      { maxLength: 4 },
    ),
    gr: fc.array(fc.record({ id: fc.string({ minLength: 1, maxLength: 12 }), db: fc.double({ min: 0, max: 40, noNaN: true }) }), { maxLength: 6 }),
    correlation: fc.double({ min: -1, max: 1, noNaN: true }),
    balance: fc.double({ min: -1, max: 1, noNaN: true }),
    spectrum: fc.array(level, { maxLength: 64 }),
    xruns: fc.nat(),
    nonFinite: fc.nat(),
  })
  .map((r): MeterSnapshot => {
    const l = r.loud;
    return {
      seq: r.seq,
      timeS: r.timeS,
      loudness: {
        momentaryLufs: l[0]!,
        shortTermLufs: l[1]!,
        integratedLufs: l[2]!,
        loudnessRangeLu: l[3]!,
        momentaryMaxLufs: l[4]!,
        shortTermMaxLufs: l[5]!,
        truePeakDbtp: l[6]!,
        samplePeakDbfs: l[7]!,
        plrDb: l[8]!,
        psrDb: l[9]!,
      },
      stages: r.stages.map((s) => ({
        id: s.id,
        peakDb: s.seed.slice(0, s.channels),
        rmsDb: s.seed.slice(8, 8 + s.channels),
        holdDb: s.seed.slice(16, 16 + s.channels),
      })),
      gainReduction: r.gr,
      correlation: r.correlation,
      balance: r.balance,
      spectrumHz: Float32Array.from(r.spectrum, (_v, i) => 20 + i * 300),
      spectrumDb: Float32Array.from(r.spectrum),
      nonFiniteSamples: r.nonFinite,
      xruns: r.xruns,
    };
  });

describe('binary meter frame v1', () => {
  it('round-trips every field (as f32) for any snapshot and any section mask, at the documented size', () => {
    fc.assert(
      fc.property(snapshotArb, fc.integer({ min: 0, max: ALL_SECTIONS_MASK }), fc.double({ min: 0, max: 2e12, noNaN: true }), (snap, mask, publishedAtMs) => {
        const enc = new MeterFrameEncoder();
        enc.use(snap, publishedAtMs);
        const layout = enc.layout!;
        const buf = enc.frame(mask);
        expect(buf.length).toBe(frameBytes(layout, mask));
        expect(buf.length % 4).toBe(0);
        const d = decodeMeterFrame(buf, layout);
        expect(d).toMatchObject({ version: 1, kind: 1, mask, layoutId: 1, seq: snap.seq >>> 0, timeS: snap.timeS, publishedAtMs });
        expect(d.xruns).toBe(Math.min(snap.xruns, 0xffffffff));
        const l = snap.loudness;
        if (mask & SECTION_BIT.loudness) {
          expect(d.loudness).toEqual({
            momentaryLufs: f32(l.momentaryLufs),
            shortTermLufs: f32(l.shortTermLufs),
            integratedLufs: f32(l.integratedLufs),
            loudnessRangeLu: f32(l.loudnessRangeLu),
            momentaryMaxLufs: f32(l.momentaryMaxLufs),
            shortTermMaxLufs: f32(l.shortTermMaxLufs),
            truePeakDbtp: f32(l.truePeakDbtp),
            samplePeakDbfs: f32(l.samplePeakDbfs),
            plrDb: f32(l.plrDb),
            psrDb: f32(l.psrDb),
          });
        } else expect(d.loudness).toBeUndefined();
        if (mask & SECTION_BIT.stages) {
          expect(d.stages).toEqual(snap.stages.map((s) => ({ id: s.id, peakDb: s.peakDb.map(f32), rmsDb: s.rmsDb.map(f32), holdDb: s.holdDb.map(f32) })));
        }
        if (mask & SECTION_BIT.gainReduction) expect(d.gainReduction).toEqual(snap.gainReduction.map((g) => ({ id: g.id, db: f32(g.db) })));
        if (mask & SECTION_BIT.phase) expect([d.correlation, d.balance]).toEqual([f32(snap.correlation), f32(snap.balance)]);
        if (mask & SECTION_BIT.spectrum) expect(d.spectrumDb).toEqual(Array.from(snap.spectrumDb));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps -Infinity (silence) as -Infinity', () => {
    const enc = new MeterFrameEncoder();
    const snap = fc.sample(snapshotArb, { numRuns: 1, seed: 7 })[0]!;
    enc.use({ ...snap, loudness: { ...snap.loudness, integratedLufs: -Infinity } }, 0);
    expect(decodeMeterFrame(enc.frame(SECTION_BIT.loudness), enc.layout!).loudness!.integratedLufs).toBe(-Infinity);
  });

  it('encodes once per snapshot and mask (one shared buffer), and bumps the layout id only when the layout changes', () => {
    const [a, b] = fc.sample(snapshotArb, { numRuns: 2, seed: 42 });
    const enc = new MeterFrameEncoder();
    expect(enc.use(a!, 1)).toBe(true);
    const f1 = enc.frame(ALL_SECTIONS_MASK);
    expect(enc.frame(ALL_SECTIONS_MASK)).toBe(f1);
    expect(enc.use({ ...a!, seq: a!.seq + 1 }, 2)).toBe(false);
    expect(enc.layout!.layoutId).toBe(1);
    expect(enc.frame(ALL_SECTIONS_MASK)).not.toBe(f1);
    const changed = enc.use({ ...b!, stages: [...b!.stages, { id: 'extra', peakDb: [0], rmsDb: [0], holdDb: [0] }] }, 3);
    expect(changed).toBe(true);
    expect(enc.layout!.layoutId).toBe(2);
    expect(enc.layout!.stages.at(-1)).toEqual({ id: 'extra', channels: 1 });
  });

  it('maps section names to mask bits in protocol order', () => {
    expect(sectionMask([])).toBe(0);
    expect(sectionMask(['loudness'])).toBe(1);
    expect(sectionMask(['spectrum', 'loudness', 'phase'])).toBe(1 | 8 | 16);
    expect(FRAME_HEADER_BYTES).toBe(40);
  });
});
