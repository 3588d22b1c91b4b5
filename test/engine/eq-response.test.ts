import { describe, expect, it } from 'vitest';
import {
  bellMag2,
  butterworthHighPassMag2,
  butterworthLowPassMag2,
  highShelfMag2,
  lowShelfMag2,
  tiltMag2,
} from '../../src/engine/dsp/analog-prototypes.ts';
import { BELL, cascadeMag2, HIGH_PASS, HIGH_SHELF, LOW_PASS, LOW_SHELF, TILT } from '../../src/engine/dsp/filter-design.ts';
import { impulse, logSpaced, responseDb } from './support/signals.ts';
import { eqWithBand } from './support/eq-harness.ts';

/**
 * The EQ against its analytic design formulas (the analog prototypes in analog-prototypes.ts),
 * at 50 log-spaced frequencies from 20 Hz to 20 kHz, at 44.1, 48 and 96 kHz.
 *
 * Tolerances are the figures the matched designs achieve over the whole grid (measured, then
 * rounded up); levels below -40 dB (deep stop bands) are compared as -40 dB. A bilinear (RBJ)
 * design fails the bell check by several dB near Nyquist (last test), so these can fail.
 */
const RATES = [44100, 48000, 96000];
const FREQS = logSpaced(50, 20, 20000);
const FLOOR_DB = -40;
const F0 = [20, 50, 100, 200, 500, 1000, 2000, 5000, 8000, 12000, 16000, 20000];

function coefficientErrorDb(sampleRate: number, band: Record<string, number>, analog: (fHz: number) => number, minAnalogDb = FLOOR_DB): number {
  const eq = eqWithBand(sampleRate, band);
  const b = eq.band(0);
  let worst = 0;
  for (const f of FREQS) {
    const a = 10 * Math.log10(analog(f));
    if (a < minAnalogDb) continue;
    const d = Math.max(FLOOR_DB, 10 * Math.log10(cascadeMag2(b.coefficients, 0, b.sections, (2 * Math.PI * f) / sampleRate)));
    worst = Math.max(worst, Math.abs(d - Math.max(FLOOR_DB, a)));
  }
  return worst;
}

