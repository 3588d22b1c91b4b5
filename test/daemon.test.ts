import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonPart } from '../src/daemon.ts';
import { api, makeDaemon, type Fixture } from './support/daemon-fixture.ts';

const PARAMS = (d: Fixture['daemon']) =>
  d.store.register([
    { id: 'eq.band2.gainDb', label: 'Gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0 },
    { id: 'outboard.eq1.lowFreqHz', label: 'Low', kind: 'stepped', unit: 'Hz', min: 20, max: 100, default: 60, steps: [20, 33, 60, 100] },
  ]);

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

describe('daemon HTTP API', () => {
  it('serves health, state and parameters', async () => {
    fx = await makeDaemon('audio: { backend: none }\n');
    PARAMS(fx.daemon);
    await fx.daemon.start();
    expect(await api(fx.daemon, 'GET', '/healthz')).toEqual({ status: 200, json: { ok: true } });
    const state = (await api(fx.daemon, 'GET', '/api/state')).json as { state: unknown; devices: unknown[]; params: { id: string; steps: unknown }[] };
    expect(state.state).toEqual({ ready: { devices: {}, health: 'healthy', calibration: 'none', recall: 'idle', transport: 'stopped' } });
    expect(state.devices).toEqual([]);
    expect(state.params.map((p) => p.id)).toEqual(['eq.band2.gainDb', 'outboard.eq1.lowFreqHz']);
    expect(state.params[1]).toMatchObject({ kind: 'stepped', unit: 'Hz', min: 20, max: 100, default: 60, steps: [20, 33, 60, 100], value: 60 });
  });

  it('sets a parameter: 200 with the stored (quantised) value, 404 unknown, 422 bad value', async () => {
    fx = await makeDaemon('audio: { backend: none }\n');
    PARAMS(fx.daemon);
    await fx.daemon.start();
    const changes: { source: string }[] = [];
    fx.daemon.store.on('change', (c) => changes.push(c));
    expect(await api(fx.daemon, 'POST', '/api/params/outboard.eq1.lowFreqHz', { value: 40 })).toEqual({
      status: 200,
      json: { id: 'outboard.eq1.lowFreqHz', value: 33 },
    });
    expect(changes).toEqual([expect.objectContaining({ source: 'api', value: 33 })]);
    const unknown = await api(fx.daemon, 'POST', '/api/params/eq.band9.gainDb', { value: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 'E_PARAM_UNKNOWN' } });
    for (const bad of [{ value: 99 }, { value: 'loud' }, { nope: 1 }, '{not json']) {
      const r = await api(fx.daemon, 'POST', '/api/params/eq.band2.gainDb', bad);
      expect([r.status, (r.json as { error: { code: string } }).error.code]).toEqual(
        typeof bad === 'string' ? [400, 'E_HTTP_BAD_REQUEST'] : [422, (bad as { value?: unknown }).value === 99 ? 'E_PARAM_RANGE' : 'E_PARAM_TYPE'],
      );
    }
    expect(fx.daemon.store.get('eq.band2.gainDb')).toBe(0);
    const big = await api(fx.daemon, 'POST', '/api/params/eq.band2.gainDb', JSON.stringify({ value: 1, pad: 'x'.repeat(70_000) }));
    expect(big.status).toBe(413);
    expect((await api(fx.daemon, 'GET', '/api/nothing')).status).toBe(404);
  });

  it('reports configured devices with kind, status and reason', async () => {
    fx = await makeDaemon(
      'outboard:\n  - { id: eq1, profile: stepped-eq, serial: S1, port: sim }\nsurfaces:\n  - { id: xt, type: mcu, match: X-Touch, map: m }\naudio: { backend: simulated }\n',
      { buildParts: () => [] },
    );
    await fx.daemon.start();
    fx.daemon.hub.report('eq1', 'reconnecting', 'no identity reply');
    const state = (await api(fx.daemon, 'GET', '/api/state')).json as { state: { ready: { health: string } }; devices: unknown[] };
    expect(state.devices).toEqual([
      { id: 'eq1', kind: 'outboard', status: 'reconnecting', reason: 'no identity reply' },
      { id: 'xt', kind: 'surface', status: 'absent', reason: '' },
      { id: 'interface', kind: 'audio', status: 'absent', reason: '' },
    ]);
    expect(state.state.ready.health).toBe('degraded');
  });
});

