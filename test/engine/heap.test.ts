import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Chain } from '../../src/engine/chain.ts';
import { createChain } from '../../src/engine/chain-factory.ts';
import { busySettings } from './support/chains.ts';
import { noise } from './support/signals.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const B = 256;

interface SamplingNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

interface Mover {
  readonly i: number;
  readonly min: number;
  readonly max: number;
  readonly discrete: boolean;
}

function setup(ids: readonly string[], smoothingMs: number): { chain: Chain; run: (blocks: number, every: number) => void } {
  const chain = createChain({ chain: ['gain', 'eq', 'insert', 'comp', 'width', 'limiter', 'dither'], eqBands: 8, smoothingMs });
  chain.prepare(48000, B, 2);
  busySettings(chain);
  const src = [noise(B * 64, 0.5, 1), noise(B * 64, 0.5, 2)];
  const bufs = [new Float32Array(B), new Float32Array(B)];
  const movers: Mover[] = ids.map((id) => {
    const i = chain.indexOf(id);
    const spec = chain.params[i]!;
    return { i, min: spec.min, max: spec.max, discrete: spec.kind !== 'continuous' };
  });
  // Values precomputed: the harness itself must not allocate while it measures.
  const values = new Float64Array(movers.length * 64);
  for (let k = 0; k < values.length; k++) {
    const m = movers[k % movers.length]!;
    const u = ((k * 7919) % 64) / 63;
    values[k] = m.discrete ? Math.round(m.min + u * (m.max - m.min)) : m.min + u * (m.max - m.min);
  }
  const run = (blocks: number, every: number): void => {
    const l = src[0]!;
    const r = src[1]!;
    const bl = bufs[0]!;
    const br = bufs[1]!;
    for (let b = 0; b < blocks; b++) {
      if (every > 0 && b % every === 0) {
        const k = b / every;
        chain.setParam(movers[k % movers.length]!.i, values[k % values.length]!);
      }
      const off = (b % 64) * B;
      for (let i = 0; i < B; i++) {
        bl[i] = l[off + i]!;
        br[i] = r[off + i]!;
      }
      chain.process(bufs, B);
    }
  };
  return { chain, run };
}

/** Smallest heap growth over three trials (other allocations in the process show in one trial, not in all). */
function measure(run: () => void): { grown: number; retained: number } {
  let grown = Infinity;
  let retained = Infinity;
  for (let trial = 0; trial < 3; trial++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    run();
    grown = Math.min(grown, process.memoryUsage().heapUsed - before);
    gc();
    retained = Math.min(retained, process.memoryUsage().heapUsed - before);
  }
  return { grown, retained };
}

const CONTINUOUS = [
  'eq.band6.gainDb',
  'eq.band3.freqHz',
  'eq.band4.q',
  'comp.thresholdDb',
  'comp.makeupDb',
  'limiter.ceilingDbtp',
  'width.sideGainDb',
  'width.monoBelowHz',
  'gain.gainDb',
  'eq.outputGainDb',
  'chain.inputGainDb',
];
const DISCRETE = ['eq.band5.type', 'eq.band2.mode', 'comp.stereoMode', 'comp.ratio', 'limiter.lookaheadMs', 'gain.invertLeft', 'eq.bypass', 'dither.noiseShaping'];

describe('heap', () => {
  it('process() allocates nothing while glides, coefficient redesigns and ramps run (21,600 blocks, sampling heap profiler)', async () => {
    // Long glides (200 ms = 37 blocks); every 36 blocks new targets for every continuous
    // parameter, so coefficient interpolation, control-rate redesigns and gain ramps are always
    // in flight. V8's sampling heap profiler attributes every allocation (collected or not) to a
    // stack; none may come from the audio path. (setParam boxes its double argument: that is
    // the block-boundary path, not process(), and is excluded by its frame.)
    const { chain, run } = setup(CONTINUOUS, 200);
    const movers = CONTINUOUS.map((id) => chain.indexOf(id));
    const retarget = (t: number): void => {
      for (let k = 0; k < movers.length; k++) {
        const spec = chain.params[movers[k]!]!;
        const u = ((t * 31 + k * 17) % 64) / 63;
        chain.setParam(movers[k]!, spec.min + u * (spec.max - spec.min));
      }
    };
    run(3000, 0);
    // Warm-up: V8's baseline tiers box doubles; only optimised code is allocation-free.
    for (let t = 0; t < 100; t++) {
      retarget(t);
      run(36, 0);
    }
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 64,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    for (let t = 100; t < 700; t++) {
      retarget(t);
      run(36, 0);
    }
    const { profile } = await session.post('HeapProfiler.stopSampling');
    session.disconnect();
    let audioPathBytes = 0;
    const sites: string[] = [];
    const walk = (node: SamplingNode, stack: readonly string[]): void => {
      const frame = `${node.callFrame.functionName} ${node.callFrame.url.split('/').pop() ?? ''}:${node.callFrame.lineNumber + 1}`;
      const path = [...stack, frame];
      const inEngine = node.callFrame.url.includes('/src/engine/');
      if (node.selfSize > 0 && inEngine && !path.some((f) => f.startsWith('setParam '))) {
        audioPathBytes += node.selfSize;
        sites.push(`${node.selfSize} B at ${path.slice(-3).join(' > ')}`);
      }
      for (const c of node.children) walk(c, path);
    };
    walk(profile.head, []);
    // 21,600 blocks: one 16-byte object per block would be ~345 KB. What remains is V8 noise, a
    // few tens of KB whatever the number of blocks (a function running in an unoptimised tier
    // for a while, after a deopt or before tier-up, boxes its doubles).
    sites.sort((x, y) => Number.parseInt(y) - Number.parseInt(x));
    expect(audioPathBytes, sites.slice(0, 5).join('\n')).toBeLessThan(96 * 1024);
    // 21,600 blocks under the sampling profiler: about 10 s on a quiet core, 30 s and more when
    // the two cores are shared; the deadline only turns a hang into a failure.
  }, 120_000);

  it('the heap does not grow over 10,000 blocks with every kind of parameter moving every block', () => {
    const { run } = setup([...CONTINUOUS, ...DISCRETE], 20);
    run(3000, 1);
    const { grown, retained } = measure(() => run(10_000, 1));
    expect(retained, `heap retained ${retained} bytes`).toBeLessThan(64 * 1024);
    // Per-sample allocation would be >= 4 KB per block (256 samples x 16 bytes): stay far below.
    expect(grown / 10_000, `allocated ${grown} bytes`).toBeLessThan(256);
  }, 60_000);
});
