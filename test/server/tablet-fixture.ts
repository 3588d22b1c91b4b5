import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load-config.ts';
import { Daemon, type DaemonOptions } from '../../src/daemon.ts';
import { silentLogger } from '../../src/logger.ts';
import type { TabletServerOptions } from '../../src/server/ws/tablet-server.ts';

export interface TabletFixture {
  daemon: Daemon;
  dataDir: string;
  port: number;
  /** http://127.0.0.1:<port> */
  base: string;
  /** ws://127.0.0.1:<port>/ws */
  wsUrl: string;
  token(): Promise<string>;
  cleanup(): Promise<void>;
}

export interface TabletFixtureOptions {
  /** Listen host; default 127.0.0.1 (0.0.0.0 is token mode by itself). */
  host?: string;
  /** Default 0 (ephemeral); a restart test reuses the first daemon's port. */
  port?: number;
  yaml?: string;
  tablet?: TabletServerOptions;
  daemon?: Partial<DaemonOptions>;
  dataDir?: string;
  /** Register parameters before start. */
  setup?: (d: Daemon) => void;
}

export const TEST_PARAMS = [
  { id: 'eq.band2.gainDb', label: 'Band 2 gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0, group: 'eq.band2' },
  { id: 'eq.band2.freqHz', label: 'Band 2 freq', kind: 'continuous', unit: 'Hz', min: 20, max: 20000, default: 1000, taper: 'log', group: 'eq.band2' },
  { id: 'outboard.eq1.gainDb', label: 'EQ1 gain', kind: 'continuous', unit: 'dB', min: -12, max: 12, default: 0, group: 'outboard.eq1' },
  { id: 'outboard.eq1.lowFreqHz', label: 'EQ1 low', kind: 'stepped', unit: 'Hz', min: 20, max: 100, default: 60, steps: [20, 33, 60, 100], group: 'outboard.eq1' },
  { id: 'comp.bypass', label: 'Comp bypass', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: 'comp' },
] as const;

/** A real daemon (config parsed like the CLI's) on port 0 in a fresh data dir, started. */
export async function startTabletDaemon(options: TabletFixtureOptions = {}): Promise<TabletFixture> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'hb-tablet-')));
  const host = options.host ?? '127.0.0.1';
  const text = `version: 1\ndataDir: ${JSON.stringify(dataDir)}\nserver:\n  host: ${JSON.stringify(host)}\n  port: ${options.port ?? 0}\n${options.yaml ?? 'audio: { backend: none }\n'}`;
  let daemon: Daemon;
  try {
    const loaded = parseConfig(text, path.join(dataDir, 'test.yaml'));
    daemon = new Daemon(loaded, { log: silentLogger(), tablet: { terminal: null, ...options.tablet }, ...options.daemon });
    // The protocol tests choose exactly which actions exist: drop the ones the daemon wires itself.
    daemon.tablet.setActions({
      learn: undefined,
      transport: undefined,
      calibrate: undefined,
      snapshotList: undefined,
      snapshotSave: undefined,
      snapshotRecall: undefined,
      snapshotAb: undefined,
      ...options.tablet?.actions,
    });
    options.setup?.(daemon);
    await daemon.start();
  } catch (err) {
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const port = Number(new URL(daemon.url).port);
  return {
    daemon,
    dataDir,
    port,
    base: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async token() {
      const { readFile } = await import('node:fs/promises');
      return (await readFile(path.join(dataDir, 'token'), 'utf8')).trim();
    },
    async cleanup() {
      await daemon.stop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request with exactly the path and headers given: no URL normalisation (fetch would
 * resolve `..`), any Host header. For traversal and Host/Origin tests.
 */
export function rawRequest(port: number, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: rawPath, headers: { host: `127.0.0.1:${port}`, ...headers }, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