describe('daemon lifecycle', () => {
  it('locks the data directory: a second daemon is refused with the pid of the first', async () => {
    fx = await makeDaemon('audio: { backend: none }\n');
    await fx.daemon.start();
    expect((await readFile(path.join(fx.dataDir, 'daemon.lock'), 'utf8')).trim()).toBe(String(process.pid));
    // The same data dir, held by a live process that is not us (pid 1 stands in for it).
    await writeFile(path.join(fx.dataDir, 'daemon.lock'), '1\n');
    const second = await makeDaemon('audio: { backend: none }\n');
    const loaded = { ...second.daemon.loaded };
    await second.cleanup();
    const { Daemon } = await import('../src/daemon.ts');
    const { silentLogger } = await import('../src/logger.ts');
    const other = new Daemon({ ...loaded, config: { ...loaded.config, dataDir: fx.dataDir } }, { log: silentLogger() });
    const err = await other.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_DATA_DIR_LOCKED', details: { pid: 1 } });
    expect((err as Error).message).toContain('pid 1');
    expect(other.session.getSnapshot().value).toBe('failed');
    await other.stop();
    await writeFile(path.join(fx.dataDir, 'daemon.lock'), `${process.pid}\n`);
  });

  it('takes over a stale lock left by a dead process', async () => {
    fx = await makeDaemon('audio: { backend: none }\n');
    await writeFile(path.join(fx.dataDir, 'daemon.lock'), '999999\n');
    await fx.daemon.start();
    expect(fx.daemon.session.getSnapshot().matches('ready')).toBe(true);
  });

  it('stops parts in reverse order, abandons a part that hangs, and releases the lock', async () => {
    const order: string[] = [];
    const part = (name: string, hang = false): DaemonPart => ({
      name,
      start: async () => void order.push(`start ${name}`),
      stop: () => {
        order.push(`stop ${name}`);
        return hang ? new Promise<void>(() => {}) : Promise.resolve();
      },
    });
    fx = await makeDaemon('audio: { backend: none }\n', { stopTimeoutMs: 200, buildParts: () => [part('a'), part('b', true), part('c')] });
    await fx.daemon.start();
    await fx.daemon.stop();
    expect(order).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    expect(fx.daemon.session.getSnapshot().value).toBe('stopped');
    await expect(readFile(path.join(fx.dataDir, 'daemon.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a part that fails to start fails the startup, and the parts already started are stopped', async () => {
    const order: string[] = [];
    fx = await makeDaemon('audio: { backend: none }\n', {
      buildParts: () => [
        { name: 'ok', start: async () => void order.push('start ok'), stop: async () => void order.push('stop ok') },
        {
          name: 'bad',
          start: async () => {
            throw new Error('no such port');
          },
          stop: async () => void order.push('stop bad'),
        },
      ],
    });
    await expect(fx.daemon.start()).rejects.toThrow('no such port');
    expect(order).toEqual(['start ok', 'stop ok']);
  });

  it('a device fault inside a guarded callback degrades that device, never the daemon', async () => {
    fx = await makeDaemon('outboard:\n  - { id: eq1, profile: p, serial: S1, port: sim }\naudio: { backend: none }\n', { buildParts: () => [] });
    await fx.daemon.start();
    fx.daemon.hub.report('eq1', 'online');
    const onData = fx.daemon.hub.guard('eq1', () => {
      throw new Error('frame handler bug');
    });
    onData();
    const view = fx.daemon.stateView();
    expect(view.devices).toEqual([{ id: 'eq1', kind: 'outboard', status: 'reconnecting', reason: 'fault: frame handler bug' }]);
    expect((await api(fx.daemon, 'GET', '/healthz')).status).toBe(200);
  });
});
