import { describe, expect, it } from 'vitest';
import { Compressor, ratioToSlope, staticGainReductionDb } from '../../src/engine/compressor.ts';
import { DB_PER_LOG2_POWER, FastMath, LOG2_PER_DB_AMPLITUDE } from '../../src/engine/dsp/fast-math.ts';
import { requestedBackend, type KernelChoice } from '../../src/engine/dsp/wasm-kernel.ts';
import { compiledKernels } from '../support/compiled-kernels.ts';
import { runBlocks, setByName } from './support/run.ts';
import { noise, sine } from './support/signals.ts';

const FS = 48000;
const FRAMES = 24000;
const BLOCK_SIZES = [1, 7, 64, 512, 4096];
/** Tolerance of the fast log2/exp2 against exact math, on the applied gain. */
const GAIN_TOLERANCE_DB = 1e-4;

/** Deterministic uniform numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Bursts: 40 ms of loud noise every 250 ms over a quiet sine (attack and release both exercised). */
function bursts(frames: number, seed: number): Float32Array {
  const x = sine(frames, 330, FS, 0.02);
  const n = noise(frames, 0.9, seed);
  for (let i = 0; i < frames; i++) if (i % 12000 < 1920) x[i] = n[i]!;
  return x;
}

const SIGNALS: Record<string, () => Float32Array[]> = {
  noise: () => [noise(FRAMES, 0.6, 31), noise(FRAMES, 0.5, 32)],
  sines: () => [sine(FRAMES, 997, FS, 0.9), sine(FRAMES, 55, FS, 0.3)],
  bursts: () => [bursts(FRAMES, 41), bursts(FRAMES, 42)],
};

const SETTINGS = { thresholdDb: -24, ratio: 4, kneeDb: 6, attackMs: 2, releaseMs: 80, makeupDb: 3 };

function compressed(kernel: KernelChoice, input: readonly Float32Array[], block: number, moves: boolean): { out: Float32Array[]; grDb: number[] } {
  const c = new Compressor({ id: 'comp', smoothingMs: 20 });
  c.kernel = kernel;
  for (const [k, v] of Object.entries(SETTINGS)) setByName(c, k, v);
  c.prepare(FS, block, 2);
  expect(c.backend).toBe(requestedBackend(kernel));
  const out = input.map((x) => Float32Array.from(x));
  const grDb: number[] = [];
  runBlocks(
    { process: (ch, n) => (c.process(ch, n), grDb.push(c.gainReductionDb)) },
    out,
    block,
    (frame) => {
      if (!moves) return;
      // Glides start and end mid-block: the WASM and JS paths alternate.
      if (frame % 6000 < block) setByName(c, 'thresholdDb', frame % 12000 < block ? -30 : -20);
      if (frame % 9000 < block) setByName(c, 'kneeDb', frame % 18000 < block ? 0 : 9);
    },
  );
  return { out, grDb };
}

describe('fast log2 / exp2 (dsp/fast-math.ts)', () => {
  const m = new FastMath();
  it('log2 is within 1e-8 dB (as a power level) of Math.log2 from -80 to +40 dB, and keeps +Infinity', () => {
    const rnd = lcg(5);
    let worst = 0;
    for (let i = 0; i < 200000; i++) {
      const x = 10 ** (-8 + 12 * rnd());
      worst = Math.max(worst, Math.abs(DB_PER_LOG2_POWER * (m.log2(x) - Math.log2(x))));
    }
    for (const x of [1, 2, 0.5, Math.SQRT2, 1e-7, 1 - 2 ** -52, 1 + 2 ** -52]) worst = Math.max(worst, Math.abs(DB_PER_LOG2_POWER * (m.log2(x) - Math.log2(x))));
    expect(worst).toBeLessThan(1e-8);
    expect(worst).toBeGreaterThan(0); // it is an approximation: the test can tell
    expect(m.log2(Infinity)).toBe(Infinity);
  });

  it('exp2 is within 1e-9 relative of 2^y from -200 to +20, clamps at -1022 and is exact at integers', () => {
    const rnd = lcg(6);
    let worst = 0;
    for (let i = 0; i < 200000; i++) {
      const y = -200 + 220 * rnd();
      worst = Math.max(worst, Math.abs(m.exp2(y) / 2 ** y - 1));
    }
    expect(worst).toBeLessThan(1e-9);
    for (const n of [-60, -1, 0, 1, 10]) expect(m.exp2(n)).toBe(2 ** n);
    expect(m.exp2(-Infinity)).toBe(2 ** -1022);
    expect(Number.isNaN(m.exp2(Number.NaN))).toBe(true);
  });
});

