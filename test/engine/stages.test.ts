import { describe, expect, it } from 'vitest';
import { Dither } from '../../src/engine/dither.ts';
import { Width } from '../../src/engine/width.ts';
import { BAND_MODES } from '../../src/engine/eq-band.ts';
import { BELL } from '../../src/engine/dsp/filter-design.ts';
import { eqWithBand } from './support/eq-harness.ts';
import { runBlocks, setByName } from './support/run.ts';
import { db, noise, peakAbs, rms, sine } from './support/signals.ts';

const FS = 48000;

describe('dither', () => {
  function dither(bits: number, shaping = 0): Dither {
    const d = new Dither({ id: 'dither', smoothingMs: 20 });
    setByName(d, 'bits', bits);
    setByName(d, 'noiseShaping', shaping);
    d.prepare(FS, 512, 2);
    return d;
  }

  it('is off (bit-exact) when the word length is not reduced (32 bits)', () => {
    const input = noise(FS, 0.5, 3);
    const x = Float32Array.from(input);
    runBlocks(dither(32), [x, Float32Array.from(input)], 512);
    expect(x).toEqual(input);
  });

  for (const bits of [16, 20, 24]) {
    it(`${bits} bits: output on the ${bits}-bit grid, TPDF error of 1/2 LSB RMS, uncorrelated with the signal`, () => {
      const input = sine(FS, 997, FS, 0.5);
      const x = Float32Array.from(input);
      runBlocks(dither(bits), [x, Float32Array.from(input)], 512);
      const scale = 2 ** (bits - 1);
      for (let i = 0; i < x.length; i += 11) expect(Number.isInteger(x[i]! * scale)).toBe(true);
      const err = x.map((v, i) => (v - input[i]!) * scale);
      // Quantisation (1/12) plus TPDF dither (2/12) LSB^2: RMS 0.5 LSB.
      expect(rms(err)).toBeGreaterThan(0.45);
      expect(rms(err)).toBeLessThan(0.55);
      let corr = 0;
      for (let i = 0; i < x.length; i++) corr += err[i]! * input[i]!;
      expect(Math.abs(corr / x.length)).toBeLessThan(0.01);
    });
  }

  it('noise shaping moves the error out of the 1-5 kHz band towards Nyquist', () => {
    const bandPower = (err: Float32Array, lo: number, hi: number): number => {
      let p = 0;
      for (let f = lo; f <= hi; f += 250) {
        let re = 0;
        let im = 0;
        const w = (2 * Math.PI * f) / FS;
        for (let n = 0; n < 16384; n++) {
          re += err[n]! * Math.cos(w * n);
          im -= err[n]! * Math.sin(w * n);
        }
        p += re * re + im * im;
      }
      return p;
    };
    const input = sine(FS / 2, 440, FS, 0.3);
    const flat = Float32Array.from(input);
    const shaped = Float32Array.from(input);
    runBlocks(dither(16, 0), [flat, Float32Array.from(input)], 512);
    runBlocks(dither(16, 2), [shaped, Float32Array.from(input)], 512);
    const e0 = flat.map((v, i) => v - input[i]!);
    const e1 = shaped.map((v, i) => v - input[i]!);
    expect(bandPower(e1, 1000, 5000)).toBeLessThan(0.5 * bandPower(e0, 1000, 5000));
    expect(bandPower(e1, 18000, 22000)).toBeGreaterThan(4 * bandPower(e0, 18000, 22000));
  });
});

describe('width', () => {
  function width(settings: Record<string, number>): Width {
    const w = new Width({ id: 'width', smoothingMs: 20 });
    for (const [k, v] of Object.entries(settings)) setByName(w, k, v);
    w.prepare(FS, 512, 2);
    return w;
  }

  it('side gain scales only the side; mid gain only the mid', () => {
    const m = sine(FS / 2, 300, FS, 0.3);
    const s = sine(FS / 2, 700, FS, 0.1);
    const l = m.map((v, i) => v + s[i]!);
    const r = m.map((v, i) => v - s[i]!);
    runBlocks(width({ sideGainDb: 6, midGainDb: -6 }), [l, r], 512);
    const from = FS / 4;
    const mo = l.map((v, i) => 0.5 * (v + r[i]!));
    const so = l.map((v, i) => 0.5 * (v - r[i]!));
    expect(db(rms(so, from) / rms(s, from))).toBeCloseTo(6, 2);
    expect(db(rms(mo, from) / rms(m, from))).toBeCloseTo(-6, 2);
  });

  it('the mono maker removes the side below its corner and keeps it above', () => {
    for (const [f, expectDb] of [
      [40, -20],
      [2000, 0],
    ] as const) {
      const s = sine(FS, f, FS, 0.3);
      const l = Float32Array.from(s);
      const r = s.map((v) => -v);
      runBlocks(width({ monoMakerEnabled: 1, monoBelowHz: 150 }), [l, r], 512);
      const side = l.map((v, i) => 0.5 * (v - r[i]!));
      const gain = db(rms(side, FS / 2) / rms(s, FS / 2));
      if (expectDb < 0) expect(gain).toBeLessThan(expectDb);
      else expect(Math.abs(gain)).toBeLessThan(0.1);
      // The mid is untouched.
      const mid = l.map((v, i) => 0.5 * (v + r[i]!));
      expect(peakAbs(mid, FS / 2)).toBeLessThan(1e-6);
    }
  });
});

describe('EQ stereo modes', () => {
  // A +12 dB bell at 1 kHz (gain g at its centre, zero phase there), probed with 1 kHz tones that
  // are pure mid, pure side, left only and right only: each mode must filter exactly its part.
  const g = Math.pow(10, 12 / 20);
  const expected: Record<string, (l: number, r: number) => [number, number]> = {
    stereo: (l, r) => [g * l, g * r],
    left: (l, r) => [g * l, r],
    right: (l, r) => [l, g * r],
    mid: (l, r) => {
      const m = 0.5 * (l + r);
      const s = 0.5 * (l - r);
      return [g * m + s, g * m - s];
    },
    side: (l, r) => {
      const m = 0.5 * (l + r);
      const s = 0.5 * (l - r);
      return [m + g * s, m - g * s];
    },
  };
  const probes: Record<string, (x: Float32Array) => [Float32Array, Float32Array]> = {
    mid: (x) => [Float32Array.from(x), Float32Array.from(x)],
    side: (x) => [Float32Array.from(x), x.map((v) => -v)],
    left: (x) => [Float32Array.from(x), new Float32Array(x.length)],
    right: (x) => [new Float32Array(x.length), Float32Array.from(x)],
  };
  for (const [modeIndex, mode] of BAND_MODES.entries()) {
    it(`mode ${mode} filters exactly its part of the signal`, () => {
      for (const [probe, make] of Object.entries(probes)) {
        const eq = eqWithBand(FS, { type: BELL, freqHz: 1000, gainDb: 12, q: 1, mode: modeIndex }, 512, 2);
        const [l, r] = make(sine(FS / 2, 1000, FS, 0.1));
        const l0 = Float32Array.from(l);
        const r0 = Float32Array.from(r);
        runBlocks(eq, [l, r], 512);
        let err = 0;
        for (let i = FS / 4; i < FS / 2; i++) {
          const [el, er] = expected[mode]!(l0[i]!, r0[i]!);
          err = Math.max(err, Math.abs(l[i]! - el), Math.abs(r[i]! - er));
        }
        // 2 % of the boosted amplitude (0.4): the digital bell's phase at its centre is not exactly 0.
        expect(err, `${mode} on a ${probe} tone`).toBeLessThan(0.008);
      }
    });
  }
});
