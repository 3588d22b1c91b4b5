import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load-config.ts';
import { Daemon } from '../../src/daemon.ts';
import { silentLogger } from '../../src/logger.ts';
import type { MeterFeed } from '../../src/engine/meter-snapshot.ts';

export interface BenchDaemon {
  readonly daemon: Daemon;
  /** ws://127.0.0.1:<port>/ws */
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/**
 * A real Daemon in the benchmark's process on 127.0.0.1 (ephemeral port, a temporary data dir),
 * configured by `yaml` (config sections after version/dataDir/server). With `meters` the tablet
 * fans out that feed (a synthetic one); without, the daemon wires its own engine's meters
 * (`tablet.setMeterFeed(engine)`) as in production, when `audio.backend` is not `none`.
 */
export async function startBenchDaemon(yaml: string, meters?: MeterFeed): Promise<BenchDaemon> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hb-bench-daemon-'));
  const text = `version: 1\ndataDir: ${JSON.stringify(dataDir)}\nserver:\n  host: 127.0.0.1\n  port: 0\n${yaml}`;
  const loaded = parseConfig(text, path.join(dataDir, 'bench.yaml'));
  const daemon = new Daemon(loaded, { log: silentLogger(), tablet: { terminal: null, ...(meters ? { meters } : {}) } });
  try {
    await daemon.start();
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    daemon,
    wsUrl: `ws://127.0.0.1:${new URL(daemon.url).port}/ws`,
    stop: async () => {
      await daemon.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
