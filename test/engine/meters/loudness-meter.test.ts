import { describe, expect, it } from 'vitest';
import { channelWeights, SPEAKER, SURROUND_WEIGHT } from '../../../src/engine/meters/channel-weights.ts';
import { kWeightingCoefficients } from '../../../src/engine/meters/k-weighting.ts';
import { emptyLoudnessReading, LoudnessMeter, type LoudnessReading } from '../../../src/engine/meters/loudness-meter.ts';
import { feed, inPhase, lcg, noise, toneSequence } from './signals.ts';

/** Straight from BS.1770-4 / Tech 3342, with plain arrays: the reference for the streaming meter. */
function reference(fs: number, chans: Float32Array[], weights: ArrayLike<number>): { integrated: number; lra: number; maxM: number } {
  const k = kWeightingCoefficients(fs);
  const n = chans[0]!.length;
  const p = new Float64Array(n);
  chans.forEach((x, c) => {
    let s1 = 0, s2 = 0, h1 = 0, h2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const y = k.shelf.b0 * v + s1;
      s1 = k.shelf.b1 * v - k.shelf.a1 * y + s2;
      s2 = k.shelf.b2 * v - k.shelf.a2 * y;
      const z = k.highPass.b0 * y + h1;
      h1 = k.highPass.b1 * y - k.highPass.a1 * z + h2;
      h2 = k.highPass.b2 * y - k.highPass.a2 * z;
      p[i] = p[i]! + weights[c]! * z * z;
    }
  });
  const hop = fs / 10;
  const window = (end: number, len: number): number => {
    let s = 0;
    for (let i = Math.max(0, end - len); i < end; i++) s += p[i]!;
    return s / len;
  };
  const L = (pw: number): number => -0.691 + 10 * Math.log10(pw);
  const blocks: number[] = [];
  for (let end = 4 * hop; end <= n; end += hop) blocks.push(window(end, 4 * hop));
  const abs = blocks.filter((b) => L(b) > -70);
  const rel = L(abs.reduce((a, b) => a + b, 0) / abs.length) - 10;
  const gated = abs.filter((b) => L(b) > rel);
  const integrated = L(gated.reduce((a, b) => a + b, 0) / gated.length);
  const st: number[] = [];
  for (let end = 30 * hop; end <= n; end += hop) st.push(window(end, 30 * hop));
  const stAbs = st.filter((b) => L(b) > -70);
  const stRel = L(stAbs.reduce((a, b) => a + b, 0) / stAbs.length) - 20;
  const v = stAbs.filter((b) => L(b) > stRel).map(L).sort((a, b) => a - b);
  const lra = v[Math.round((v.length - 1) * 0.95)]! - v[Math.round((v.length - 1) * 0.1)]!;
  let maxM = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += p[i]! - (i >= 4 * hop ? p[i - 4 * hop]! : 0);
    if (s > maxM) maxM = s;
  }
  return { integrated, lra, maxM: L(maxM / (4 * hop)) };
}

/** Noise whose level wanders in steps, so gating and LRA have something to do. */
function programme(fs: number, seconds: number, seed: number): Float32Array[] {
  const r = lcg(seed);
  const l = noise(seconds * fs, 0.1, seed);
  const rr = noise(seconds * fs, 0.1, seed + 1);
  let gain = 1;
  for (let i = 0; i < l.length; i++) {
    if (i % (fs / 2) === 0) gain = 10 ** ((-30 * r()) / 20) * (r() < 0.1 ? 0 : 1);
    l[i] = l[i]! * gain;
    rr[i] = (0.5 * rr[i]! + 0.5 * l[i]!) * gain;
  }
  return [l, rr];
}

function run(fs: number, chans: Float32Array[], sizes: number[], maxBlock = 4096): LoudnessReading {
  const m = new LoudnessMeter();
  m.prepare(fs, maxBlock, chans.length);
  feed(chans, sizes, (b, n) => m.process(b, n));
  const out = emptyLoudnessReading();
  m.read(out);
  return out;
}

