import { describe, expect, it } from 'vitest';
import { Compressor, RATIO_INFINITE, ratioToSlope, staticGainReductionDb } from '../../src/engine/compressor.ts';
import { constant, runBlocks, setByName } from './support/run.ts';
import { db, noise, peakAbs, rms, sine } from './support/signals.ts';

const FS = 48000;

function comp(settings: Record<string, number>, channels = 1): Compressor {
  const c = new Compressor({ id: 'comp', smoothingMs: 20 });
  for (const [k, v] of Object.entries(settings)) setByName(c, k, v);
  c.prepare(FS, 512, channels);
  return c;
}

/** The gain computer formula, written out independently of the implementation. */
function expectedOutDb(inDb: number, t: number, ratio: number, knee: number): number {
  const slope = ratio >= RATIO_INFINITE ? 1 : 1 - 1 / ratio;
  const over = inDb - t;
  let gr = 0;
  if (2 * over > knee) gr = slope * over;
  else if (knee > 0 && 2 * Math.abs(over) <= knee) gr = (slope * (over + knee / 2) ** 2) / (2 * knee);
  return inDb - gr;
}

describe('compressor static curve (steady 1 kHz sine)', () => {
  const cases = [
    { t: -20, ratio: 4, knee: 0 },
    { t: -20, ratio: 4, knee: 12 },
    { t: -30, ratio: 2, knee: 6 },
    { t: -24, ratio: RATIO_INFINITE, knee: 10 },
  ];
  for (const { t, ratio, knee } of cases) {
    it(`peak detector, T ${t} dB, ${ratio === RATIO_INFINITE ? 'inf' : ratio}:1, knee ${knee} dB: within 0.1 dB of the formula`, () => {
      for (let inDb = -44; inDb <= 0; inDb += 2) {
        const c = comp({ thresholdDb: t, ratio, kneeDb: knee, attackMs: 0.05, releaseMs: 2000, detector: 0 });
        const x = sine(FS, 1000, FS, Math.pow(10, inDb / 20));
        runBlocks(c, [x], 512);
        const outDb = db(peakAbs(x, FS - 4800));
        expect(Math.abs(outDb - expectedOutDb(inDb, t, ratio, knee)), `in ${inDb} dB`).toBeLessThan(0.1);
      }
    });

    it(`RMS detector, T ${t} dB, ${ratio === RATIO_INFINITE ? 'inf' : ratio}:1, knee ${knee} dB: within 0.1 dB of the formula`, () => {
      for (let inDb = -44; inDb <= -3; inDb += 2) {
        const c = comp({ thresholdDb: t, ratio, kneeDb: knee, attackMs: 5, releaseMs: 2000, detector: 1, rmsWindowMs: 50 });
        // inDb is the RMS level: a sine's peak is 3.01 dB above it.
        const x = sine(FS * 2, 1000, FS, Math.SQRT2 * Math.pow(10, inDb / 20));
        runBlocks(c, [x], 512);
        const outDb = db(rms(x, 2 * FS - 4800));
        expect(Math.abs(outDb - expectedOutDb(inDb, t, ratio, knee)), `in ${inDb} dB RMS`).toBeLessThan(0.1);
      }
    });
  }

  it('staticGainReductionDb is the same formula (knee continuity included)', () => {
    for (let x = -60; x <= 0; x += 0.25) {
      expect(staticGainReductionDb(x, -20, ratioToSlope(3), 8)).toBeCloseTo(x - expectedOutDb(x, -20, 3, 8), 9);
    }
  });
});

describe('compressor time constants (63 % of the gain-reduction step, within 5 %)', () => {
  for (const [attackMs, releaseMs] of [
    [5, 50],
    [20, 200],
    [1, 1000],
  ] as const) {
    it(`attack ${attackMs} ms, release ${releaseMs} ms`, () => {
      const c = comp({ thresholdDb: -30, ratio: RATIO_INFINITE, kneeDb: 0, attackMs, releaseMs, detector: 0 });
      const on = Math.round((releaseMs * 8 * FS) / 1000);
      const off = on;
      const quiet = 0.001; // -60 dBFS: below threshold, no reduction
      const input = new Float32Array(FS / 10 + on + off);
      input.fill(quiet, 0, FS / 10);
      input.fill(0.5, FS / 10, FS / 10 + on); // -6 dBFS: 24 dB over the threshold
      input.fill(quiet, FS / 10 + on);
      const x = Float32Array.from(input);
      runBlocks(c, [x], 512);
      const gr = (i: number): number => db(input[i]! / x[i]!);
      const grFinal = gr(FS / 10 + on - 1);
      expect(grFinal).toBeCloseTo(db(0.5) + 30, 3);
      let i = FS / 10;
      while (gr(i) < 0.632 * grFinal) i++;
      const attackMeasured = ((i - FS / 10 + 1) / FS) * 1000;
      expect(Math.abs(attackMeasured / attackMs - 1), `attack measured ${attackMeasured} ms`).toBeLessThan(0.05);
      let j = FS / 10 + on;
      while (gr(j) > 0.368 * grFinal) j++;
      const releaseMeasured = ((j - (FS / 10 + on) + 1) / FS) * 1000;
      expect(Math.abs(releaseMeasured / releaseMs - 1), `release measured ${releaseMeasured} ms`).toBeLessThan(0.05);
    });
  }

  it('auto release is program dependent: a short transient recovers several times faster than sustained compression', () => {
    const recovery = (burstMs: number): number => {
      const c = comp({ thresholdDb: -30, ratio: RATIO_INFINITE, kneeDb: 0, attackMs: 1, releaseMs: 200, autoRelease: 1 });
      const burst = Math.round((burstMs * FS) / 1000);
      const input = new Float32Array(burst + 4 * FS).fill(0.001);
      input.fill(0.5, 0, burst);
      const x = Float32Array.from(input);
      runBlocks(c, [x], 512);
      let k = burst;
      while (db(input[k]! / x[k]!) > 1) k++;
      return (k - burst) / FS;
    };
    const short = recovery(20);
    const sustained = recovery(3000);
    expect(sustained / short).toBeGreaterThan(3);
  });
});

