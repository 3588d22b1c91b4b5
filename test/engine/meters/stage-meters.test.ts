import { describe, expect, it } from 'vitest';
import { resolveBallistics } from '../../../src/engine/meters/ballistics.ts';
import { CorrelationMeter, type CorrelationReading } from '../../../src/engine/meters/correlation-meter.ts';
import { GainReductionMeter } from '../../../src/engine/meters/gain-reduction-meter.ts';
import { SpectrumMeter, thirdOctaveCentres } from '../../../src/engine/meters/spectrum-meter.ts';
import { emptyStageReading, StageMeter } from '../../../src/engine/meters/stage-meter.ts';
import { feed, noise, sine } from './signals.ts';

const fs = 48000;

describe('stage meter (peak, RMS, hold with fall)', () => {
  it('reads a sine: peak 20 log A, RMS 3 dB below', () => {
    const m = new StageMeter();
    m.prepare(fs, 2);
    const x = sine(fs, 2, 1000, 0.5);
    m.process([x, new Float32Array(x.length)], x.length);
    const r = emptyStageReading(2);
    m.read(r);
    expect(r.peakDb[0]).toBeCloseTo(-6.02, 2);
    expect(r.rmsDb[0]).toBeCloseTo(-9.03, 1);
    expect(r.holdDb[0]).toBeCloseTo(-6.02, 2);
    expect(r.peakDb[1]).toBe(-Infinity);
    expect(r.rmsDb[1]).toBe(-Infinity);
  });

  it('holds a peak for peakHoldMs, then falls at peakFallDbPerS', () => {
    const m = new StageMeter();
    m.prepare(fs, 1, { peakHoldMs: 500, peakFallDbPerS: 20 });
    const click = new Float32Array(fs * 2);
    click[0] = 1;
    const r = emptyStageReading(1);
    m.process([click.subarray(0, fs * 0.4)], fs * 0.4);
    m.read(r);
    expect(r.holdDb[0]).toBe(0);
    m.process([new Float32Array(fs * 0.6)], fs * 0.6); // 1.0 s since the click: 0.5 s hold + 0.5 s fall
    m.read(r);
    expect(r.holdDb[0]).toBeCloseTo(-10, 1);
    expect(r.peakDb[0]).toBe(-Infinity); // since the previous read: nothing
  });

  it('gives the same readings whatever the block size', () => {
    const x = noise(fs, 0.2, 3);
    const readings = [[1], [13], [256], [4096]].map((sizes) => {
      const m = new StageMeter();
      m.prepare(fs, 1);
      feed([x], sizes, (b, n) => m.process(b, n));
      const r = emptyStageReading(1);
      m.read(r);
      return r;
    });
    for (const r of readings) {
      expect(r.peakDb[0]).toBe(readings[0]!.peakDb[0]);
      expect(Math.abs(r.rmsDb[0]! - readings[0]!.rmsDb[0]!)).toBeLessThan(1e-9);
      expect(Math.abs(r.holdDb[0]! - readings[0]!.holdDb[0]!)).toBeLessThan(1e-9);
    }
  });

  it('scrubs NaN and counts it', () => {
    const m = new StageMeter();
    m.prepare(fs, 1);
    m.process([new Float32Array([0.5, Number.NaN, -Infinity])], 3);
    const r = emptyStageReading(1);
    m.read(r);
    expect(m.nonFiniteSamples).toBe(2);
    expect(r.peakDb[0]).toBeCloseTo(-6.02, 2);
    expect(Number.isFinite(r.rmsDb[0])).toBe(true);
  });

  it('reads a channel the caller did not pass as silence, still letting its hold fall', () => {
    const m = new StageMeter();
    m.prepare(fs, 2, { peakHoldMs: 0, peakFallDbPerS: 20 });
    const x = sine(fs, 0.1, 1000, 0.5);
    m.process([x, x], x.length);
    const r = emptyStageReading(2);
    m.read(r);
    const second = sine(fs, 1, 1000, 0.5);
    m.process([second], fs); // only channel 0, one second
    m.read(r);
    expect(m.nonFiniteSamples).toBe(0);
    expect(r.peakDb[1]).toBe(-Infinity);
    expect(r.holdDb[1]).toBeCloseTo(-6.02 - 20, 0);
    expect(r.peakDb[0]).toBeCloseTo(-6.02, 1);
  });

  it('rejects ballistics out of range', () => {
    expect(() => resolveBallistics({ peakHoldMs: -1 })).toThrow(RangeError);
    expect(() => resolveBallistics({ rmsWindowMs: Number.NaN })).toThrow(RangeError);
  });
});

