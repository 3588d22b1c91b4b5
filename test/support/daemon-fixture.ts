import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load-config.ts';
import { Daemon, type DaemonOptions } from '../../src/daemon.ts';
import { silentLogger } from '../../src/logger.ts';

export interface Fixture {
  daemon: Daemon;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** A real daemon on an ephemeral port and a fresh temporary data dir. */
export async function makeDaemon(yamlBody: string, options: Partial<DaemonOptions> = {}): Promise<Fixture> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hb-daemon-'));
  const text = `version: 1\ndataDir: ${JSON.stringify(dataDir)}\nserver:\n  host: 127.0.0.1\n  port: 0\n${yamlBody}`;
  const loaded = parseConfig(text, path.join(dataDir, 'test.yaml'));
  const daemon = new Daemon(loaded, { log: silentLogger(), ...options });
  return {
    daemon,
    dataDir,
    async cleanup() {
      await daemon.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(daemon: Daemon, method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(p, daemon.url), {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: await res.json() };
}