describe.each(compiledKernels('compressor-linked'))('compressor: %s linked stereo kernel against the JS path', (kernel) => {
  for (const [name, make] of Object.entries(SIGNALS)) {
    it(`gives the same output and gain reduction to the bit on ${name} at block sizes ${BLOCK_SIZES.join(', ')}, parameters moving`, () => {
      const input = make();
      const ref = compressed('js', input, 4096, false);
      for (const block of BLOCK_SIZES) {
        const w = compressed(kernel, input, block, false);
        const j = compressed('js', input, block, false);
        expect(w.out[0], `block ${block}`).toEqual(j.out[0]);
        expect(w.out[1], `block ${block}`).toEqual(j.out[1]);
        expect(w.grDb).toEqual(j.grDb);
        // Static parameters: the same bits whatever the block size.
        expect(w.out[0]).toEqual(ref.out[0]);
        const wm = compressed(kernel, input, block, true);
        const jm = compressed('js', input, block, true);
        expect(wm.out[0], `block ${block}, moving`).toEqual(jm.out[0]);
        expect(wm.out[1], `block ${block}, moving`).toEqual(jm.out[1]);
        expect(wm.grDb).toEqual(jm.grDb);
      }
      // The signal was compressed (the test can fail).
      expect(Math.max(...ref.grDb)).toBeGreaterThan(3);
    });

    it(`applies the exact-math gain within ${GAIN_TOLERANCE_DB} dB on ${name}`, () => {
      const input = make();
      const { out, grDb } = compressed(kernel, input, 512, false);
      // Independent reference: the same detector with Math.log10 / Math.pow, in f64.
      const slope = ratioToSlope(SETTINGS.ratio);
      const aA = Math.exp(-1000 / (SETTINGS.attackMs * FS));
      const aR = Math.exp(-1000 / (SETTINGS.releaseMs * FS));
      const makeup = 10 ** (SETTINGS.makeupDb / 20);
      let e = 0;
      let worst = 0;
      let maxE = 0;
      for (let i = 0; i < FRAMES; i++) {
        const l = input[0]![i]!;
        const r = input[1]![i]!;
        const lvl = Math.max(l * l, r * r);
        const gc = lvl > 0 ? staticGainReductionDb(10 * Math.log10(lvl), SETTINGS.thresholdDb, slope, SETTINGS.kneeDb) : 0;
        e = gc > e ? aA * e + (1 - aA) * gc : aR * e + (1 - aR) * gc;
        maxE = Math.max(maxE, e);
        const g = 10 ** (-e / 20) * makeup;
        for (const [x, y] of [
          [l, out[0]![i]!],
          [r, out[1]![i]!],
        ] as const) {
          if (Math.abs(x) < 1e-3) continue; // f32 rounding of a tiny output is not the gain's error
          worst = Math.max(worst, Math.abs(20 * Math.log10(y / x) - 20 * Math.log10(g)));
        }
      }
      expect(worst).toBeLessThan(GAIN_TOLERANCE_DB);
      expect(Math.abs(Math.max(...grDb) - maxE)).toBeLessThan(GAIN_TOLERANCE_DB);
      expect(maxE).toBeGreaterThan(3);
    });
  }

  it('uses LOG2_PER_DB_AMPLITUDE = log2(10)/20', () => {
    expect(LOG2_PER_DB_AMPLITUDE).toBeCloseTo(Math.log2(10) / 20, 15);
    expect(DB_PER_LOG2_POWER).toBeCloseTo(10 * Math.log10(2), 14);
  });

  it('recovers from a non-finite input like the JS path (same bits, state reset counted)', () => {
    const input = SIGNALS['noise']!();
    input[0]![5000] = Number.POSITIVE_INFINITY;
    input[1]![15000] = Number.NaN;
    const run = (choice: KernelChoice): { out: Float32Array[]; resets: number } => {
      const c = new Compressor({ id: 'comp', smoothingMs: 20 });
      c.kernel = choice;
      for (const [k, v] of Object.entries(SETTINGS)) setByName(c, k, v);
      c.prepare(FS, 512, 2);
      const out = input.map((x) => Float32Array.from(x));
      runBlocks(c, out, 512);
      return { out, resets: c.stateResets };
    };
    const w = run(kernel);
    const j = run('js');
    expect(w.out).toEqual(j.out);
    expect(w.resets).toBe(j.resets);
    expect(w.resets).toBeGreaterThan(0);
    // One block later the output is finite again.
    expect(w.out[0]!.subarray(5632, 15000).every(Number.isFinite)).toBe(true);
  });
});
