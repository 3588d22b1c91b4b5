import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { calibrateCommand } from '../../src/commands/calibrate.ts';
import { silentLogger } from '../../src/logger.ts';
import { SnapshotStore } from '../../src/state/store/snapshot-store.ts';
import { tempDir } from '../devices/audio/audio-fixture.ts';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

/** A data dir whose lock names a live process (this one): the command takes a daemon to be running. */
async function holdDataDir(dir: string): Promise<void> {
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await writeFile(path.join(dir, 'data', 'daemon.lock'), `${process.pid}\n`);
}

async function config(dir: string, port = 0): Promise<string> {
  const file = path.join(dir, 'studio.yaml');
  await writeFile(
    file,
    [
      'version: 1',
      `dataDir: ${path.join(dir, 'data')}`,
      'server: { host: 127.0.0.1, port: ' + String(port) + ' }',
      'engine: { sampleRate: 48000, blockSize: 256 }',
      'audio:',
      '  backend: simulated',
      '  simulated: { latencySamples: 61, gainDb: -0.5, polarity: -1 }',
      '  calibration: { sweepMs: 300, maxLatencyMs: 50 }',
      '',
    ].join('\n'),
  );
  return file;
}

function fakeDaemon(answer: { status: number; body: unknown }): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, requests })));
}

describe('hybrid-bridge calibrate', () => {
  it('without a daemon: opens the interface, measures, prints JSON and stores the result per route', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const t = io();
      const code = await calibrateCommand({ config: await config(dir), json: true }, t.io, { pace: 'fast', env: {} });
      expect(t.err()).toBe('');
      expect(code).toBe(0);
      const answer = JSON.parse(t.out()) as Record<string, unknown>;
      expect(answer).toMatchObject({ latencySamples: 256 + 61, gainDb: -0.5, polarity: -1, confidence: 1 });
      const store = await SnapshotStore.open(path.join(dir, 'data', 'bridge.sqlite'), { log: silentLogger() });
      try {
        expect(store.listCalibrations()).toHaveLength(1);
        expect(store.listCalibrations()[0]).toMatchObject({ latencySamples: 317, gainDb: -0.5, polarity: -1 });
      } finally {
        store.close();
      }
      // The lock was released: a daemon can start afterwards.
      const again = io();
      expect(await calibrateCommand({ config: await config(dir) }, again.io, { pace: 'fast', env: {} })).toBe(0);
      expect(again.out()).toMatch(/^insert round trip 317 samples \(6\.60 ms at 48000 Hz\), gain -0\.50 dB, polarity inverted, confidence 1\.000/);
    } finally {
      cleanup();
    }
  });

  it('with a daemon holding the data dir: asks it over POST /api/calibrate', async () => {
    const { dir, cleanup } = tempDir();
    const { server, port, requests } = await fakeDaemon({ status: 200, body: { latencySamples: 1792, gainDb: 0.12, polarity: 1, confidence: 0.97 } });
    try {
      const file = await config(dir, port);
      await holdDataDir(dir);
      const t = io();
      expect(await calibrateCommand({ config: file, json: true }, t.io, { env: {} })).toBe(0);
      expect(requests).toEqual(['POST /api/calibrate']);
      expect(JSON.parse(t.out())).toEqual({ latencySamples: 1792, gainDb: 0.12, polarity: 1, confidence: 0.97 });
    } finally {
      server.close();
      cleanup();
    }
  });

  it("passes the daemon's failure code through and exits 1", async () => {
    const { dir, cleanup } = tempDir();
    const { server, port } = await fakeDaemon({ status: 422, body: { error: { code: 'E_CALIBRATION_NO_SIGNAL', message: 'nothing came back from the insert' } } });
    try {
      const file = await config(dir, port);
      await holdDataDir(dir);
      const t = io();
      expect(await calibrateCommand({ config: file }, t.io, { env: {} })).toBe(1);
      expect(t.err()).toBe('E_CALIBRATION_NO_SIGNAL: nothing came back from the insert\n');
    } finally {
      server.close();
      cleanup();
    }
  });

  it('an invalid config exits 2 with the problem', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'bad.yaml');
      await writeFile(file, 'version: 1\naudio:\n  channels: { monitor: [1, 2], insertSend: [2, 3] }\n');
      const t = io();
      expect(await calibrateCommand({ config: file }, t.io, { env: {} })).toBe(2);
      expect(t.err()).toMatch(/insertSend/);
    } finally {
      cleanup();
    }
  });
});
