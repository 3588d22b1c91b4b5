import { describe, expect, it } from 'vitest';
import { SimulatedLoopBackend } from '../../../src/devices/audio/simulated-loop-backend.ts';
import { isBridgeError } from '../../../src/errors.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import { audioConfig, BLOCK, noise, simulatedInterface } from '../../devices/audio/audio-fixture.ts';

const fastCalibration = { sweepMs: 300, maxLatencyMs: 50 };

describe('calibration on the simulated loop', () => {
  it('measures the round trip (one block + converter latency), gain offset and polarity exactly, identical over 10 runs', async () => {
    const audio = audioConfig({ simulated: { latencySamples: 61, gainDb: -2.5, polarity: -1 }, calibration: fastCalibration });
    const iface = simulatedInterface(audio);
    await iface.start();
    try {
      const results = [];
      for (let i = 0; i < 10; i++) results.push(await iface.calibrate());
      const first = results[0];
      expect(first).toMatchObject({ latencySamples: BLOCK + 61, gainDb: -2.5, polarity: -1 });
      expect(first?.confidence).toBe(1);
      for (const r of results) {
        expect({ latencySamples: r.latencySamples, gainDb: r.gainDb, polarity: r.polarity, confidence: r.confidence }).toEqual({
          latencySamples: first?.latencySamples,
          gainDb: first?.gainDb,
          polarity: first?.polarity,
          confidence: first?.confidence,
        });
      }
      expect(iface.calibration.state).toBe('valid');
      expect(iface.insert.compensation).toEqual({ latencySamples: BLOCK + 61, gainDb: -2.5, polarity: -1 });
    } finally {
      await iface.stop();
    }
  });

  it.each([0, 1, 255, 256, 1000])('is exact for a converter latency of %i samples', async (latency) => {
    const iface = simulatedInterface(audioConfig({ simulated: { latencySamples: latency }, calibration: fastCalibration }));
    await iface.start();
    try {
      const r = await iface.calibrate();
      expect(r.latencySamples).toBe(BLOCK + latency);
      expect(r.polarity).toBe(1);
      expect(r.gainDb).toBe(0);
    } finally {
      await iface.stop();
    }
  });

  it('stays exact through firmware-sim analog units with their noise and saturation on', async () => {
    const params = new ParamStore();
    const audio = audioConfig({
      simulated: { latencySamples: 61, insertUnits: ['is1', 'eq1', 'comp1'], noise: true, saturation: true },
      calibration: fastCalibration,
    });
    const iface = simulatedInterface(audio, {
      params,
      outboard: [
        { id: 'is1', profile: 'hb-is6', serial: 'IS-1', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' },
        { id: 'eq1', profile: 'hb-seq4', serial: 'EQ-1', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' },
        { id: 'comp1', profile: 'hb-bc2', serial: 'BC-1', port: 'sim', baudRate: 115200, required: true, onPowerCycle: 'resend' },
      ],
      simUnits: [
        { model: 'switcher', serial: 'IS-1' },
        { model: 'eq', serial: 'EQ-1' },
        { model: 'comp', serial: 'BC-1' },
      ],
    });
    await iface.start();
    // The switcher's loops 1 and 2 hold the EQ and the compressor; switch both in, comp first.
    iface.rack?.setUnitParams('is1', { 'loop1.in': 1, 'loop2.in': 1, 'loop1.position': 2, 'loop2.position': 1 });
    iface.rack?.setUnitParams('eq1', { 'ch1.band2.gainDb': 4, 'ch2.band2.gainDb': 4 });
    iface.rack?.setUnitParams('comp1', { thresholdDb: 0, ratio: 2 }); // in circuit, not compressing the -12 dBFS sweep
    try {
      const runs = [await iface.calibrate(), await iface.calibrate(), await iface.calibrate()];
      for (const r of runs) {
        expect(r.latencySamples).toBe(BLOCK + 61);
        expect(r.polarity).toBe(1);
        expect(r.confidence).toBeGreaterThan(0.9);
        // The EQ's +4 dB bell at 470 Hz is in the path: the mid-band gain reads above unity.
        expect(r.gainDb).toBeGreaterThan(0.5);
      }
      expect(new Set(runs.map((r) => r.latencySamples)).size).toBe(1);
    } finally {
      await iface.stop();
    }
  });

  it('fails with E_CALIBRATION_NO_SIGNAL when the insert is not patched', async () => {
    // The send is patched into inputs 1-2, which nobody listens to: the return (3-4) stays silent.
    const backend = new SimulatedLoopBackend({ patch: { from: [2, 3], to: [0, 1] }, latencySamples: 61, gainDb: 0, polarity: 1, pace: 'fast' });
    const iface = simulatedInterface(audioConfig({ calibration: fastCalibration }), { backend });
    await iface.start();
    try {
      const err = await iface.calibrate().catch((e: unknown) => e);
      expect(isBridgeError(err, 'E_CALIBRATION_NO_SIGNAL')).toBe(true);
      expect(iface.calibration.state).toBe('none');
    } finally {
      await iface.stop();
    }
  });

  it('fails with E_CALIBRATION_NOISY when the return carries only noise', async () => {
    const audio = audioConfig({ calibration: fastCalibration });
    const hum = noise(BLOCK * 4096, 0.05, 99);
    let at = 0;
    const backend = new SimulatedLoopBackend({
      patch: { from: [2, 3], to: [0, 1] },
      latencySamples: 61,
      gainDb: 0,
      polarity: 1,
      pace: 'fast',
      // An unpatched return picking up noise.
      inputs: (input, frames) => {
        for (const c of [2, 3]) {
          const buf = input[c] as Float32Array;
          for (let i = 0; i < frames; i++) buf[i] = hum[(at + i) % hum.length] as number;
        }
        at += frames;
      },
    });
    const iface = simulatedInterface(audio, { backend });
    await iface.start();
    try {
      const err = await iface.calibrate().catch((e: unknown) => e);
      expect(isBridgeError(err, 'E_CALIBRATION_NOISY')).toBe(true);
    } finally {
      await iface.stop();
    }
  });

  it('voids a capture with an xrun, keeps the clean ones, and stands when any two clean ones agree', async () => {
    const iface = simulatedInterface(audioConfig({ calibration: { ...fastCalibration, attempts: 4 } }));
    await iface.start();
    try {
      // The backend reports an xrun during captures 2 and 4 (of clean, xrun, clean): a result after 3.
      const backend = iface.backend as SimulatedLoopBackend;
      const arm = iface.insert.armMeasurement.bind(iface.insert);
      let captures = 0;
      let total = 0;
      iface.insert.armMeasurement = (slot) => {
        captures++;
        arm(slot);
        if (captures % 2 === 0) backend.emit('xrun', { total: ++total, added: 1, kind: 'late' });
      };
      const r = await iface.calibrate();
      expect(captures).toBe(3);
      expect(r).toMatchObject({ latencySamples: BLOCK + 61, gainDb: 0, polarity: 1 });
      // Every capture voided: a clear failure, with how many were voided.
      captures = 0;
      iface.insert.armMeasurement = (slot) => {
        captures++;
        arm(slot);
        backend.emit('xrun', { total: ++total, added: 2, kind: 'late' });
      };
      const err = await iface.calibrate().catch((e: unknown) => e);
      expect(isBridgeError(err, 'E_CALIBRATION_NOISY')).toBe(true);
      expect((err as Error).message).toMatch(/during 4 of 4 captures \(8 xrun\(s\)\)/);
      expect(captures).toBe(4);
    } finally {
      await iface.stop();
    }
  });

  it('refuses a second calibration while one runs (E_CALIBRATION_BUSY)', async () => {
    const iface = simulatedInterface(audioConfig({ calibration: fastCalibration }));
    await iface.start();
    try {
      const first = iface.calibrate();
      const second = await iface.calibrate().catch((e: unknown) => e);
      expect(isBridgeError(second, 'E_CALIBRATION_BUSY')).toBe(true);
      expect((await first).latencySamples).toBe(BLOCK + 61);
    } finally {
      await iface.stop();
    }
  });

  it('aborts with the signal and returns to the previous state', async () => {
    const iface = simulatedInterface(audioConfig({ calibration: fastCalibration }), { pace: 'realtime' });
    await iface.start();
    try {
      const ac = new AbortController();
      const run = iface.calibrate(ac.signal);
      expect(iface.calibration.state).toBe('measuring');
      setTimeout(() => ac.abort(new Error('operator cancelled')), 20);
      const err = await run.catch((e: unknown) => e);
      expect((err as Error).message).toBe('operator cancelled');
      expect(iface.calibration.state).toBe('none');
      await new Promise((r) => setTimeout(r, 50));
      expect(iface.insert.measuring).toBe(false);
    } finally {
      await iface.stop();
    }
  });
});
