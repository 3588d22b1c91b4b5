import { describe, expect, it } from 'vitest';
import type { ProcessorKind } from '../../src/config/sections/engine.ts';
import type { Chain } from '../../src/engine/chain.ts';
import { denormalise } from '../../src/params/taper.ts';
import { chainOf, set } from './support/chains.ts';
import { runBlocks } from './support/run.ts';

/**
 * No zipper noise, no clicks: while any parameter moves over its full range, at any speed (one
 * jump, or a sweep updated every block), the output's largest sample-to-sample step stays within
 * the largest step the output has when the parameter sits still anywhere along the way. A click
 * or a zipper is a step far above that (a 100 Hz sine at -12 dBFS moves by at most 0.0033 per
 * sample; an unsmoothed 24 dB gain jump steps by ~0.2).
 */
const FS = 48000;
const BLOCK = 512;

function stereoSine(frames: number): Float32Array[] {
  const l = new Float32Array(frames);
  const r = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    l[i] = 0.25 * Math.sin((2 * Math.PI * 100 * i) / FS);
    r[i] = 0.25 * Math.sin((2 * Math.PI * 100 * i) / FS + 1.2);
  }
  return [l, r];
}

function maxStep(x: Float32Array[], from: number): number {
  let m = 0;
  for (const ch of x) for (let i = from + 1; i < ch.length; i++) m = Math.max(m, Math.abs(ch[i]! - ch[i - 1]!));
  return m;
}

interface Case {
  readonly kind: ProcessorKind;
  readonly id: string;
  readonly base?: Record<string, number>;
}

const CASES: Case[] = [
  { kind: 'gain', id: 'gain.gainDb' },
  { kind: 'gain', id: 'gain.invertLeft' },
  { kind: 'eq', id: 'eq.band3.gainDb', base: { 'eq.band3.freqHz': 100, 'eq.band3.q': 2 } },
  { kind: 'eq', id: 'eq.band3.freqHz', base: { 'eq.band3.gainDb': 12, 'eq.band3.q': 2 } },
  { kind: 'eq', id: 'eq.band3.q', base: { 'eq.band3.gainDb': 12, 'eq.band3.freqHz': 100 } },
  { kind: 'eq', id: 'eq.band3.type', base: { 'eq.band3.gainDb': 12, 'eq.band3.freqHz': 100 } },
  { kind: 'eq', id: 'eq.band3.mode', base: { 'eq.band3.gainDb': 12, 'eq.band3.freqHz': 100 } },
  { kind: 'eq', id: 'eq.band3.enabled', base: { 'eq.band3.gainDb': 12, 'eq.band3.freqHz': 100 } },
  { kind: 'eq', id: 'eq.band1.slopeDbOct', base: { 'eq.band1.enabled': 1, 'eq.band1.freqHz': 150 } },
  { kind: 'eq', id: 'eq.outputGainDb' },
  { kind: 'eq', id: 'eq.invertPolarity' },
  { kind: 'eq', id: 'eq.bypass', base: { 'eq.band3.gainDb': 12, 'eq.band3.freqHz': 100 } },
  { kind: 'comp', id: 'comp.thresholdDb', base: { 'comp.ratio': 8 } },
  { kind: 'comp', id: 'comp.ratio', base: { 'comp.thresholdDb': -40 } },
  { kind: 'comp', id: 'comp.kneeDb', base: { 'comp.thresholdDb': -20, 'comp.ratio': 8 } },
  { kind: 'comp', id: 'comp.makeupDb', base: { 'comp.ratio': 2 } },
  { kind: 'comp', id: 'comp.mixPct', base: { 'comp.thresholdDb': -40, 'comp.ratio': 20 } },
  { kind: 'comp', id: 'comp.stereoMode', base: { 'comp.thresholdDb': -40, 'comp.ratio': 20 } },
  { kind: 'comp', id: 'comp.linkPct', base: { 'comp.thresholdDb': -30, 'comp.ratio': 20 } },
  { kind: 'limiter', id: 'limiter.ceilingDbtp' },
  { kind: 'limiter', id: 'limiter.driveDb' },
  { kind: 'limiter', id: 'limiter.lookaheadMs', base: { 'limiter.ceilingDbtp': -18 } },
  { kind: 'limiter', id: 'limiter.bypass', base: { 'limiter.ceilingDbtp': -18 } },
  { kind: 'width', id: 'width.midGainDb' },
  { kind: 'width', id: 'width.sideGainDb' },
  { kind: 'width', id: 'width.monoMakerEnabled', base: { 'width.monoBelowHz': 300 } },
  { kind: 'width', id: 'width.monoBelowHz', base: { 'width.monoMakerEnabled': 1 } },
  { kind: 'gain', id: 'chain.inputGainDb' },
  { kind: 'gain', id: 'chain.invertPolarity' },
  { kind: 'eq', id: 'chain.bypass', base: { 'eq.band3.gainDb': 12, 'eq.band3.freqHz': 100 } },
];

function build(c: Case): Chain {
  const chain = chainOf([c.kind], FS, BLOCK);
  for (const [id, v] of Object.entries(c.base ?? {})) set(chain, id, v);
  return chain;
}

/** Values along the parameter's path: every detent, or 33 positions of a continuous control. */
function pathValues(chain: Chain, id: string): number[] {
  const spec = chain.params[chain.indexOf(id)]!;
  if (spec.steps) return [...spec.steps];
  return Array.from({ length: 33 }, (_, k) => denormalise(spec, k / 32));
}

describe('parameter smoothing: no zipper, no click', () => {
  for (const c of CASES) {
    it(`${c.id}: jump and sweep over the full range`, () => {
      const probe = build(c);
      const values = pathValues(probe, c.id);
      const settle = Math.round(0.25 * FS);
      // The bound: the largest step with the parameter held still at each point of its path.
      let bound = 0;
      for (const v of values) {
        const chain = build(c);
        set(chain, c.id, v);
        const x = stereoSine(settle + FS / 10);
        runBlocks(chain, x, BLOCK);
        bound = Math.max(bound, maxStep(x, settle));
      }
      const lo = values[0]!;
      const hi = values[values.length - 1]!;
      for (const mode of ['jump', 'sweep'] as const) {
        for (const [from, to] of [
          [lo, hi],
          [hi, lo],
        ] as const) {
          const chain = build(c);
          set(chain, c.id, from);
          const total = settle + FS / 2;
          const x = stereoSine(total);
          const sweepBlocks = Math.round((0.3 * FS) / BLOCK);
          runBlocks(chain, x, BLOCK, (frame) => {
            const b = Math.round((frame - settle) / BLOCK);
            if (frame < settle) return;
            if (mode === 'jump' && frame === Math.ceil(settle / BLOCK) * BLOCK) set(chain, c.id, to);
            if (mode === 'sweep' && b >= 0 && b <= sweepBlocks) {
              const u = b / sweepBlocks;
              const spec = chain.params[chain.indexOf(c.id)]!;
              const v = spec.steps ? values[Math.round(u * (values.length - 1))]! : from + u * (to - from);
              set(chain, c.id, v);
            }
          });
          const step = maxStep(x, settle - BLOCK);
          expect(step, `${mode} ${from} -> ${to}: largest step ${step.toFixed(5)}, still ${bound.toFixed(5)}`).toBeLessThanOrEqual(1.25 * bound + 1e-4);
        }
      }
    });
  }
});
