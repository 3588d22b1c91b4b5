import { describe, expect, it } from 'vitest';
import { engineSectionSchema } from '../../../src/config/sections/engine.ts';
import type { DeviceStatus } from '../../../src/devices/device-status.ts';
import { AudioHost } from '../../../src/devices/audio/audio-host.ts';
import { audioSessionServices } from '../../../src/devices/audio/audio-services.ts';
import { isBridgeError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/logger.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import type { Calibration } from '../../../src/state/store/snapshot-state.ts';
import type { StoredCalibration } from '../../../src/state/store/store-types.ts';
import { audioConfig } from './audio-fixture.ts';

/**
 * The audio part as the daemon runs it: the interface, its graph and the chain in the audio
 * worker; the main thread registers parameters, relays control and stores calibrations. These
 * tests go through the real worker thread (the simulated loop at full speed).
 */
function host(audio: ReturnType<typeof audioConfig>, saved: Calibration[] = [], stored: StoredCalibration[] = []) {
  const store = new ParamStore();
  const reports: { status: DeviceStatus; reason: string }[] = [];
  const h = new AudioHost({
    audio,
    engineConfig: engineSectionSchema.parse({ sampleRate: 48000, blockSize: 256 }),
    outboard: [],
    simUnits: [],
    store,
    log: silentLogger(),
    report: (_id, status, reason = '') => reports.push({ status, reason }),
    calibrations: () => ({ listCalibrations: () => stored, saveCalibration: (c) => saved.push(c) }),
    pace: 'fast',
  });
  return { h, store, reports };
}

const fast = { sweepMs: 300, maxLatencyMs: 50 };

describe('AudioHost: the interface in the audio worker', () => {
  it('registers the monitor and chain parameters, calibrates in the worker and hands the result to the store', async () => {
    const saved: Calibration[] = [];
    const { h, store, reports } = host(audioConfig({ simulated: { latencySamples: 61, gainDb: -3, polarity: -1 }, calibration: fast }), saved);
    expect(store.has('monitor.mute')).toBe(true);
    expect(store.has('insert.mode')).toBe(true);
    expect(store.has('eq.band3.gainDb')).toBe(true);
    await h.start();
    try {
      expect(reports.at(-1)?.status).toBe('online');
      const r = await h.calibrate();
      expect(r).toMatchObject({ latencySamples: 256 + 61, gainDb: -3, polarity: -1, origin: 'measured' });
      expect(saved).toEqual([expect.objectContaining({ latencySamples: 317, gainDb: -3, polarity: -1 })]);
      expect(h.calibration?.state).toBe('valid');
      // The chain's latency now includes the compensated round trip (the worker's status record,
      // written after the next block).
      for (let i = 0; i < 200 && h.engine.status().latencySamples < 317; i++) await new Promise((r) => setTimeout(r, 10));
      expect(h.engine.status().latencySamples).toBeGreaterThanOrEqual(317);
    } finally {
      await h.stop();
    }
    expect(h.running).toBe(false);
  }, 30_000);

  it('a failure in the worker arrives with its code; an abort ends only that request', async () => {
    // No source to print (source: none): the transport refuses in the worker.
    const { h } = host(audioConfig({ calibration: fast }));
    await h.start();
    try {
      const err = await h.print({ file: '/tmp/never-written.wav', format: 'float32' }).catch((e: unknown) => e);
      expect(isBridgeError(err, 'E_TRANSPORT_STATE')).toBe(true);
      const ac = new AbortController();
      const pending = h.calibrate(ac.signal);
      ac.abort();
      await expect(pending).rejects.toThrow();
      expect(h.calibration?.state).toBe('none');
      // The worker is still there and answers.
      expect(await h.engine.request('status')).toMatchObject({ running: true, calibration: { state: 'none' }, transport: { state: 'stopped' } });
      // And it still measures.
      expect((await h.calibrate()).latencySamples).toBe(317);
    } finally {
      await h.stop();
    }
  }, 30_000);

  it('starts with the stored calibration of its route (state valid, origin stored)', async () => {
    const route = { interface: 'Simulated interface (insert loop)', sendChannels: [3, 4], returnChannels: [3, 4], sampleRateHz: 48000, blockSize: 256 };
    const stored: StoredCalibration[] = [{ route, latencySamples: 317, gainDb: 0, polarity: 1, measuredAt: '2026-11-01T10:00:00.000Z' }];
    const { h } = host(audioConfig({ calibration: fast }), [], stored);
    await h.start();
    try {
      expect(h.calibration).toMatchObject({ state: 'valid', result: { latencySamples: 317, origin: 'stored' } });
    } finally {
      await h.stop();
    }
  }, 30_000);

  it("gives the session machine its services: calibrate (with the machine's signal), playback, and says when a play is refused", async () => {
    const { h } = host(audioConfig({ calibration: fast, source: { type: 'demo', loop: true } }));
    await h.start();
    try {
      const failed: unknown[] = [];
      const services = audioSessionServices(h, { log: silentLogger(), onPlayFailed: (e) => failed.push(e) });
      const r = await services.calibrate(new AbortController().signal);
      expect(r).toMatchObject({ latencySamples: 256 + 61, gainDb: 0, polarity: 1, confidence: 1 });
      services.startPlayback();
      for (let i = 0; i < 100 && h.transport?.state !== 'playing'; i++) await new Promise((res) => setTimeout(res, 10));
      expect(h.transport?.state).toBe('playing');
      services.stopPlayback();
      for (let i = 0; i < 100 && h.transport?.state !== 'stopped'; i++) await new Promise((res) => setTimeout(res, 10));
      expect(h.transport?.state).toBe('stopped');
      expect(failed).toEqual([]);
    } finally {
      await h.stop();
    }
    // No source: the worker refuses the play, the machine hears of it.
    const { h: silent } = host(audioConfig({ calibration: fast }));
    await silent.start();
    try {
      const failed: unknown[] = [];
      audioSessionServices(silent, { log: silentLogger(), onPlayFailed: (e) => failed.push(e) }).startPlayback();
      for (let i = 0; i < 100 && failed.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
      expect(isBridgeError(failed[0])).toBe(true);
    } finally {
      await silent.stop();
    }
  }, 30_000);

  it('a request after stop is refused with E_ENGINE_WORKER', async () => {
    const { h } = host(audioConfig({ calibration: fast }));
    await h.start();
    await h.stop();
    const err = await h.calibrate().catch((e: unknown) => e);
    expect(isBridgeError(err, 'E_ENGINE_WORKER')).toBe(true);
  }, 30_000);
});
