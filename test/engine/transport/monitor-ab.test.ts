import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HardwareInsert } from '../../../src/engine/insert/hardware-insert.ts';
import { LoudnessMeter } from '../../../src/engine/meters/loudness-meter.ts';
import type { ChainProcessor } from '../../../src/engine/transport/duplex-graph.ts';
import { ProtectionLimiter } from '../../../src/engine/transport/protection-limiter.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import { SimulatedLoopBackend } from '../../../src/devices/audio/simulated-loop-backend.ts';
import { audioConfig, FS, noise, programme, simulatedInterface, tempDir, writeWav } from '../../devices/audio/audio-fixture.ts';

/** A chain that makes the programme louder after the insert (what a mastering chain does). */
function louderChain(gainDb: number): (insert: HardwareInsert) => ChainProcessor {
  const g = Math.pow(10, gainDb / 20);
  return (insert) => ({
    get latencySamples() {
      return insert.latencySamples;
    },
    process(channels, frames) {
      insert.process(channels, frames);
      for (const ch of channels) for (let i = 0; i < frames; i++) ch[i] = (ch[i] as number) * g;
    },
  });
}

async function monitorLoudness(mode: 'off' | 'integrated' | 'shortTerm'): Promise<{ a: number; b: number }> {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'noise.wav');
    await writeWav(file, [noise(FS * 4, 0.08, 5), noise(FS * 4, 0.08, 6)]);
    const params = new ParamStore();
    const meter = new LoudnessMeter();
    meter.prepare(FS, 256, 2);
    let metering = false;
    // Meter the monitor outs (interface outputs 1-2) as the speakers would get them.
    const backend = new SimulatedLoopBackend({
      patch: { from: [2, 3], to: [2, 3] },
      latencySamples: 61,
      gainDb: 0,
      polarity: 1,
      pace: 'fast',
      outputTap: (out, frames) => {
        if (metering) meter.process([out[0] as Float32Array, out[1] as Float32Array], frames);
      },
    });
    const iface = simulatedInterface(
      audioConfig({ calibration: { sweepMs: 300, maxLatencyMs: 50 }, source: { type: 'file', file, loop: true } }),
      { params, chain: louderChain(6), backend },
    );
    await iface.start();
    const run = async (frames: number): Promise<void> => {
      const until = iface.graph.framesProcessed + frames;
      while (iface.graph.framesProcessed < until) await new Promise((r) => setTimeout(r, 5));
    };
    try {
      await iface.calibrate();
      params.set('monitor.abMatch', ['off', 'integrated', 'shortTerm'].indexOf(mode), 'api');
      iface.transport.play();
      await run(FS * 4); // the match converges (short-term needs its 3 s window full)
      metering = true;
      meter.reset();
      await run(FS * 3);
      const a = meter.integratedLufs();
      metering = false;
      params.set('monitor.ab', 1, 'api'); // B: the source
      await run(FS * 1);
      metering = true;
      meter.reset();
      await run(FS * 3);
      const b = meter.integratedLufs();
      return { a, b };
    } finally {
      await iface.stop();
    }
  } finally {
    cleanup();
  }
}

describe('monitor A/B, loudness matched', () => {
  it.each(['integrated', 'shortTerm'] as const)('processed and source reach the monitors within 0.1 LU (%s matching)', async (mode) => {
    const { a, b } = await monitorLoudness(mode);
    expect(Number.isFinite(a)).toBe(true);
    expect(Math.abs(a - b)).toBeLessThan(0.1);
  });

  it('without matching the processed side is 6 LU louder (the comparison the matching prevents)', async () => {
    const { a, b } = await monitorLoudness('off');
    expect(a - b).toBeGreaterThan(5.8);
    expect(a - b).toBeLessThan(6.2);
  });
});