describe('loudness meter', () => {
  it('matches a direct implementation of BS.1770-4 gating and Tech 3342 LRA', () => {
    for (const fs of [44100, 48000]) {
      const x = programme(fs, 40, 3);
      const ref = reference(fs, x, [1, 1]);
      const r = run(fs, x, [1000]);
      expect(Math.abs(r.integratedLufs - ref.integrated)).toBeLessThan(0.005);
      expect(Math.abs(r.loudnessRangeLu - ref.lra)).toBeLessThan(0.03);
      expect(Math.abs(r.momentaryMaxLufs - ref.maxM)).toBeLessThan(1e-6);
      expect(r.loudnessRangeLu).toBeGreaterThan(3);
    }
  });

  it('gives the same readings for block sizes 1 to 4096', () => {
    const fs = 48000;
    const x = programme(fs, 6, 11);
    const ref = run(fs, x, [4096]);
    const r = lcg(5);
    const random = Array.from({ length: 200 }, () => 1 + Math.floor(r() * 4096));
    for (const sizes of [[1], [2], [7], [64], [441], [512], [4095], [4096], random]) {
      const got = run(fs, x, sizes);
      for (const key of ['momentaryMaxLufs', 'shortTermMaxLufs', 'integratedLufs', 'momentaryLufs', 'shortTermLufs'] as const) {
        const diff = got[key] === ref[key] ? 0 : Math.abs(got[key] - ref[key]);
        expect(diff, `${key} with blocks ${sizes.length > 1 ? 'random' : String(sizes[0])}`).toBeLessThan(1e-9);
      }
      expect(got.loudnessRangeLu).toBe(ref.loudnessRangeLu);
    }
  });

  it('gives the same readings for block sizes 1 to 4096 with 5.1 channels too', () => {
    const fs = 48000;
    const st = programme(fs, 4, 21);
    const x = [st[0]!, st[1]!, st[0]!, st[1]!, st[1]!, st[0]!];
    const ref = run(fs, x, [4096]);
    for (const sizes of [[1], [63], [4096], [5, 4000, 333]]) {
      const got = run(fs, x, sizes);
      expect(Math.abs(got.integratedLufs - ref.integratedLufs)).toBeLessThan(1e-9);
      expect(Math.abs(got.momentaryMaxLufs - ref.momentaryMaxLufs)).toBeLessThan(1e-9);
    }
  });

  it('reads a channel the caller did not pass as silence', () => {
    const fs = 48000;
    const x = toneSequence(fs, [{ dbfs: -23, seconds: 5 }]);
    const both = run(fs, [x, new Float32Array(x.length)], [1000]);
    const m = new LoudnessMeter();
    m.prepare(fs, 1000, 2);
    feed([x], [1000], (b, n) => m.process(b, n));
    expect(m.integratedLufs()).toBeCloseTo(both.integratedLufs, 9);
  });

  it('accepts blocks larger than maxBlock by splitting them', () => {
    const fs = 48000;
    const x = programme(fs, 4, 2);
    const a = run(fs, x, [48000], 100);
    const b = run(fs, x, [100], 100);
    expect(Math.abs(a.integratedLufs - b.integratedLufs)).toBeLessThan(1e-9);
  });

  it('read() returns the maxima since the previous read and keeps the programme maxima', () => {
    const fs = 48000;
    const m = new LoudnessMeter();
    m.prepare(fs, 4096, 2);
    const r = emptyLoudnessReading();
    const loud = toneSequence(fs, [{ dbfs: -10, seconds: 1 }]);
    const quiet = toneSequence(fs, [{ dbfs: -40, seconds: 4 }]);
    m.process(inPhase(loud), loud.length);
    m.read(r);
    expect(r.momentaryMaxSinceReadLufs).toBeCloseTo(-10, 1);
    m.process(inPhase(quiet), quiet.length);
    m.read(r);
    m.process(inPhase(quiet), quiet.length);
    m.read(r);
    expect(r.momentaryMaxSinceReadLufs).toBeCloseTo(-40, 1);
    expect(r.momentaryMaxLufs).toBeCloseTo(-10, 1);
    m.reset();
    m.read(r);
    expect(r.momentaryMaxLufs).toBe(-Infinity);
    expect(r.integratedLufs).toBe(-Infinity);
  });

  it('reads silence as -Infinity, never NaN, including after loud material', () => {
    const fs = 48000;
    const m = new LoudnessMeter();
    m.prepare(fs, 4096, 2);
    const loud = toneSequence(fs, [{ dbfs: 0, seconds: 2 }]);
    m.process(inPhase(loud), loud.length);
    const silence = new Float32Array(4 * fs);
    m.process(inPhase(silence), silence.length);
    expect(m.momentaryLufs()).toBe(-Infinity);
    expect(m.shortTermLufs()).toBe(-Infinity);
    const fresh = new LoudnessMeter();
    fresh.prepare(fs, 4096, 2);
    const r = emptyLoudnessReading();
    fresh.read(r);
    for (const v of Object.values(r)) expect(Number.isNaN(v)).toBe(false);
  });

  it('scrubs NaN / Inf input (counted) without poisoning the filters', () => {
    const fs = 48000;
    const x = toneSequence(fs, [{ dbfs: -23, seconds: 5 }]);
    x[1000] = Number.NaN;
    x[2000] = Infinity;
    const m = new LoudnessMeter();
    m.prepare(fs, 4096, 2);
    m.process(inPhase(x), x.length);
    expect(m.nonFiniteSamples).toBe(4);
    expect(Math.abs(m.integratedLufs() + 23)).toBeLessThan(0.1);
  });
});

