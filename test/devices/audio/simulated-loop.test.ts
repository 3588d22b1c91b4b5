import { describe, expect, it } from 'vitest';
import type { BackendStatusReport } from '../../../src/devices/audio/binding.ts';
import { SimulatedLoopBackend } from '../../../src/devices/audio/simulated-loop-backend.ts';
import { DeviceHub } from '../../../src/devices/device-hub.ts';
import { silentLogger } from '../../../src/logger.ts';
import { audioConfig, simulatedInterface } from './audio-fixture.ts';

describe('SimulatedLoopBackend', () => {
  it('returns send sample n as return sample n + blockSize + latency, with its gain and polarity', async () => {
    const B = 32;
    const backend = new SimulatedLoopBackend({ patch: { from: [1], to: [0] }, latencySamples: 5, gainDb: 20 * Math.log10(0.5), polarity: -1, pace: 'manual' });
    let n = 0;
    const received: number[] = [];
    await backend.open({ sampleRate: 48000, blockSize: B, inputChannels: 1, outputChannels: 2 }, (input, output, frames) => {
      for (let i = 0; i < frames; i++) {
        received.push((input[0] as Float32Array)[i] as number);
        (output[1] as Float32Array)[i] = n + i + 1;
      }
      n += frames;
    });
    backend.step(10);
    await backend.close();
    for (let k = 0; k < received.length; k++) {
      const sent = k - B - 5;
      expect(received[k]).toBeCloseTo(sent >= 0 ? -0.5 * (sent + 1) : 0, 3);
    }
  });

  it('unplugged: status reconnecting, blocks stop; plugged and retried: online again', async () => {
    const backend = new SimulatedLoopBackend({ patch: { from: [0], to: [0] }, latencySamples: 0, gainDb: 0, polarity: 1, pace: 'manual' });
    const seen: BackendStatusReport[] = [];
    backend.on('status', (r) => seen.push(r));
    let blocks = 0;
    await backend.open({ sampleRate: 48000, blockSize: 64, inputChannels: 1, outputChannels: 1 }, () => void blocks++);
    backend.step(3);
    backend.unplug();
    expect(() => backend.step(1)).toThrow(expect.objectContaining({ code: 'E_AUDIO_STREAM' }));
    await backend.retry();
    expect(backend.status).toBe('reconnecting');
    backend.plug();
    await backend.retry();
    backend.step(2);
    await backend.close();
    expect(blocks).toBe(5);
    expect(seen.map((s) => s.status)).toEqual(['connecting', 'online', 'reconnecting', 'online', 'closed']);
    expect(seen[2]?.reason).toMatch(/unplugged/);
  });

  it('the audio interface reports the loss to the hub as `reconnecting` and comes back on retry', async () => {
    const hub = new DeviceHub([{ id: 'interface', kind: 'audio', required: true }], silentLogger());
    const backend = new SimulatedLoopBackend({ patch: { from: [2, 3], to: [2, 3] }, latencySamples: 61, gainDb: 0, polarity: 1, pace: 'fast' });
    const iface = simulatedInterface(audioConfig(), { backend, report: hub.report });
    await iface.start();
    try {
      expect(hub.latest()).toEqual([{ id: 'interface', status: 'online', reason: '' }]);
      backend.unplug();
      expect(hub.latest()[0]).toMatchObject({ status: 'reconnecting' });
      expect(iface.running).toBe(false);
      await iface.retry();
      expect(hub.latest()[0]?.status).toBe('reconnecting');
      backend.plug();
      await iface.retry();
      expect(hub.latest()[0]).toEqual({ id: 'interface', status: 'online', reason: '' });
      expect((await iface.calibrate()).latencySamples).toBe(256 + 61);
    } finally {
      await iface.stop();
    }
  });
});
