import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/errors.ts';
import { engineSectionSchema, PROCESSOR_KINDS } from '../../src/config/sections/engine.ts';
import { createChain } from '../../src/engine/chain-factory.ts';
import { busySettings, chainOf, set } from './support/chains.ts';
import { runBlocks } from './support/run.ts';
import { noise, sine } from './support/signals.ts';

const FS = 48000;

function programme(frames: number): Float32Array[] {
  const l = noise(frames, 0.3, 1);
  const r = noise(frames, 0.3, 2);
  const tone = sine(frames, 220, FS, 0.3);
  for (let i = 0; i < frames; i++) {
    l[i] = l[i]! + tone[i]!;
    r[i] = r[i]! - 0.5 * tone[i]!;
  }
  return [l, r];
}

describe('bit-exact null', () => {
  it('the default chain (every stage neutral) passes audio unchanged, delayed by its latency', () => {
    const chain = chainOf(['gain', 'eq', 'insert', 'comp', 'width', 'limiter', 'dither'], FS, 512);
    const input = programme(FS);
    const x = input.map((c) => Float32Array.from(c));
    runBlocks(chain, x, 512);
    const d = chain.latencySamples;
    expect(d).toBeGreaterThan(0);
    for (let c = 0; c < 2; c++) expect(x[c]!.subarray(d)).toEqual(input[c]!.subarray(0, FS - d));
  });

  for (const kind of PROCESSOR_KINDS) {
    it(`${kind}: neutral passes bit-exactly, and bypassed (after the fade) passes bit-exactly at any settings`, () => {
      const neutral = chainOf([kind], FS, 256);
      const input = programme(FS / 2);
      const a = input.map((c) => Float32Array.from(c));
      runBlocks(neutral, a, 256);
      const d = neutral.latencySamples;
      for (let c = 0; c < 2; c++) expect(a[c]!.subarray(d)).toEqual(input[c]!.subarray(0, FS / 2 - d));

      const busy = createChain({ chain: [kind], eqBands: 8, smoothingMs: 20 });
      busy.prepare(FS, 256, 2);
      busySettings(busy);
      const bypassId = `${kind}.bypass`;
      if (busy.indexOf(bypassId) < 0) return; // the insert slot owns its own bypass
      set(busy, bypassId, 1);
      const b = input.map((c) => Float32Array.from(c));
      runBlocks(busy, b, 256);
      const settled = Math.round(0.03 * FS);
      for (let c = 0; c < 2; c++) expect(b[c]!.subarray(settled + d)).toEqual(input[c]!.subarray(settled, FS / 2 - d));
    });
  }

  it('chain bypass: after the fade the output is the input delayed by the chain latency, whatever the stages do', () => {
    const chain = chainOf(['gain', 'eq', 'insert', 'comp', 'width', 'limiter', 'dither'], FS, 512);
    busySettings(chain);
    set(chain, 'chain.bypass', 1);
    const input = programme(FS);
    const x = input.map((c) => Float32Array.from(c));
    runBlocks(chain, x, 512);
    const d = chain.latencySamples;
    const settled = Math.round(0.03 * FS);
    for (let c = 0; c < 2; c++) expect(x[c]!.subarray(settled + d)).toEqual(input[c]!.subarray(settled, FS - d));
  });
});

describe('block-size invariance', () => {
  it('the busy chain gives identical output at block sizes 1, 7, 64, 512 and 4096, parameter changes included', () => {
    const frames = 28672 + 8192;
    const input = programme(frames);
    const outputs: Float32Array[][] = [];
    for (const block of [1, 7, 64, 512, 4096]) {
      const chain = chainOf(['gain', 'eq', 'insert', 'comp', 'width', 'limiter', 'dither'], FS, block);
      busySettings(chain);
      const x = input.map((c) => Float32Array.from(c));
      // 28672 = 7 x 4096: a block boundary at every size, where the knobs move.
      runBlocks(chain, x, block, (frame) => {
        if (frame === 28672) {
          set(chain, 'eq.band6.gainDb', -6);
          set(chain, 'eq.band3.type', 2);
          set(chain, 'comp.thresholdDb', -30);
          set(chain, 'width.bypass', 1);
          set(chain, 'limiter.lookaheadMs', 3);
        }
      });
      outputs.push(x);
    }
    for (let k = 1; k < outputs.length; k++) {
      for (let c = 0; c < 2; c++) expect(outputs[k]![c], `block size #${k} channel ${c}`).toEqual(outputs[0]![c]);
    }
  });
});

