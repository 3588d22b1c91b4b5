import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createMeterBuffer, MeterBufferReader, MeterBufferWriter } from '../../../src/engine/meters/meter-buffer.ts';
import { slotOffsets, type MeterLayout } from '../../../src/engine/meters/meter-layout.ts';

const layout: MeterLayout = { channels: 2, stageIds: ['input', 'insertSend', 'insertReturn', 'output'], gainReductionIds: ['comp', 'limiter'], spectrumBands: 31 };

describe('shared meter buffer', () => {
  it('returns undefined before the first publish, then the published frame', () => {
    const sab = createMeterBuffer(layout);
    const writer = new MeterBufferWriter(sab, layout);
    const reader = new MeterBufferReader(sab, layout);
    expect(reader.read()).toBeUndefined();
    const o = writer.offsets;
    const v = writer.begin();
    v.fill(-Infinity);
    v[o.seq] = 1;
    v[o.timeS] = 2.5;
    v[o.loudness + 2] = -23;
    v[o.stages + 3 * 2 * 3 + 1 * 3] = -1; // output stage, channel 1, peak
    v[o.gainReduction + 1] = 4.5;
    v[o.spectrumHz] = 20;
    v[o.correlation] = 0.5;
    writer.commit();
    const s = reader.read();
    expect(s?.seq).toBe(1);
    expect(s?.timeS).toBe(2.5);
    expect(s?.loudness.integratedLufs).toBe(-23);
    expect(s?.loudness.truePeakDbtp).toBe(-Infinity);
    expect(s?.stages.map((st) => st.id)).toEqual(layout.stageIds);
    expect(s?.stages[3]?.peakDb).toEqual([-Infinity, -1]);
    expect(s?.gainReduction).toEqual([
      { id: 'comp', db: -Infinity },
      { id: 'limiter', db: 4.5 },
    ]);
    expect(s?.spectrumHz[0]).toBe(20);
    expect(s?.spectrumHz).toHaveLength(31);
    expect(s?.correlation).toBe(0.5);
  });

  it('refuses a buffer made for another layout', () => {
    const sab = createMeterBuffer(layout);
    expect(() => new MeterBufferReader(sab, { ...layout, channels: 6 })).toThrow(TypeError);
    expect(() => new MeterBufferWriter(new SharedArrayBuffer(4096), layout)).toThrow(TypeError);
  });

  it('never hands the main thread a torn frame while a worker publishes flat out', async () => {
    const sab = createMeterBuffer(layout);
    const stop = new SharedArrayBuffer(4);
    const worker = new Worker(fileURLToPath(new URL('./fixtures/meter-writer-worker.js', import.meta.url)), {
      workerData: { buffer: sab, layout, stop },
    });
    let failure: unknown;
    worker.on('error', (err) => (failure = err));
    const reader = new MeterBufferReader(sab, layout);
    reader.stampPublishes(true);
    const len = slotOffsets(layout).length;
    let frames = 0;
    let last = 0;
    const deadline = Date.now() + 15000;
    let spins = 0;
    while (frames < 2000 && Date.now() < deadline && failure === undefined) {
      if (++spins % 64 === 0) await new Promise((r) => setImmediate(r));
      const s = reader.read();
      if (s === undefined) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const n = s.seq;
      // Every value of a frame was written as its sequence number: any mix would show here.
      const values = [
        s.timeS,
        s.nonFiniteSamples,
        s.xruns,
        ...(Object.values(s.loudness) as number[]),
        s.correlation,
        s.balance,
        ...s.stages.flatMap((st) => [...st.peakDb, ...st.rmsDb, ...st.holdDb]),
        ...s.gainReduction.map((g) => g.db),
      ];
      // The spectrum is handed out as Float32 (n rounds once it passes 2^24 publishes).
      const spectrum = [...s.spectrumHz, ...s.spectrumDb];
      // All but seq itself and the publish time, which commit() stamps (wall clock, ms).
      expect(values.length + spectrum.length).toBe(len - 2);
      for (const v of spectrum) if (v !== Math.fround(n)) expect.fail(`torn frame: seq ${n} holds ${v} in the spectrum`);
      expect(s.publishedMs).toBeGreaterThanOrEqual(performance.timeOrigin);
      for (const v of values) if (v !== n) expect.fail(`torn frame: seq ${n} holds ${v}`);
      expect(n).toBeGreaterThanOrEqual(last);
      if (n !== last) frames++;
      last = n;
    }
    Atomics.store(new Int32Array(stop), 0, 1);
    expect(failure).toBeUndefined();
    const [published] = (await once(worker, 'message')) as [number];
    await worker.terminate();
    expect(frames).toBeGreaterThan(100);
    expect(published).toBeGreaterThanOrEqual(last);
  }, 60_000);
});