describe('correlation and balance', () => {
  const read = (l: Float32Array, r: Float32Array, channels = 2): CorrelationReading => {
    const m = new CorrelationMeter();
    m.prepare(fs, channels, 300);
    m.process(channels === 1 ? [l] : [l, r], l.length);
    const out = { correlation: NaN, balance: NaN };
    m.read(out);
    return out;
  };
  const x = sine(fs, 1, 440, 0.5);
  const neg = x.map((v) => -v);

  it('mono reads +1, anti-phase -1, unrelated noise ~0', () => {
    expect(read(x, x).correlation).toBeCloseTo(1, 6);
    expect(read(x, neg).correlation).toBeCloseTo(-1, 6);
    expect(Math.abs(read(noise(fs, 0.2, 1), noise(fs, 0.2, 2)).correlation)).toBeLessThan(0.1);
    expect(read(x, x, 1).correlation).toBeCloseTo(1, 6);
  });

  it('balance: centred 0, hard left -1, right louder positive', () => {
    const silent = new Float32Array(x.length);
    expect(read(x, x).balance).toBeCloseTo(0, 6);
    expect(read(x, silent).balance).toBeCloseTo(-1, 6);
    expect(read(x.map((v) => v * 0.5), x).balance).toBeCloseTo(0.6, 2); // (1 - 0.25) / (1 + 0.25)
  });

  it('silence reads 0 / 0, never NaN', () => {
    const silent = new Float32Array(1000);
    const r = read(silent, silent);
    expect(r).toEqual({ correlation: 0, balance: 0 });
  });
});

describe('gain reduction', () => {
  it('reads the largest reduction since the previous read, then holds the last value', () => {
    const g = new GainReductionMeter();
    g.prepare(2);
    const out = new Float64Array(2);
    g.set(0, 3);
    g.set(0, 6);
    g.set(0, 1);
    g.set(1, Number.NaN);
    g.read(out);
    expect([...out]).toEqual([6, 0]);
    g.read(out);
    expect([...out]).toEqual([1, 0]);
    g.set(5, 10); // no such processor: ignored
    g.read(out);
    expect([...out]).toEqual([1, 0]);
  });
});

describe('third-octave spectrum', () => {
  it('has the IEC bands from 20 Hz to 20 kHz under Nyquist', () => {
    expect(thirdOctaveCentres(48000)).toHaveLength(31);
    expect(thirdOctaveCentres(48000)[0]).toBeCloseTo(19.95, 1);
    expect(thirdOctaveCentres(32000).at(-1)).toBeLessThan(16000);
  });

  it('puts a 1 kHz sine of amplitude 0.5 in the 1 kHz band at -6 dB, the rest far below', () => {
    const s = new SpectrumMeter();
    s.prepare(fs, 2);
    const x = sine(fs, 2, 1000, 0.5);
    const hz = new Float64Array(s.bands);
    const db = new Float64Array(s.bands);
    // The first second includes the tone's onset (broadband); look at the steady second.
    s.process([x.subarray(0, fs), x.subarray(0, fs)], fs);
    s.read(db);
    s.process([x.subarray(fs), x.subarray(fs)], fs);
    s.frequencies(hz);
    s.read(db);
    const k = hz.findIndex((f) => Math.abs(f - 1000) < 1);
    expect(db[k]).toBeCloseTo(-6.02, 0);
    for (let b = 0; b < s.bands; b++) if (Math.abs(b - k) > 2) expect(db[b]!).toBeLessThan(-60);
    // read() re-arms: nothing new since
    s.read(db);
    expect(db[k]).toBe(-Infinity);
  });

  it('reads a 25 Hz sine in its band even though the band is narrower than a few bins', () => {
    const s = new SpectrumMeter();
    s.prepare(fs, 1);
    const x = sine(fs, 1, 25.12, 0.5);
    s.process([x], x.length);
    const db = new Float64Array(s.bands);
    s.read(db);
    expect(db[1]).toBeGreaterThan(-9);
    expect(db[1]).toBeLessThan(-5);
  });

  it('gives the same spectrum whatever the block size', () => {
    const x = noise(fs, 0.1, 9);
    const res = [[1], [100], [4096]].map((sizes) => {
      const s = new SpectrumMeter();
      s.prepare(fs, 1);
      feed([x], sizes, (b, n) => s.process(b, n));
      const db = new Float64Array(s.bands);
      s.read(db);
      return db;
    });
    expect([...res[1]!]).toEqual([...res[0]!]);
    expect([...res[2]!]).toEqual([...res[0]!]);
  });
});