describe('compressor stereo behaviour, sidechain, mix', () => {
  it('stereo link 100 % applies the loud channel reduction to the quiet one; 0 % leaves it alone', () => {
    for (const link of [100, 0]) {
      const c = comp({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 1, releaseMs: 100, linkPct: link }, 2);
      const l = constant(FS / 2, 0.5);
      const r = constant(FS / 2, 0.01);
      runBlocks(c, [l, r], 256);
      const grL = db(0.5 / l[FS / 2 - 1]!);
      const grR = db(0.01 / r[FS / 2 - 1]!);
      expect(grL).toBeCloseTo(10.5, 1);
      if (link === 100) expect(grR).toBeCloseTo(grL, 3);
      else expect(grR).toBeCloseTo(0, 6);
    }
  });

  it('mid/side mode compresses the mid and leaves a quiet side untouched', () => {
    const c = comp({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 1, releaseMs: 100, stereoMode: 1, linkPct: 0 }, 2);
    const m = 0.5;
    const s = 0.01;
    const l = constant(FS / 2, m + s);
    const r = constant(FS / 2, m - s);
    runBlocks(c, [l, r], 256);
    const i = FS / 2 - 1;
    const midOut = 0.5 * (l[i]! + r[i]!);
    const sideOut = 0.5 * (l[i]! - r[i]!);
    expect(db(m / midOut)).toBeCloseTo(10.5, 1);
    expect(sideOut).toBeCloseTo(s, 6);
  });

  it('the sidechain high-pass keeps low bass from driving the compressor', () => {
    const grWith = (hp: number): number => {
      const c = comp({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 1, releaseMs: 100, sidechainHpEnabled: hp, sidechainHpHz: 200 });
      const x = sine(FS, 30, FS, 0.5);
      runBlocks(c, [x], 512);
      return db(0.5 / peakAbs(x, FS / 2));
    };
    const without = grWith(0);
    const withHp = grWith(1);
    expect(without).toBeGreaterThan(9);
    expect(withHp).toBeLessThan(1);
  });

  it('mix 0 % is the dry signal bit-exactly; 50 % is the average of dry and compressed', () => {
    const dryRun = comp({ thresholdDb: -30, ratio: 8, kneeDb: 0, mixPct: 0 });
    const input = sine(FS / 2, 440, FS, 0.8);
    const x = Float32Array.from(input);
    runBlocks(dryRun, [x], 512);
    expect(x).toEqual(input);
    const wet = Float32Array.from(input);
    runBlocks(comp({ thresholdDb: -30, ratio: 8, kneeDb: 0, mixPct: 100 }), [wet], 512);
    const half = Float32Array.from(input);
    runBlocks(comp({ thresholdDb: -30, ratio: 8, kneeDb: 0, mixPct: 50 }), [half], 512);
    for (let i = 0; i < input.length; i += 97) expect(half[i]!).toBeCloseTo(0.5 * (input[i]! + wet[i]!), 5);
  });

  it('reports the gain reduction of the last block', () => {
    const c = comp({ thresholdDb: -20, ratio: RATIO_INFINITE, kneeDb: 0, attackMs: 0.05, releaseMs: 100 });
    runBlocks(c, [constant(4800, 0.5)], 480);
    expect(c.gainReductionDb).toBeCloseTo(14, 1);
  });
});

describe('compressor fast path (stereo, linked, peak, nothing gliding)', () => {
  it('gives the same bits as the general per-sample path', () => {
    // Blocks of 4096 with a threshold change at the start of each: every block runs the general
    // path (a glide is in flight at its start). Blocks of 64: after each glide (960 samples) the
    // fast path takes over. Same changes at the same samples, so the outputs must be identical.
    const run = (block: number): Float32Array[] => {
      const c = comp({ thresholdDb: -24, ratio: 4, kneeDb: 3, attackMs: 2, releaseMs: 80 }, 2);
      const x = [noise(4096 * 6, 0.6, 7), sine(4096 * 6, 220, FS, 0.5)];
      runBlocks(c, x, block, (frame) => {
        if (frame % 4096 === 0) setByName(c, 'thresholdDb', frame % 8192 === 0 ? -20 : -26);
      });
      return x;
    };
    const general = run(4096);
    const fast = run(64);
    expect(db(peakAbs(general[0]!))).toBeLessThan(db(peakAbs(noise(4096 * 6, 0.6, 7))));
    expect(fast[0]).toEqual(general[0]);
    expect(fast[1]).toEqual(general[1]);
  });
});
