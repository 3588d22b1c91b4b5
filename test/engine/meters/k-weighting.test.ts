import { describe, expect, it } from 'vitest';
import { biquadMagnitudeDb, ITU_HIGH_PASS_48K, ITU_SHELF_48K, kWeightingCoefficients } from '../../../src/engine/meters/k-weighting.ts';
import { LoudnessMeter } from '../../../src/engine/meters/loudness-meter.ts';
import { sine } from './signals.ts';

const responseDb = (fs: number, f: number): number => {
  const k = kWeightingCoefficients(fs);
  return biquadMagnitudeDb(k.shelf, f, fs) + biquadMagnitudeDb(k.highPass, f, fs);
};

describe('K-weighting derived from the analog prototype', () => {
  it('reproduces the BS.1770-4 Table 1 and 2 coefficients at 48 kHz', () => {
    const k = kWeightingCoefficients(48000);
    for (const key of ['b0', 'b1', 'b2', 'a1', 'a2'] as const) {
      expect(k.shelf[key]).toBeCloseTo(ITU_SHELF_48K[key], 12);
      expect(k.highPass[key]).toBeCloseTo(ITU_HIGH_PASS_48K[key], 12);
    }
  });

  it.each([44100, 88200, 96000, 176400, 192000])('keeps the 48 kHz response within 0.02 dB from 20 Hz to 20 kHz at %i Hz', (fs) => {
    let worst = 0;
    for (let i = 0; i <= 200; i++) {
      const f = 20 * 1000 ** (i / 200);
      worst = Math.max(worst, Math.abs(responseDb(fs, f) - responseDb(48000, f)));
    }
    expect(worst).toBeLessThan(0.02);
    // and the coefficients are not simply the 48 kHz ones
    expect(kWeightingCoefficients(fs).shelf.b0).not.toBeCloseTo(ITU_SHELF_48K.b0, 6);
  });

  it('has the shape of the curve: ~+0.69 dB at 1 kHz, +4 dB shelf, low cut', () => {
    expect(responseDb(48000, 997)).toBeCloseTo(0.691, 1);
    expect(responseDb(48000, 10000)).toBeCloseTo(4, 1);
    expect(responseDb(48000, 25)).toBeLessThan(-9);
  });

  it('a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS (BS.1770-4 Annex 1) at every rate', () => {
    for (const fs of [44100, 48000, 96000, 192000]) {
      const m = new LoudnessMeter();
      m.prepare(fs, 8192, 1);
      const x = sine(fs, 5, 997, 1);
      m.process([x], x.length);
      expect(Math.abs(m.integratedLufs() + 3.01)).toBeLessThan(0.01);
    }
  });

  it('refuses rates it cannot model', () => {
    expect(() => kWeightingCoefficients(4000)).toThrow(RangeError);
    expect(() => kWeightingCoefficients(Number.NaN)).toThrow(RangeError);
  });
});
