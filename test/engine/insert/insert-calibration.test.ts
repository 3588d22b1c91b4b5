import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../../src/engine/insert/calibrator.ts';
import type { InsertCompensation } from '../../../src/engine/insert/hardware-insert.ts';
import { InsertCalibration, type CalibrationState } from '../../../src/engine/insert/insert-calibration.ts';
import { BridgeError, isBridgeError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/logger.ts';
import { SnapshotStore } from '../../../src/state/store/snapshot-store.ts';
import type { CalibrationRoute } from '../../../src/state/store/snapshot-state.ts';
import { audioConfig, BLOCK, simulatedInterface, tempDir } from '../../devices/audio/audio-fixture.ts';

const route: CalibrationRoute = { interface: 'RME Fireface', sendChannels: [3, 4], returnChannels: [3, 4], sampleRateHz: 48000, blockSize: 256 };

function measurement(latencySamples: number): Measurement {
  return { latencySamples, gainDb: -0.4, polarity: 1, confidence: 0.98, peakToNoiseDb: 90, channels: [], warning: undefined };
}

function build(measure: () => Promise<Measurement>, store?: SnapshotStore) {
  const applied: InsertCompensation[] = [];
  const states: CalibrationState[] = [];
  const cal = new InsertCalibration(route, { measure, apply: (c) => applied.push(c), log: silentLogger(), ...(store ? { store } : {}) });
  cal.on('state', (s) => states.push(s.state));
  return { cal, applied, states };
}

describe('InsertCalibration (states, route, store)', () => {
  it('none -> measuring -> valid, applies the result; a route change makes it stale', async () => {
    const { cal, applied, states } = build(async () => measurement(1280));
    cal.load();
    const r = await cal.calibrate();
    expect(r).toMatchObject({ latencySamples: 1280, gainDb: -0.4, polarity: 1, confidence: 0.98, origin: 'measured', route });
    expect(applied).toEqual([{ latencySamples: 1280, gainDb: -0.4, polarity: 1 }]);
    cal.setRoute({ ...route, sampleRateHz: 96000 });
    expect(states).toEqual(['none', 'measuring', 'valid', 'stale']);
    expect(cal.status().reason).toMatch(/route changed/);
    // Each part of the route counts.
    for (const change of [{ interface: 'other' }, { sendChannels: [5, 6] }, { returnChannels: [5, 6] }, { blockSize: 512 }]) {
      const b = build(async () => measurement(1));
      await b.cal.calibrate();
      b.cal.setRoute({ ...route, ...change });
      expect(b.cal.state).toBe('stale');
    }
  });

  it('a failed measurement returns to where it was, with the reason', async () => {
    let fail = false;
    const { cal, states } = build(async () => {
      if (fail) throw new BridgeError('E_CALIBRATION_NO_SIGNAL', 'nothing came back');
      return measurement(700);
    });
    fail = true;
    await expect(cal.calibrate()).rejects.toMatchObject({ code: 'E_CALIBRATION_NO_SIGNAL' });
    expect(cal.state).toBe('none');
    fail = false;
    await cal.calibrate();
    fail = true;
    const err = await cal.calibrate().catch((e: unknown) => e);
    expect(isBridgeError(err, 'E_CALIBRATION_NO_SIGNAL')).toBe(true);
    expect(states).toEqual(['measuring', 'none', 'measuring', 'valid', 'measuring', 'valid']);
    expect(cal.result?.latencySamples).toBe(700);
    expect(cal.status().reason).toMatch(/nothing came back/);
  });

  it('stores per route in the snapshot store; a restart loads it as valid; another route is looked up too', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'store.db');
      let store = await SnapshotStore.open(file, { log: silentLogger() });
      const first = build(async () => measurement(1280), store);
      await first.cal.calibrate();
      first.cal.setRoute({ ...route, blockSize: 512 });
      expect(first.cal.state).toBe('stale');
      store.close();
      store = await SnapshotStore.open(file, { log: silentLogger() });
      try {
        const again = build(async () => measurement(9), store);
        expect(again.cal.load().state).toBe('valid');
        expect(again.cal.result).toMatchObject({ latencySamples: 1280, gainDb: -0.4, polarity: 1, origin: 'stored' });
        expect(again.applied).toEqual([{ latencySamples: 1280, gainDb: -0.4, polarity: 1 }]);
        // Back to a route measured before: valid again without measuring.
        again.cal.setRoute({ ...route, blockSize: 512 });
        expect(again.cal.state).toBe('stale');
        again.cal.setRoute(route);
        expect(again.cal.state).toBe('valid');
      } finally {
        store.close();
      }
    } finally {
      cleanup();
    }
  });

  it('on the simulated loop, a calibration survives a daemon restart through the store', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const store = await SnapshotStore.open(path.join(dir, 's.db'), { log: silentLogger() });
      try {
        const audio = audioConfig({ calibration: { sweepMs: 300, maxLatencyMs: 50 } });
        const a = simulatedInterface(audio, { store });
        await a.start();
        await a.calibrate();
        await a.stop();
        const b = simulatedInterface(audio, { store });
        await b.start();
        expect(b.calibration.state).toBe('valid');
        expect(b.insert.compensation.latencySamples).toBe(BLOCK + 61);
        await b.stop();
      } finally {
        store.close();
      }
    } finally {
      cleanup();
    }
  });
});