describe('non-finite input', () => {
  it('NaN/Inf are replaced by silence and counted; the output equals a clean run with zeros there', () => {
    const frames = FS / 2;
    const input = programme(frames);
    const clean = input.map((c) => Float32Array.from(c));
    const dirty = input.map((c) => Float32Array.from(c));
    const bad = [NaN, Infinity, -Infinity, NaN];
    let count = 0;
    for (let k = 0; k < 40; k++) {
      const i = 5000 + k * 13;
      dirty[k % 2]![i] = bad[k % 4]!;
      clean[k % 2]![i] = 0;
      count++;
    }
    const a = chainOf(['gain', 'eq', 'insert', 'comp', 'width', 'limiter', 'dither'], FS, 512);
    const b = chainOf(['gain', 'eq', 'insert', 'comp', 'width', 'limiter', 'dither'], FS, 512);
    busySettings(a);
    busySettings(b);
    runBlocks(a, clean, 512);
    runBlocks(b, dirty, 512);
    expect(b.nonFiniteInput).toBe(count);
    for (let c = 0; c < 2; c++) {
      expect(dirty[c]!.every((v) => Number.isFinite(v))).toBe(true);
      expect(dirty[c]).toEqual(clean[c]);
    }
  });
});

describe('chain construction', () => {
  it('builds ids from the config order, numbering repeated kinds', () => {
    const chain = createChain({ chain: ['eq', 'comp', 'eq'], eqBands: 8, smoothingMs: 20 });
    expect(chain.indexOf('eq.band3.gainDb')).toBeGreaterThan(0);
    expect(chain.indexOf('eq2.band3.gainDb')).toBeGreaterThan(chain.indexOf('comp.thresholdDb'));
    expect(chain.params.map((p) => p.id)).toContain('chain.bypass');
    expect(new Set(chain.params.map((p) => p.id)).size).toBe(chain.params.length);
  });

  it('refuses two inserts and a dither that is not last (E_ENGINE_CHAIN), and so does the config schema', () => {
    const err = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = err(() => createChain({ chain: ['insert', 'eq', 'insert'], eqBands: 8, smoothingMs: 20 }));
    expect(e1).toBeInstanceOf(BridgeError);
    expect((e1 as BridgeError).code).toBe('E_ENGINE_CHAIN');
    const e2 = err(() => createChain({ chain: ['dither', 'eq'], eqBands: 8, smoothingMs: 20 }));
    expect((e2 as BridgeError).code).toBe('E_ENGINE_CHAIN');
    expect(engineSectionSchema.safeParse({ chain: ['insert', 'insert'] }).success).toBe(false);
    expect(engineSectionSchema.safeParse({ chain: ['dither', 'limiter'] }).success).toBe(false);
    expect(engineSectionSchema.safeParse({ chain: ['eq', 'limiter', 'dither'] }).success).toBe(true);
  });

  it('latency is the sum of the stages (the limiter lookahead), constant across lookahead settings', () => {
    const chain = chainOf(['eq', 'limiter', 'limiter'], FS, 256);
    expect(chain.latencySamples).toBe(2 * (240 + 14));
    set(chain, 'limiter.lookaheadMs', 0.5);
    chain.process([new Float32Array(256), new Float32Array(256)], 256);
    expect(chain.latencySamples).toBe(2 * (240 + 14));
  });
});
