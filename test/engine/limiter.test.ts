import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/engine/limiter.ts';
import { TRUE_PEAK_PHASES } from '../../src/engine/dsp/true-peak-filter.ts';
import { requestedBackend, type KernelChoice } from '../../src/engine/dsp/wasm-kernel.ts';
import { compiledKernels } from '../support/compiled-kernels.ts';
import { runBlocks, setByName } from './support/run.ts';
import { db, noise, sine, truePeak } from './support/signals.ts';

/**
 * The limiter's promise: the output's true peak (BS.1770-4 Annex 2, 4x oversampled, measured
 * here by an independent implementation in support/signals.ts) never exceeds the ceiling by more
 * than 0.1 dB, on a corpus of hostile signals, at every lookahead, drive and sample rate.
 */
function corpus(fs: number): [string, Float32Array][] {
  const n = Math.round(fs / 2);
  const out: [string, Float32Array][] = [];
  for (const f of [50, 997, 3000, 5000, 8000, fs / 4, fs / 6, 15000]) {
    const x = new Float32Array(n);
    const period = fs / f;
    for (let i = 0; i < n; i++) x[i] = i % period < period / 2 ? 1 : -1;
    out.push([`full-scale square ${Math.round(f)} Hz`, x]);
  }
  // EBU Tech 3341 style true-peak tones: fs/4 sines whose samples miss the crest by a phase.
  for (const phaseDeg of [0, 45, 60, 67.5, 88.2]) {
    const ph = (phaseDeg * Math.PI) / 180;
    let sampleMax = 0;
    for (let k = 0; k < 4; k++) sampleMax = Math.max(sampleMax, Math.abs(Math.sin((Math.PI / 2) * k + ph)));
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin((Math.PI / 2) * i + ph) / sampleMax; // samples at 0 dBFS, crest above
    out.push([`fs/4 tone ${phaseDeg} deg, 0 dBFS samples`, x]);
  }
  const binary = noise(n, 1, 7).map((v) => (v >= 0 ? 1 : -1));
  out.push(['full-scale binary noise', binary]);
  out.push(['clipped white noise (+12 dB into the rails)', noise(n, 4, 9).map((v) => Math.max(-1, Math.min(1, v)))]);
  const drums = new Float32Array(n);
  const hits = noise(n, 1, 11);
  for (let i = 0; i < n; i++) {
    const t = (i % Math.round(fs / 4)) / fs;
    const kick = 3 * Math.sin(2 * Math.PI * 60 * t * (1 + 4 * Math.exp(-t * 30))) * Math.exp(-t * 8);
    const snare = 2 * hits[i]! * Math.exp(-(((i + Math.round(fs / 8)) % Math.round(fs / 4)) / fs) * 20);
    drums[i] = Math.max(-1, Math.min(1, kick + snare));
  }
  out.push(['clipped drums', drums]);
  const sweep = new Float32Array(n);
  for (let i = 0; i < n; i++) sweep[i] = Math.sin(2 * Math.PI * (20 * (i / fs) + ((20000 - 20) / (2 * (n / fs))) * (i / fs) ** 2));
  out.push(['full-scale sweep 20 Hz-20 kHz', sweep]);
  return out;
}

function limiter(fs: number, settings: Record<string, number>, channels = 2, kernel: KernelChoice = 'native'): Limiter {
  const l = new Limiter({ id: 'limiter', smoothingMs: 20 });
  l.kernel = kernel;
  for (const [k, v] of Object.entries(settings)) setByName(l, k, v);
  l.prepare(fs, 512, channels);
  return l;
}