describe('EQ magnitude responses match the analog prototypes', () => {
  for (const fs of RATES) {
    it(`bell at ${fs} Hz: <= 0.5 dB for |gain| <= 12 dB, <= 0.75 dB to +-24 dB (Q 0.1-18, 20 Hz-20 kHz)`, () => {
      for (const f0 of F0) {
        for (const gainDb of [-24, -12, -6, -1, 1, 6, 12, 24]) {
          for (const q of [0.1, 0.3, 0.707, 2, 5, 18]) {
            const err = coefficientErrorDb(fs, { type: BELL, freqHz: f0, gainDb, q }, (f) => bellMag2(f / f0, gainDb, q));
            expect(err, `bell ${f0} Hz ${gainDb} dB Q${q}`).toBeLessThanOrEqual(Math.abs(gainDb) <= 12 ? 0.5 : 0.75);
          }
        }
      }
    });

    it(`low and high shelves at ${fs} Hz: <= 0.4 dB for |gain| <= 12 dB, <= 1.3 dB to +-24 dB (Q 0.3-2)`, () => {
      for (const f0 of F0) {
        for (const gainDb of [-24, -12, -3, 3, 12, 24]) {
          for (const q of [0.3, 0.707, 1, 2]) {
            const tol = Math.abs(gainDb) <= 12 ? 0.4 : 1.3;
            const lo = coefficientErrorDb(fs, { type: LOW_SHELF, freqHz: f0, gainDb, q }, (f) => lowShelfMag2(f / f0, gainDb, q));
            const hi = coefficientErrorDb(fs, { type: HIGH_SHELF, freqHz: f0, gainDb, q }, (f) => highShelfMag2(f / f0, gainDb, q));
            expect(lo, `low shelf ${f0} Hz ${gainDb} dB Q${q}`).toBeLessThanOrEqual(tol);
            expect(hi, `high shelf ${f0} Hz ${gainDb} dB Q${q}`).toBeLessThanOrEqual(tol);
          }
        }
      }
    });

    it(`Butterworth high-pass 6-48 dB/oct at ${fs} Hz: <= 0.15 dB (corners 20 Hz-5 kHz)`, () => {
      for (const f0 of [20, 30, 50, 100, 300, 1000, 5000]) {
        for (let slope = 6; slope <= 48; slope += 6) {
          const order = slope / 6;
          const err = coefficientErrorDb(fs, { type: HIGH_PASS, freqHz: f0, slopeDbOct: slope }, (f) => butterworthHighPassMag2(f / f0, order));
          expect(err, `HP ${f0} Hz ${slope} dB/oct`).toBeLessThanOrEqual(0.15);
        }
      }
    });

    it(`Butterworth low-pass 6-48 dB/oct at ${fs} Hz: <= 0.6 dB above -10 dB, <= 1.4 dB above -20 dB`, () => {
      for (const f0 of [1000, 5000, 8000, 12000, 16000, 20000]) {
        for (let slope = 6; slope <= 48; slope += 6) {
          const order = slope / 6;
          const band = { type: LOW_PASS, freqHz: f0, slopeDbOct: slope };
          const analog = (f: number): number => butterworthLowPassMag2(f / f0, order);
          expect(coefficientErrorDb(fs, band, analog, -10), `LP ${f0} Hz ${slope} dB/oct (passband)`).toBeLessThanOrEqual(0.6);
          expect(coefficientErrorDb(fs, band, analog, -20), `LP ${f0} Hz ${slope} dB/oct (transition)`).toBeLessThanOrEqual(1.4);
        }
      }
    });

    it(`tilt at ${fs} Hz: <= 0.3 dB (pivots 50 Hz-5 kHz, +-12 dB)`, () => {
      for (const f0 of [50, 200, 500, 1000, 2000, 5000]) {
        for (const gainDb of [-12, -6, -1, 1, 6, 12]) {
          const err = coefficientErrorDb(fs, { type: TILT, freqHz: f0, gainDb }, (f) => tiltMag2(f / f0, gainDb));
          expect(err, `tilt ${f0} Hz ${gainDb} dB`).toBeLessThanOrEqual(0.3);
        }
      }
    });
  }

  it('a 16 kHz bell at 44.1 kHz matches the analog prototype within 0.5 dB up to 20 kHz (any Q, +-12 dB)', () => {
    for (const gainDb of [-12, -6, 6, 10, 12]) {
      for (const q of [0.5, 0.707, 1, 2, 4, 8]) {
        const err = coefficientErrorDb(44100, { type: BELL, freqHz: 16000, gainDb, q }, (f) => bellMag2(f / 16000, gainDb, q));
        expect(err, `16 kHz ${gainDb} dB Q${q}`).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('the running filter is the designed one: impulse response DFT equals the coefficients within 0.001 dB', () => {
    const settings: Record<string, number>[] = [
      { type: BELL, freqHz: 16000, gainDb: 12, q: 2 },
      { type: BELL, freqHz: 300, gainDb: -9, q: 0.7 },
      { type: LOW_SHELF, freqHz: 120, gainDb: 6, q: 0.707 },
      { type: HIGH_SHELF, freqHz: 9000, gainDb: -4, q: 1 },
      { type: HIGH_PASS, freqHz: 200, slopeDbOct: 48 },
      { type: LOW_PASS, freqHz: 12000, slopeDbOct: 30 },
      { type: TILT, freqHz: 1000, gainDb: 3 },
    ];
    for (const fs of RATES) {
      for (const band of settings) {
        const eq = eqWithBand(fs, band);
        const x = impulse(16384);
        eq.process([x], x.length);
        const b = eq.band(0);
        for (const f of logSpaced(20, 100, 20000)) {
          const w = (2 * Math.PI * f) / fs;
          const designed = 10 * Math.log10(cascadeMag2(b.coefficients, 0, b.sections, w));
          expect(Math.abs(responseDb(x, w) - designed), `${JSON.stringify(band)} at ${f.toFixed(0)} Hz, ${fs} Hz`).toBeLessThan(0.001);
        }
      }
    }
  });

  it('negative control: a bilinear (RBJ cookbook) 16 kHz bell at 44.1 kHz misses the prototype by more than 0.5 dB', () => {
    const fs = 44100;
    const f0 = 16000;
    const gainDb = 12;
    const q = 2;
    const a = Math.pow(10, gainDb / 40);
    const w0 = (2 * Math.PI * f0) / fs;
    const alpha = Math.sin(w0) / (2 * q);
    const a0 = 1 + alpha / a;
    const rbj = [(1 + alpha * a) / a0, (-2 * Math.cos(w0)) / a0, (1 - alpha * a) / a0, (-2 * Math.cos(w0)) / a0, (1 - alpha / a) / a0];
    let worst = 0;
    for (const f of FREQS) {
      const d = 10 * Math.log10(cascadeMag2(rbj, 0, 1, (2 * Math.PI * f) / fs));
      worst = Math.max(worst, Math.abs(d - 10 * Math.log10(bellMag2(f / f0, gainDb, q))));
    }
    expect(worst).toBeGreaterThan(0.5);
  });
});