describe('monitor safety', () => {
  it('fades in from silence when the stream starts', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'p.wav');
      await writeWav(file, programme(FS * 2, 0.5));
      const peaks: number[] = [];
      const backend = new SimulatedLoopBackend({
        patch: { from: [2, 3], to: [2, 3] },
        latencySamples: 0,
        gainDb: 0,
        polarity: 1,
        pace: 'manual',
        outputTap: (out, frames) => {
          let m = 0;
          for (let i = 0; i < frames; i++) m = Math.max(m, Math.abs((out[0] as Float32Array)[i] as number));
          peaks.push(m);
        },
      });
      const iface = simulatedInterface(audioConfig({ source: { type: 'file', file, loop: true }, monitor: { fadeInMs: 500 } }), { backend });
      await iface.start();
      iface.transport.play();
      backend.step(200); // ~1 s
      await iface.stop();
      // First block: under 2 % of the programme's peak; after the fade, full level.
      expect(peaks[0]).toBeLessThan(0.01);
      expect(Math.max(...peaks.slice(0, 9))).toBeLessThan(0.1);
      expect(Math.max(...peaks.slice(120))).toBeGreaterThan(0.3);
    } finally {
      cleanup();
    }
  });

  it('mutes click-free: the level falls along the ramp, never in one step', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'dc.wav');
      // A constant: any step in gain shows directly as a step in the output.
      await writeWav(file, [new Float32Array(FS * 2).fill(0.5), new Float32Array(FS * 2).fill(0.5)]);
      const out0: number[] = [];
      const backend = new SimulatedLoopBackend({
        patch: { from: [2, 3], to: [2, 3] },
        latencySamples: 0,
        gainDb: 0,
        polarity: 1,
        pace: 'manual',
        outputTap: (out, frames) => {
          for (let i = 0; i < frames; i++) out0.push((out[0] as Float32Array)[i] as number);
        },
      });
      const params = new ParamStore();
      const iface = simulatedInterface(audioConfig({ source: { type: 'file', file, loop: true }, monitor: { fadeInMs: 10, rampMs: 20 } }), { backend, params });
      await iface.start();
      params.set('insert.mode', 1, 'api'); // bypass: the dry path only, no loop gain involved
      iface.transport.play();
      backend.step(40);
      const before = out0.length;
      params.set('monitor.mute', 1, 'api');
      backend.step(40);
      await iface.stop();
      const tail = out0.slice(before);
      let maxStep = 0;
      for (let i = 1; i < tail.length; i++) maxStep = Math.max(maxStep, Math.abs((tail[i] as number) - (tail[i - 1] as number)));
      expect(tail[tail.length - 1]).toBe(0);
      // 0.5 over a 20 ms (960-sample) ramp: about 0.0005 per sample.
      expect(maxStep).toBeLessThan(0.002);
    } finally {
      cleanup();
    }
  });

  it('the protection limiter never lets a sample above 0 dBFS out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -20, max: 20, noNaN: true }), { minLength: 64, maxLength: 2048 }),
        fc.integer({ min: 1, max: 512 }),
        (samples, block) => {
          const lim = new ProtectionLimiter();
          lim.prepare(FS, 2, { ceilingDbfs: 0, lookaheadMs: 1 });
          const l = Float32Array.from(samples);
          const r = Float32Array.from(samples, (v) => -v * 0.7);
          for (let at = 0; at < l.length; at += block) {
            const n = Math.min(block, l.length - at);
            lim.process([l.subarray(at, at + n), r.subarray(at, at + n)], n);
          }
          for (let i = 0; i < l.length; i++) {
            if (Math.abs(l[i] as number) > 1 || Math.abs(r[i] as number) > 1) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the protection limiter is transparent below the ceiling (a pure 1 ms delay)', () => {
    const lim = new ProtectionLimiter();
    lim.prepare(FS, 1, { ceilingDbfs: 0, lookaheadMs: 1 });
    const x = noise(4096, 0.9, 3);
    const y = Float32Array.from(x);
    lim.process([y], y.length);
    const d = lim.latencySamples;
    expect(d).toBe(48);
    for (let i = d; i < x.length; i++) expect(y[i]).toBe(x[i - d]);
  });

  it('a measurement never reaches the monitors, even while the source plays', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'p.wav');
      await writeWav(file, programme(FS * 2, 0.5));
      const holder: { iface?: ReturnType<typeof simulatedInterface> } = {};
      let duringMeasurement = 0;
      let blocksMeasured = 0;
      const backend = new SimulatedLoopBackend({
        patch: { from: [2, 3], to: [2, 3] },
        latencySamples: 61,
        gainDb: 0,
        polarity: 1,
        pace: 'fast',
        outputTap: (out, frames) => {
          if (!holder.iface?.insert.measuring) return;
          blocksMeasured++;
          for (const c of [0, 1]) for (let i = 0; i < frames; i++) duringMeasurement = Math.max(duringMeasurement, Math.abs((out[c] as Float32Array)[i] as number));
        },
      });
      const iface = simulatedInterface(audioConfig({ source: { type: 'file', file, loop: true }, calibration: { sweepMs: 300, maxLatencyMs: 50 }, monitor: { fadeInMs: 10 } }), { backend });
      holder.iface = iface;
      await iface.start();
      iface.transport.play();
      await new Promise((r) => setTimeout(r, 50));
      const r = await iface.calibrate();
      await iface.stop();
      expect(r.latencySamples).toBe(256 + 61);
      expect(blocksMeasured).toBeGreaterThan(50);
      expect(duringMeasurement).toBe(0);
    } finally {
      cleanup();
    }
  });
});
