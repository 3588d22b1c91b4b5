import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { Daemon } from '../../src/daemon.ts';
import { silentLogger } from '../../src/logger.ts';
import { api, makeDaemon, type Fixture } from '../support/daemon-fixture.ts';

const register = (d: Daemon) =>
  d.store.register([
    { id: 'eq.band2.gainDb', label: 'Gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0 },
    { id: 'comp.thresholdDb', label: 'Thr', kind: 'continuous', unit: 'dB', min: -60, max: 0, default: -20 },
  ]);

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

describe('snapshots over HTTP', () => {
  it('saves, lists, diffs and recalls through the session machine (verified)', async () => {
    fx = await makeDaemon('audio: { backend: none }\n');
    const d = fx.daemon;
    register(d);
    await d.start();
    d.store.set('eq.band2.gainDb', 2.5, 'api');
    const a = await api(d, 'POST', '/api/snapshots', { project: 'Album', track: '03 Night', name: 'v1' });
    expect(a.status).toBe(200);
    d.store.set('eq.band2.gainDb', -1, 'api');
    d.store.set('comp.thresholdDb', -12, 'api');
    const b = await api(d, 'POST', '/api/snapshots', { project: 'Album', track: '03 Night', name: 'v2', note: 'more glue' });
    const idA = (a.json as { id: number }).id;
    const idB = (b.json as { id: number }).id;

    const list = (await api(d, 'GET', '/api/projects')).json as { projects: { name: string; tracks: { name: string; snapshots: { name: string }[] }[] }[] };
    expect(list.projects.map((p) => p.name)).toEqual(['Album']);
    expect(list.projects[0]?.tracks[0]?.snapshots.map((s) => s.name)).toEqual(['v1', 'v2']);

    const diff = (await api(d, 'GET', `/api/snapshots/${idA}/diff/${idB}`)).json as { differences: { id: string; a: unknown; b: unknown }[] };
    expect(diff.differences).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'eq.band2.gainDb', a: 2.5, b: -1 }), expect.objectContaining({ id: 'comp.thresholdDb', a: -20, b: -12 })]),
    );

    const sources: string[] = [];
    d.store.watch((_c, source) => sources.push(source));
    const r = await api(d, 'POST', `/api/snapshots/${idA}/recall`);
    expect(r.status).toBe(200);
    const report = r.json as { status: string; params: { id: string; expected: number; actual: number; result: string }[] };
    expect(report.status).toBe('verified');
    expect(report.params).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'eq.band2.gainDb', expected: 2.5, actual: 2.5, result: 'matched' })]),
    );
    expect(d.store.get('eq.band2.gainDb')).toBe(2.5);
    expect(d.store.get('comp.thresholdDb')).toBe(-20);
    expect(sources).toEqual(['recall']);
    expect(d.session.getSnapshot().matches({ ready: { recall: 'idle' } })).toBe(true);
  });

  it('answers 404 for unknown snapshots and 400 for a bad body, changing nothing', async () => {
    fx = await makeDaemon('audio: { backend: none }\n');
    await fx.daemon.start();
    expect((await api(fx.daemon, 'POST', '/api/snapshots/999/recall')).json).toMatchObject({ error: { code: 'E_STORE_NOT_FOUND' } });
    expect((await api(fx.daemon, 'GET', '/api/snapshots/abc')).status).toBe(404);
    const bad = await api(fx.daemon, 'POST', '/api/snapshots', { project: 'A', track: '', name: 'x' });
    expect(bad.status).toBe(400);
    expect(((await api(fx.daemon, 'GET', '/api/projects')).json as { projects: unknown[] }).projects).toEqual([]);
  });

  it('resumes the live session (parameter values) after a restart', async () => {
    fx = await makeDaemon('audio: { backend: none }\n');
    register(fx.daemon);
    await fx.daemon.start();
    fx.daemon.store.set('eq.band2.gainDb', 4.25, 'api');
    await fx.daemon.stop();
    const again = new Daemon(parseConfig(`version: 1\ndataDir: ${JSON.stringify(fx.dataDir)}\nserver: { port: 0 }\naudio: { backend: none }\n`, 'x.yaml'), {
      log: silentLogger(),
    });
    register(again);
    try {
      await again.start();
      expect(again.store.get('eq.band2.gainDb')).toBe(4.25);
    } finally {
      await again.stop();
    }
  });
});
