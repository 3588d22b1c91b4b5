import { describe, expect, it } from 'vitest';
import { emptyPeakReading, TruePeakMeter, type PeakReading } from '../../../src/engine/meters/true-peak-meter.ts';
import { halfSampleInterpolator, ITU_TRUE_PEAK_PHASES, trueOversampling } from '../../../src/engine/meters/true-peak-filters.ts';
import { feed, noise, sine } from './signals.ts';

function run(fs: number, x: Float32Array[], sizes: number[] = [512], maxBlock = 4096): PeakReading {
  const t = new TruePeakMeter();
  t.prepare(fs, maxBlock, x.length);
  feed(x, sizes, (b, n) => t.process(b, n));
  t.finish();
  const r = emptyPeakReading();
  t.read(r);
  return r;
}

describe('true-peak meter', () => {
  it('uses the oversampling of BS.1770-4 Annex 2 for the rate', () => {
    expect(trueOversampling(44100)).toBe(4);
    expect(trueOversampling(48000)).toBe(4);
    expect(trueOversampling(88200)).toBe(2);
    expect(trueOversampling(96000)).toBe(2);
    expect(trueOversampling(192000)).toBe(1);
  });

  it('carries the ITU table: symmetric prototype, unity DC gain per phase', () => {
    expect(ITU_TRUE_PEAK_PHASES[3]).toEqual([...(ITU_TRUE_PEAK_PHASES[0] ?? [])].reverse());
    expect(ITU_TRUE_PEAK_PHASES[2]).toEqual([...(ITU_TRUE_PEAK_PHASES[1] ?? [])].reverse());
    for (const p of ITU_TRUE_PEAK_PHASES) expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(0.03);
  });

  it('the 2x half-sample interpolator is flat to 20 kHz at 88.2 kHz', () => {
    const g = halfSampleInterpolator();
    for (const f of [100, 1000, 10000, 20000]) {
      const w = (2 * Math.PI * f) / 88200;
      // response of y(m + 1/2) = sum g_k (x[m-k] + x[m+1+k]) to e^{jwn}, relative to e^{jw(m+1/2)}
      let h = 0;
      g.forEach((gk, k) => (h += 2 * gk * Math.cos(w * (k + 0.5))));
      expect(Math.abs(20 * Math.log10(h))).toBeLessThan(0.01);
    }
  });

  it.each([44100, 48000, 88200, 96000])('reads sines of any phase within the Annex tolerance at %i Hz', (fs) => {
    const L = trueOversampling(fs);
    for (const f of [997, 5000, 10000, 15000, 19000]) {
      for (const phase of [0, 17, 45, 80]) {
        const r = run(fs, [sine(fs, 0.2, f, 0.5, phase, 0.02)]);
        const err = r.truePeakDbtp - 20 * Math.log10(0.5);
        // Never over-read by more than the ITU filter ripple; never under-read by more than the
        // geometric limit of L-times oversampling at this frequency (Annex 2, Attachment 1) + ripple.
        expect(err, `${f} Hz ${phase} deg`).toBeLessThan(0.2);
        expect(err, `${f} Hz ${phase} deg`).toBeGreaterThan(20 * Math.log10(Math.cos((Math.PI * f) / (L * fs))) - 0.35);
      }
    }
  });

  it('at 192 kHz the true peak is the sample peak', () => {
    const x = sine(192000, 0.1, 1000, 0.25);
    const r = run(192000, [x]);
    expect(r.truePeakDbtp).toBe(r.samplePeakDbfs);
  });

  it('never reads under the sample peak (an isolated full-scale sample reads 0 dBTP)', () => {
    const x = new Float32Array(1000);
    x[500] = 1;
    const r = run(48000, [x]);
    expect(r.samplePeakDbfs).toBe(0);
    expect(r.truePeakDbtp).toBeGreaterThanOrEqual(0);
  });

  it('measures the last samples of a file once finish() flushes the filter', () => {
    const x = new Float32Array(100);
    x[98] = -0.5;
    x[99] = 0.5;
    const t = new TruePeakMeter();
    t.prepare(48000, 128, 1);
    t.process([x], x.length);
    t.finish();
    const r = emptyPeakReading();
    t.read(r);
    // Alternating full-Nyquist-ish step: the interpolated peak exceeds the samples.
    expect(r.truePeakDbtp).toBeGreaterThan(r.samplePeakDbfs);
  });

  it('gives the same maximum for every block size (1..4096) and with the skip of quiet chunks', () => {
    const fs = 48000;
    const x = noise(fs, 0.1, 7);
    // a quiet stretch, a loud click late, and a fade so the skip has something to skip
    for (let i = 10000; i < 30000; i++) x[i] = x[i]! * 0.01;
    x[40000] = 0.9;
    const ref = run(fs, [x, x], [4096]);
    for (const sizes of [[1], [7], [64], [441], [4096], [3, 1000, 17, 4096, 1]]) {
      const r = run(fs, [x, x], sizes, 4096);
      expect(r.truePeakDbtp, `blocks ${sizes.join(',')}`).toBe(ref.truePeakDbtp);
      expect(r.samplePeakDbfs).toBe(ref.samplePeakDbfs);
    }
  });

  it('read() returns the peak since the previous read and re-arms; the programme peak stays', () => {
    const t = new TruePeakMeter();
    t.prepare(48000, 1024, 1);
    const loud = sine(48000, 0.1, 1000, 0.5);
    const quiet = sine(48000, 0.1, 1000, 0.05);
    const r = emptyPeakReading();
    t.process([loud], loud.length);
    t.read(r);
    expect(r.truePeakSinceReadDbtp).toBeCloseTo(-6.02, 1);
    t.process([quiet], quiet.length);
    t.read(r); // the filter still holds the loud samples at the start of this block
    t.process([quiet], quiet.length);
    t.read(r);
    expect(r.truePeakSinceReadDbtp).toBeCloseTo(-26.02, 0);
    expect(r.truePeakDbtp).toBeCloseTo(-6.02, 1);
    t.read(r);
    expect(r.truePeakSinceReadDbtp).toBe(-Infinity);
  });

  it('scrubs NaN and Inf to silence and counts them', () => {
    const x = new Float32Array([0.1, Number.NaN, Infinity, -Infinity, 0.2]);
    const t = new TruePeakMeter();
    t.prepare(48000, 16, 1);
    t.process([x], x.length);
    t.finish();
    const r = emptyPeakReading();
    t.read(r);
    expect(t.nonFiniteSamples).toBe(3);
    expect(Number.isFinite(r.truePeakDbtp)).toBe(true);
    expect(r.samplePeakDbfs).toBeCloseTo(20 * Math.log10(0.2), 5);
  });
});
