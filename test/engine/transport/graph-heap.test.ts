import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SimulatedLoopBackend } from '../../../src/devices/audio/simulated-loop-backend.ts';
import { audioConfig, FS, programme, simulatedInterface, tempDir, writeWav } from '../../devices/audio/audio-fixture.ts';

describe('the duplex graph on the audio path', () => {
  it('runs 10k blocks (player, insert, A/B matching, monitor, print ring, simulated loop) without allocating', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'p.wav');
      await writeWav(file, programme(FS * 3, 0.3));
      const backend = new SimulatedLoopBackend({ patch: { from: [2, 3], to: [2, 3] }, latencySamples: 61, gainDb: -1, polarity: -1, pace: 'manual' });
      const iface = simulatedInterface(audioConfig({ source: { type: 'file', file, loop: true } }), { backend });
      await iface.start();
      try {
        iface.insert.setCompensation({ latencySamples: 317, gainDb: -1, polarity: -1 });
        iface.monitor.setMatchMode('integrated');
        iface.transport.play();
        // An open-ended print capture keeps the ring's write path hot; drain it as the disk would.
        iface.graph.print.arm(317, -1);
        const drainBuf = [new Float32Array(65536), new Float32Array(65536)];
        const cycle = (n: number): void => {
          for (let i = 0; i < n; i += 64) {
            backend.step(64);
            iface.graph.print.drain(drainBuf, 65536);
          }
        };
        cycle(12000);
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
        expect(iface.graph.print.overflows).toBe(0);
        expect(best).toBeLessThan(300 * 1024);
        expect(gcsOfBest).toBeLessThanOrEqual(1);
      } finally {
        await iface.stop();
      }
    } finally {
      cleanup();
    }
  });
});
