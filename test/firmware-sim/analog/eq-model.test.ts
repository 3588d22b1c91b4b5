import { describe, expect, it } from 'vitest';
import { EqModel } from '../../../firmware-sim/analog/eq-model.ts';
import { rms, sine, stereo } from './signals.ts';
import { allocatedBytes } from '../../support/heap.ts';

const FS = 48000;

function prepared(values: Record<string, number>, analog = false): EqModel {
  const m = new EqModel();
  m.setParams(values);
  m.prepare(FS, 512);
  m.setAnalog({ noise: analog, saturation: analog });
  return m;
}

/** Gain in dB the model applies to a sine at `freqHz` on channel `ch` (steady state). */
function measuredGainDb(m: EqModel, freqHz: number, ch: 0 | 1): number {
  const n = FS; // 1 s: filters settle in the first half
  const [l, r] = stereo(sine(freqHz, n, FS, 0.1), sine(freqHz, n, FS, 0.1));
  m.process([l, r], n);
  const out = ch === 0 ? l : r;
  return 20 * Math.log10(rms(out, n / 2, n) / (0.1 / Math.SQRT2));
}

describe('HB-SEQ4 analog model', () => {
  it('is an exact wire when flat (noise and saturation off), in L/R and in M/S', () => {
    for (const mode of [0, 1]) {
      const m = prepared({ mode });
      const [l, r] = stereo(sine(997, 4096, FS, 0.7), sine(61, 4096, FS, -0.4));
      const [l0, r0] = [Float32Array.from(l), Float32Array.from(r)];
      m.process([l, r], 4096);
      // Bit-exact (x + 0 folds -0 into +0: the M/S matrix turns the sign of a zero side into +0).
      const plain = (a: Float32Array): number[] => Array.from(a, (v) => v + 0);
      expect(plain(l)).toEqual(plain(l0));
      expect(plain(r)).toEqual(plain(r0));
    }
  });

  it('a bell boosts by its detent gain at its switch frequency, and the response matches the filter maths', () => {
    const m = prepared({ 'ch1.band2.freqHz': 1000, 'ch1.band2.gainDb': 4, 'ch1.band2.q': 1 });
    expect(m.magnitudeDb(0, 1000)).toBeCloseTo(4, 6);
    expect(measuredGainDb(m, 1000, 0)).toBeCloseTo(4, 1);
    expect(measuredGainDb(prepared({ 'ch1.band2.freqHz': 1000, 'ch1.band2.gainDb': 4 }), 1000, 1)).toBeCloseTo(0, 2);
  });

  it('shelves, the high-pass and the output trim do what the front panel says', () => {
    const m = prepared({ 'ch2.band1.gainDb': -3, 'ch2.band1.freqHz': 100, 'ch2.band4.gainDb': 2, 'ch2.hpf.freqHz': 30, 'ch2.outputDb': -1.5 });
    expect(m.magnitudeDb(1, 20)).toBeLessThan(-6); // below the high-pass, plus the low shelf
    expect(m.magnitudeDb(1, 20000)).toBeCloseTo(2, 0);
    expect(measuredGainDb(m, 1000, 1)).toBeCloseTo(-1.5 + m.magnitudeDb(1, 1000), 1);
  });

  it('in M/S mode channel 1 works on the mid: a side-only signal passes a mid boost untouched', () => {
    const m = prepared({ mode: 1, 'ch1.band3.gainDb': 6, 'ch1.band3.freqHz': 3300 });
    const s = sine(3300, 9600, FS, 0.2);
    const [l, r] = stereo(s, s.map((x) => -x));
    const [l0] = [Float32Array.from(l)];
    m.process([l, r], 9600);
    expect(rms(l, 4800, 9600)).toBeCloseTo(rms(l0, 4800, 9600), 6);
  });

  it('gives the same output whatever the block size (1, 7, 64, 512, 4096)', () => {
    const values = { 'ch1.band2.gainDb': 3, 'ch2.band4.gainDb': -2, 'ch1.hpf.freqHz': 40, mode: 1 };
    const input = stereo(sine(440, 8192, FS, 0.5), sine(5000, 8192, FS, 0.3));
    let reference: Float32Array[] | undefined;
    for (const block of [1, 7, 64, 512, 4096]) {
      const m = prepared(values);
      const [l, r] = [Float32Array.from(input[0]), Float32Array.from(input[1])];
      for (let off = 0; off < 8192; off += block) {
        const n = Math.min(block, 8192 - off);
        m.process([l.subarray(off, off + n), r.subarray(off, off + n)], n);
      }
      if (!reference) reference = [l, r];
      else {
        expect(l).toEqual(reference[0]);
        expect(r).toEqual(reference[1]);
      }
    }
  });

  it('adds a little noise and saturation when switched on (a 0 dBFS peak is bent by ~0.2 dB)', () => {
    const m = prepared({}, true);
    const silence = stereo(new Float32Array(48000), new Float32Array(48000));
    m.process(silence, 48000);
    const noiseDb = 20 * Math.log10(rms(silence[0], 0, 48000));
    expect(noiseDb).toBeGreaterThan(-115);
    expect(noiseDb).toBeLessThan(-105);
    const loud = stereo(sine(1000, 4800, FS, 1), sine(1000, 4800, FS, 1));
    m.process(loud, 4800);
    const peak = Math.max(...loud[0].map(Math.abs));
    expect(20 * Math.log10(peak)).toBeLessThan(-0.1);
    expect(20 * Math.log10(peak)).toBeGreaterThan(-0.4);
  });

  it('does not allocate while processing: 10k blocks leave the heap where it was', () => {
    const m = prepared({ 'ch1.band2.gainDb': 3, mode: 1 }, true);
    const [l, r] = stereo(sine(440, 256, FS, 0.5), sine(440, 256, FS, 0.5));
    const chans = [l, r];
    const bytes = allocatedBytes(() => {
      for (let i = 0; i < 10_000; i++) m.process(chans, 256);
    });
    expect(bytes).toBeLessThan(512 * 1024);
  });
});