describe('channel weights', () => {
  it('weights stereo 1/1, 5.0 surrounds 1.41, 5.1 LFE 0', () => {
    expect([...channelWeights(1)]).toEqual([1]);
    expect([...channelWeights(2)]).toEqual([1, 1]);
    expect([...channelWeights(5)]).toEqual([1, 1, 1, SURROUND_WEIGHT, SURROUND_WEIGHT]);
    expect([...channelWeights(6)]).toEqual([1, 1, 1, 0, SURROUND_WEIGHT, SURROUND_WEIGHT]);
  });

  it('follows a WAVE_FORMAT_EXTENSIBLE channel mask', () => {
    const m51 = SPEAKER.FRONT_LEFT | SPEAKER.FRONT_RIGHT | SPEAKER.FRONT_CENTER | SPEAKER.LOW_FREQUENCY | SPEAKER.SIDE_LEFT | SPEAKER.SIDE_RIGHT;
    expect([...channelWeights(6, m51)]).toEqual([1, 1, 1, 0, SURROUND_WEIGHT, SURROUND_WEIGHT]);
    expect([...channelWeights(6, 0x3f)]).toEqual([1, 1, 1, 0, SURROUND_WEIGHT, SURROUND_WEIGHT]);
    expect([...channelWeights(8, 0x63f)]).toEqual([1, 1, 1, 0, 1, 1, SURROUND_WEIGHT, SURROUND_WEIGHT]);
  });

  it('excludes the LFE from the loudness of a 5.1 signal', () => {
    const fs = 48000;
    const tone = toneSequence(fs, [{ dbfs: -23, seconds: 5 }]);
    const silent = new Float32Array(tone.length);
    const loudLfe = toneSequence(fs, [{ dbfs: 0, seconds: 5 }], 60);
    const a = run(fs, [tone, tone, silent, silent, silent, silent], [4096]);
    const b = run(fs, [tone, tone, silent, loudLfe, silent, silent], [4096]);
    expect(b.integratedLufs).toBeCloseTo(a.integratedLufs, 9);
  });
});
