/**
 * EBU Tech 3342 (loudness range), Table 1 test signals 1-4, generated from the document's descriptions
 * (5 and 6 are programme material). Stereo 1 kHz sine segments of 20 s each; tolerance +-1 LU.
 *
 *  1  -20 dBFS, -30 dBFS                      LRA = 10
 *  2  -20 dBFS, -15 dBFS                      LRA = 5
 *  3  -40 dBFS, -20 dBFS                      LRA = 20
 *  4  -50, -35, -20, -35, -50 dBFS            LRA = 15
 */
import { describe, expect, it } from 'vitest';
import { emptyLoudnessReading, LoudnessMeter } from '../../../src/engine/meters/loudness-meter.ts';
import { feed, inPhase, toneSequence } from './signals.ts';

const CASES: [number, number[], number][] = [
  [1, [-20, -30], 10],
  [2, [-20, -15], 5],
  [3, [-40, -20], 20],
  [4, [-50, -35, -20, -35, -50], 15],
];

describe.each([44100, 48000, 96000])('EBU Tech 3342 at %i Hz', (fs) => {
  it.each(CASES)('case %i: segments %j read LRA %i +-1 LU', (_case, levels, expected) => {
    const x = toneSequence(
      fs,
      levels.map((dbfs) => ({ dbfs, seconds: 20 })),
    );
    const m = new LoudnessMeter();
    m.prepare(fs, 2048, 2);
    feed(inPhase(x), [2048], (b, n) => m.process(b, n));
    const r = emptyLoudnessReading();
    m.read(r);
    expect(Math.abs(r.loudnessRangeLu - expected)).toBeLessThanOrEqual(1);
  });

  it('repeating a case leaves the LRA unchanged, and silence reads 0 LU (nothing passes the gate)', () => {
    const one = [-20, -30].map((dbfs) => ({ dbfs, seconds: 20 }));
    const x = toneSequence(fs, [...one, ...one]);
    const m = new LoudnessMeter();
    m.prepare(fs, 4096, 2);
    m.process(inPhase(x), x.length);
    expect(Math.abs(m.loudnessRangeLu() - 10)).toBeLessThanOrEqual(1);
    const s = new LoudnessMeter();
    s.prepare(fs, 4096, 2);
    const silence = new Float32Array(10 * fs);
    s.process(inPhase(silence), silence.length);
    expect(s.loudnessRangeLu()).toBe(0);
    expect(s.integratedLufs()).toBe(-Infinity);
  });
});