describe('true-peak limiter ceiling', () => {
  for (const fs of [44100, 48000, 96000]) {
    it(`never exceeds the ceiling by more than 0.1 dBTP at ${fs} Hz (corpus x ceilings x drive x lookahead)`, () => {
      let worstOver = -Infinity;
      for (const ceilingDbtp of [-1, -0.1]) {
        for (const driveDb of [0, 12]) {
          for (const lookaheadMs of [0.5, 5]) {
            for (const [name, sig] of corpus(fs)) {
              const lim = limiter(fs, { ceilingDbtp, driveDb, lookaheadMs, releaseMs: 50 });
              const l = Float32Array.from(sig);
              const r = Float32Array.from(sig).map((v) => -0.9 * v);
              runBlocks(lim, [l, r], 512);
              // Skip the delay line's start (silence, then the onset).
              const from = lim.latencySamples;
              const over = Math.max(db(truePeak(l.subarray(from))), db(truePeak(r.subarray(from)))) - ceilingDbtp;
              worstOver = Math.max(worstOver, over);
              expect(over, `${name}, ceiling ${ceilingDbtp}, drive ${driveDb}, lookahead ${lookaheadMs} ms`).toBeLessThanOrEqual(0.1);
            }
          }
        }
      }
      // It really limits (the corpus drives it hard), it does not just attenuate everything.
      expect(worstOver).toBeGreaterThan(-0.5);
    });
  }

  it('detects inter-sample peaks exactly as the Annex 2 filter predicts (the inlined taps are the right ones)', () => {
    for (let p = 0; p < 4; p++) expect(TRUE_PEAK_PHASES[3 - p]!.slice().reverse()).toEqual(TRUE_PEAK_PHASES[p]!.slice());
    // Two adjacent samples of 0.5: the interpolated peak is 0.5 * max |h[j] + h[j-1]| (0.5 * 1.2449).
    let gain = 1;
    for (const taps of TRUE_PEAK_PHASES) for (let j = 1; j < 12; j++) gain = Math.max(gain, Math.abs(taps[j]! + taps[j - 1]!));
    const peakDb = db(0.5 * gain);
    const fs = 48000;
    const lim = new Limiter({ id: 'limiter', smoothingMs: 20 });
    setByName(lim, 'ceilingDbtp', -6);
    setByName(lim, 'lookaheadMs', 1);
    setByName(lim, 'releaseMs', 1);
    lim.prepare(fs, 4096, 1);
    const x = new Float32Array(4096);
    x[1000] = 0.5;
    x[1001] = 0.5;
    runBlocks(lim, [x], 4096);
    // The limiter aims 0.02 dB under the ceiling.
    expect(lim.gainReductionDb).toBeCloseTo(peakDb + 6 + 0.02, 4);
  });

  it('constant latency (5 ms + 14 samples), and a quiet signal passes bit-exactly (delayed)', () => {
    for (const fs of [44100, 48000, 96000]) {
      for (const lookaheadMs of [0.5, 1.5, 5]) {
        const lim = limiter(fs, { ceilingDbtp: -1, lookaheadMs });
        expect(lim.latencySamples).toBe(Math.ceil(0.005 * fs) + 14);
        const input = sine(fs / 4, 1000, fs, 0.5);
        const x = Float32Array.from(input);
        runBlocks(lim, [x, Float32Array.from(input)], 333);
        const d = lim.latencySamples;
        for (let i = d; i < x.length; i += 7) expect(x[i]).toBe(input[i - d]);
      }
    }
  });

  it('limits absurd finite samples too (1e38: the detector holds them within +96 dBFS, where the float32 sums and the gain average still works)', () => {
    const fs = 48000;
    for (const kernel of [...compiledKernels('limiter-detect'), 'js'] as const) {
      const lim = limiter(fs, { ceilingDbtp: -1, lookaheadMs: 1.5 }, 2, kernel);
      expect(lim.backend).toBe(requestedBackend(kernel));
      const l = noise(fs / 4, 0.3, 5);
      const r = noise(fs / 4, 0.3, 6);
      l[3000] = 1e38;
      r[6000] = -3e38;
      runBlocks(lim, [l, r], 256);
      let max = 0;
      for (const x of [l, r]) for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]!));
      expect(db(max), kernel).toBeLessThanOrEqual(-1 + 0.1);
    }
  });

  it('a lookahead change keeps the ceiling (the detector window is rebuilt, the latency stays)', () => {
    const fs = 48000;
    const lim = limiter(fs, { ceilingDbtp: -1, lookaheadMs: 0.5 });
    const sig = corpus(fs).find(([n]) => n.startsWith('clipped drums'))![1];
    const l = Float32Array.from(sig);
    const r = Float32Array.from(sig);
    const la = lim.params.findIndex((p) => p.id === 'limiter.lookaheadMs');
    runBlocks(lim, [l, r], 256, (frame) => {
      if (frame % 2048 === 0) lim.setParam(la, frame % 4096 === 0 ? 5 : 0.7);
    });
    expect(db(truePeak(l.subarray(lim.latencySamples))) + 1).toBeLessThanOrEqual(0.1);
  });
});
