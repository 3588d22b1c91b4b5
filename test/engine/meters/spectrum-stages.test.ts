import { describe, expect, it } from 'vitest';
import { cicPowerGain, cicTaps } from '../../../src/engine/meters/cic-decimator.ts';
import { SpectrumMeter, thirdOctaveCentres } from '../../../src/engine/meters/spectrum-meter.ts';
import { decimatePair } from './cic-pairs.ts';
import { feed, noise, sine } from './signals.ts';

const fs = 48000;

describe('CIC decimator (the spectrum low stage)', () => {
  it('has the boxcar-convolution taps, unity at DC, symmetric', () => {
    const t = cicTaps(4, 2); // [1 2 3 4 3 2 1] / 16
    expect([...t].map((v) => v * 16)).toEqual([1, 2, 3, 4, 3, 2, 1]);
    const big = cicTaps(8, 5);
    expect(big).toHaveLength(36);
    expect(big.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (let k = 0; k < big.length; k++) expect(big[k]).toBe(big[big.length - 1 - k]);
  });

  it('outputs every factor-th sample of the full-rate convolution, whatever the segment sizes', () => {
    const taps = cicTaps(8, 5);
    const x = Float64Array.from(noise(5000, 0.3, 4));
    // Reference: direct convolution with zero history, sampled at n = 7, 15, 23, ...
    const ref: number[] = [];
    for (let n = 7; n < x.length; n += 8) {
      let y = 0;
      for (let j = 0; j < taps.length; j++) y += n - j >= 0 ? taps[j]! * x[n - j]! : 0;
      ref.push(y);
    }
    for (const seg of [1, 3, 8, 100, 1024]) {
      for (const kernel of ['wasm', 'js'] as const) {
        const [got] = decimatePair(x, new Float64Array(x.length), 8, 5, seg, kernel);
        expect(got).toHaveLength(ref.length);
        for (let k = 0; k < ref.length; k++) expect(got[k]).toBeCloseTo(ref[k]!, 12);
      }
    }
  });

  it('cicPowerGain is |DFT of the taps|^2', () => {
    const taps = cicTaps(8, 5);
    for (const hz of [0, 50, 400, 561, 3000, 5432]) {
      let re = 0;
      let im = 0;
      for (let k = 0; k < taps.length; k++) {
        re += taps[k]! * Math.cos((2 * Math.PI * hz * k) / fs);
        im -= taps[k]! * Math.sin((2 * Math.PI * hz * k) / fs);
      }
      expect(cicPowerGain(hz, fs, 8, 5)).toBeCloseTo(re * re + im * im, 10);
    }
    // The aliases that land on the low bands (within 600 Hz of 6 kHz) are at least 75 dB down.
    expect(10 * Math.log10(cicPowerGain(6000 - 600, fs, 8, 5))).toBeLessThan(-75);
  });
});

describe('two-stage spectrum', () => {
  it('reads a sine centred in every band from 50 Hz up at 20 log10(A) +- 0.5 dB (both stages, droop divided out)', () => {
    const centres = thirdOctaveCentres(fs);
    for (let b = 0; b < centres.length; b++) {
      const s = new SpectrumMeter();
      s.prepare(fs, 1);
      const x = sine(fs, 1, centres[b]!, 0.25);
      const db = new Float64Array(s.bands);
      s.process([x.subarray(0, fs / 2)], fs / 2);
      s.read(db);
      s.process([x.subarray(fs / 2)], fs / 2);
      s.read(db);
      const err = db[b]! - 20 * Math.log10(0.25);
      const label = `band ${b} (${centres[b]!.toFixed(0)} Hz)`;
      // Under 50 Hz a band is narrower than ~2 bins of the ~6 Hz resolution: the Hann main lobe
      // spills part of the tone into the neighbours (as it did with one 8192-point FFT).
      if (centres[b]! >= 49) expect(Math.abs(err), label).toBeLessThan(0.5);
      else expect(err, label).toBeGreaterThan(-5);
      expect(err, label).toBeLessThan(0.5);
    }
  });

  it('an odd channel count (a pair and one alone in the complex FFTs) reads like the channel mean', () => {
    const x = noise(fs, 0.2, 3);
    const y = noise(fs, 0.05, 5);
    const read = (chans: Float32Array[]): Float64Array => {
      const s = new SpectrumMeter();
      s.prepare(fs, chans.length);
      s.process(chans, fs);
      const db = new Float64Array(s.bands);
      s.read(db);
      return db;
    };
    const mono = read([x]);
    const three = read([x, x, x]);
    const xy = read([x, y]);
    const yx = read([y, x]);
    for (let b = 0; b < mono.length; b++) {
      expect(three[b]).toBeCloseTo(mono[b]!, 9);
      expect(xy[b]).toBeCloseTo(yx[b]!, 9);
      expect(xy[b]!).toBeLessThan(mono[b]!);
    }
  });

  it('gives the same spectrum whatever the block size (stereo, both stages)', () => {
    const x = noise(fs, 0.1, 9);
    const y = noise(fs, 0.3, 11);
    const res = [[1], [8, 24], [960], [4800]].map((sizes) => {
      const s = new SpectrumMeter();
      s.prepare(fs, 2);
      const db = new Float64Array(s.bands);
      const out: number[] = [];
      let n = 0;
      feed([x, y], sizes, (b, frames) => {
        s.process(b, frames);
        n += frames;
        if (n >= 4800) {
          n -= 4800;
          s.read(db);
          out.push(...db);
        }
      });
      return out;
    });
    expect(res[0]!.length).toBe(10 * 31);
    for (let k = 1; k < res.length; k++) expect(res[k]).toEqual(res[0]);
  });
});
