import { describe, expect, it } from 'vitest';
import { emptyLoudnessReading, LoudnessMeter } from '../../../src/engine/meters/loudness-meter.ts';
import type { KernelChoice } from '../../../src/engine/dsp/wasm-kernel.ts';
import { compiledKernels } from '../../support/compiled-kernels.ts';
import { sampledAllocations } from '../../support/heap.ts';
import { noise } from '../support/signals.ts';

const B = 256;
const BLOCKS = 10_000;

/** The audio worker's use: process() a block, read() for the publish, every block. */
function driver(kernel: KernelChoice): (blocks: number) => void {
  const m = new LoudnessMeter();
  m.kernel = kernel;
  m.prepare(48000, B, 2);
  const src = [noise(B * 64, 0.3, 1), noise(B * 64, 0.3, 2)];
  const bufs = [new Float32Array(B), new Float32Array(B)];
  const r = emptyLoudnessReading();
  return (blocks) => {
    for (let b = 0; b < blocks; b++) {
      const at = (b % 64) * B;
      for (let c = 0; c < 2; c++) {
        const from = src[c]!;
        const to = bufs[c]!;
        for (let i = 0; i < B; i++) to[i] = from[at + i]!;
      }
      m.process(bufs, B);
      m.read(r);
    }
    if (!Number.isFinite(r.integratedLufs)) throw new Error('the meter measured nothing');
  };
}

describe('loudness meter: no allocation per block', () => {
  for (const kernel of [...compiledKernels('loudness-k'), 'js'] as const) {
    it(`process() + read() for ${BLOCKS} blocks allocate nothing in the meter's files (${kernel})`, async () => {
      const run = driver(kernel);
      // Warm-up until V8 has optimised everything (its baseline tiers box doubles).
      run(30_000);
      // Best of three: a one-off allocation by the JIT while it (re)optimises does not count; a
      // per-block or per-100 ms allocation (10k blocks hold 533 boundaries) shows in every round.
      let best = { bytes: Infinity, sites: [] as string[] };
      for (let round = 0; round < 3 && best.bytes > 0; round++) {
        const a = await sampledAllocations(() => run(BLOCKS), '/src/engine/meters/');
        if (a.bytes < best.bytes) best = a;
      }
      expect(best.bytes, best.sites.slice(0, 5).join('\n')).toBeLessThan(1024);
    }, 60_000);
  }
});
