import { describe, expect, it } from 'vitest';
import { CompModel } from '../../../firmware-sim/analog/comp-model.ts';
import { rms, sine, stereo } from './signals.ts';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FS = 48000;

function comp(values: Record<string, number>): CompModel {
  const m = new CompModel();
  m.setParams({ release: 1, attackMs: 1, ...values });
  m.prepare(FS, 480);
  m.setAnalog({ noise: false, saturation: false });
  return m;
}

describe('HB-BC2 analog model', () => {
  it('follows the static curve with a 6 dB soft knee', () => {
    const m = comp({ thresholdDb: -20, ratio: 4 });
    expect(m.staticGainReductionDb(-30)).toBe(0);
    expect(m.staticGainReductionDb(-10)).toBeCloseTo(7.5, 9); // 10 dB over at 4:1
    expect(m.staticGainReductionDb(-20)).toBeCloseTo((0.75 * 3 * 3) / 12, 9); // middle of the knee
    expect(m.staticGainReductionDb(-23)).toBeCloseTo(0, 9);
  });

  it('a steady sine settles at the static gain reduction of its peak level; the meter reports it', () => {
    const m = comp({ thresholdDb: -20, ratio: 4, release: 2 });
    const [l, r] = stereo(sine(1000, FS, FS, 0.5), sine(1000, FS, FS, 0.5)); // -6 dBFS peak
    m.process([l, r], FS);
    const expected = m.staticGainReductionDb(20 * Math.log10(0.5)); // 10.5 dB
    expect(m.readGainReductionDb()).toBeCloseTo(expected, 0);
    const outDb = 20 * Math.log10(rms(l, FS / 2, FS) / (0.5 / Math.SQRT2));
    expect(outDb).toBeCloseTo(-expected, 0);
  });

  it('attack and release: the gain reduction builds up, then recovers after the signal stops', () => {
    const m = comp({ thresholdDb: -30, ratio: 10, attackMs: 10, release: 0 });
    const loud = stereo(sine(1000, 4800, FS, 0.5), sine(1000, 4800, FS, 0.5));
    m.process(loud, 480);
    const early = m.readGainReductionDb();
    m.process([loud[0].subarray(480), loud[1].subarray(480)], 4320);
    const full = m.readGainReductionDb();
    expect(early).toBeLessThan(full * 0.8);
    const quiet = stereo(new Float32Array(FS), new Float32Array(FS));
    m.process(quiet, FS);
    m.readGainReductionDb();
    expect(m.readGainReductionDb()).toBeLessThan(0.1);
  });

  it('stereo link: one loud channel pulls both down; unlinked, the quiet one is left alone', () => {
    for (const [link, quietGainDb] of [
      [1, -5],
      [0, 0],
    ] as const) {
      const m = comp({ thresholdDb: -20, ratio: 4, link });
      const [l, r] = stereo(sine(1000, FS, FS, 0.5), sine(1000, FS, FS, 0.01));
      const r0 = Float32Array.from(r);
      m.process([l, r], FS);
      const g = 20 * Math.log10(rms(r, FS / 2, FS) / rms(r0, FS / 2, FS));
      if (link) expect(g).toBeLessThan(quietGainDb);
      else expect(g).toBeCloseTo(0, 3);
    }
  });

  it('the sidechain high-pass ignores bass in the detector; out is a hard bypass; makeup adds gain', () => {
    const bass = (values: Record<string, number>): number => {
      const m = comp({ thresholdDb: -20, ratio: 4, ...values });
      const [l, r] = stereo(sine(40, FS, FS, 0.5), sine(40, FS, FS, 0.5));
      m.process([l, r], FS);
      return m.readGainReductionDb();
    };
    expect(bass({ sidechainHpfHz: 250 })).toBeLessThan(bass({ sidechainHpfHz: 0 }) - 5);
    const off = comp({ in: 0, thresholdDb: -30 });
    const [l, r] = stereo(sine(1000, 4800, FS, 0.5), sine(1000, 4800, FS, 0.5));
    const l0 = Float32Array.from(l);
    off.process([l, r], 4800);
    expect(l).toEqual(l0);
    const up = comp({ thresholdDb: 0, makeupDb: 6 });
    const q = stereo(sine(1000, 4800, FS, 0.01), sine(1000, 4800, FS, 0.01));
    up.process(q, 4800);
    expect(20 * Math.log10(rms(q[0], 2400, 4800) / (0.01 / Math.SQRT2))).toBeCloseTo(6, 1);
  });

  it('gives the same output whatever the block size, and does not allocate', () => {
    const input = stereo(sine(200, 9600, FS, 0.7), sine(3000, 9600, FS, 0.4));
    let ref: Float32Array | undefined;
    for (const block of [1, 7, 64, 480, 4096]) {
      const m = comp({ thresholdDb: -18, ratio: 3, release: 4 });
      const [l, r] = [Float32Array.from(input[0]), Float32Array.from(input[1])];
      for (let off = 0; off < 9600; off += block) m.process([l.subarray(off, off + block), r.subarray(off, off + block)], Math.min(block, 9600 - off));
      if (!ref) ref = l;
      else expect(l).toEqual(ref);
    }
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./fixtures/alloc-child.ts', import.meta.url))], {
      encoding: 'utf8',
    });
    const bytes = Number(out.trim());
    expect(Number.isFinite(bytes)).toBe(true);
    expect(bytes).toBeLessThan(512 * 1024);
  });
});
