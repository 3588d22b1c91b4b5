import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { HardwareInsert } from '../../../src/engine/insert/hardware-insert.ts';
import { MeasurementSlot, SLOT_DONE } from '../../../src/engine/insert/measurement-slot.ts';

const B = 64;

/** Drive the insert with a loop of `latency` samples, gain g: return(n) = g * send(n - latency). */
function loop(insert: HardwareInsert, latency: number, g: number) {
  const history: number[][] = [[], []];
  return (block: Float32Array[]): void => {
    const { send, ret } = insert.endpoint;
    for (let c = 0; c < 2; c++) {
      const h = history[c] as number[];
      for (let i = 0; i < B; i++) {
        const k = h.length + i - latency;
        // Samples sent in this very block come back in it when latency < B - i (an idealised loop).
        (ret[c] as Float32Array)[i] = k >= 0 && k < h.length ? g * (h[k] as number) : 0;
      }
    }
    insert.process(block, B);
    for (let c = 0; c < 2; c++) for (let i = 0; i < B; i++) (history[c] as number[]).push((send[c] as Float32Array)[i] as number);
  };
}

describe('HardwareInsert', () => {
  it('nulls when the compensation matches the loop, and not otherwise', () => {
    const run = (latency: number, comp: number): number => {
      const insert = new HardwareInsert({ maxLatencySamples: 4096, rampMs: 0.1 });
      insert.prepare(48000, B, 2);
      insert.setCompensation({ latencySamples: comp, gainDb: -6, polarity: 1 });
      insert.setMode('null');
      const step = loop(insert, latency, Math.pow(10, -6 / 20));
      let residual = 0;
      for (let b = 0; b < 200; b++) {
        const block = [new Float32Array(B), new Float32Array(B)];
        for (let c = 0; c < 2; c++) for (let i = 0; i < B; i++) (block[c] as Float32Array)[i] = Math.sin((b * B + i) * 0.05 * (c + 1));
        step(block);
        if (b > 100) for (let i = 0; i < B; i++) residual = Math.max(residual, Math.abs((block[0] as Float32Array)[i] as number));
      }
      return residual;
    };
    expect(run(300, 300)).toBeLessThan(1e-6);
    expect(run(300, 299)).toBeGreaterThan(1e-2);
  });

  it('plays the measurement on the send, captures the return and passes silence downstream', () => {
    const insert = new HardwareInsert({ maxLatencySamples: 1000 });
    insert.prepare(48000, B, 2);
    const signal = Float32Array.from({ length: 100 }, (_, i) => (i + 1) / 100);
    const slot = MeasurementSlot.create(signal, 3 * B, 2);
    insert.armMeasurement(slot);
    const step = loop(insert, 70, 1);
    const outs: number[] = [];
    for (let b = 0; b < 6; b++) {
      const block = [new Float32Array(B).fill(0.5), new Float32Array(B).fill(0.5)];
      step(block);
      outs.push(Math.max(...block[0] as Float32Array));
    }
    expect(slot.state).toBe(SLOT_DONE);
    expect(insert.measuring).toBe(false);
    // Three measurement blocks and the release block are silent downstream; then service resumes
    // (the return needs the 70-sample round trip to carry programme again).
    expect(outs.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(outs[5]).toBeGreaterThan(0);
    const cap = slot.capture[0] as Float32Array;
    for (let i = 0; i < 100; i++) expect(cap[i + 70]).toBeCloseTo(signal[i] as number, 6);
    expect(cap[69]).toBe(0);
  });

  it('runs 10k blocks without growing the heap', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const insert = new HardwareInsert({ maxLatencySamples: 4096 });
    insert.prepare(48000, 256, 2);
    insert.setCompensation({ latencySamples: 317, gainDb: -1, polarity: -1 });
    insert.setMix(0.7);
    const block = [new Float32Array(256).fill(0.1), new Float32Array(256).fill(0.2)];
    const cycle = (n: number): void => {
      for (let i = 0; i < n; i++) {
        insert.process(block, 256);
        if (i % 1000 === 0) insert.setMode(i % 2000 === 0 ? 'bypass' : 'insert');
      }
    };
    cycle(12000); // past every JIT tier and branch (mode ramps both ways)
    // Steady state: the JIT may still recompile once (code garbage, not per-block allocation), so the
    // figure is the best of three rounds of 10k blocks.
    let best = Infinity;
    let gcsOfBest = 0;
    for (let round = 0; round < 3; round++) {
      let gcs = 0;
      const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
      obs.observe({ entryTypes: ['gc'] });
      gc();
      const before = process.memoryUsage().heapUsed;
      cycle(10000);
      const grown = process.memoryUsage().heapUsed - before;
      obs.disconnect();
      if (grown < best) {
        best = grown;
        gcsOfBest = gcs;
      }
    }
    // One small object per block would be > 300 kB over 10k blocks.
    expect(best).toBeLessThan(300 * 1024);
    expect(gcsOfBest).toBeLessThanOrEqual(1);
  });
});
