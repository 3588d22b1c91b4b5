import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DelayLine } from '../../../src/engine/insert/delay-line.ts';

describe('DelayLine', () => {
  it('delays by exactly the set number of samples, whatever the block size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 300 }), (delay, block) => {
        const d = new DelayLine();
        d.prepare(2, 1000, block);
        d.setDelay(delay);
        const n = 3000;
        const x = Float32Array.from({ length: n }, (_, i) => i + 1);
        const y = new Float32Array(n);
        const z = new Float32Array(n);
        for (let at = 0; at < n; at += block) {
          const k = Math.min(block, n - at);
          const a = x.subarray(at, at + k);
          d.process([a, a], [y.subarray(at, at + k), z.subarray(at, at + k)], k);
        }
        for (let i = 0; i < n; i++) {
          const want = i < delay ? 0 : i + 1 - delay;
          if (y[i] !== want || z[i] !== want) return false;
        }
        return true;
      }),
      { numRuns: 100 },
    );
  });

  it('works in place and clamps the delay to its range', () => {
    const d = new DelayLine();
    d.prepare(1, 10, 4);
    d.setDelay(99);
    expect(d.delaySamples).toBe(10);
    d.setDelay(2);
    const buf = Float32Array.from([1, 2, 3, 4]);
    d.process([buf], [buf], 4);
    expect([...buf]).toEqual([0, 0, 1, 2]);
  });
});
