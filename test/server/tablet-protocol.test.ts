import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/errors.ts';
import { decodeMeterFrame, readFrameHeader, type MetersLayout } from '../../src/server/ws/meter-frame.ts';
import type { TabletActions } from '../../src/server/ws/tablet-actions.ts';
import { SyntheticMeterFeed } from './synthetic-meter-feed.ts';
import { startTabletDaemon, TEST_PARAMS, type TabletFixture } from './tablet-fixture.ts';
import { TestClient, type Json } from './ws-test-client.ts';

let fx: TabletFixture | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fx?.cleanup();
  fx = undefined;
});

async function hello(url = fx!.wsUrl, extra: Record<string, unknown> = {}): Promise<TestClient> {
  const c = await TestClient.hello(url, extra);
  clients.push(c);
  return c;
}

async function open(url = fx!.wsUrl, options = {}): Promise<TestClient> {
  const c = await TestClient.open(url, options);
  clients.push(c);
  return c;
}

const withParams = { setup: (d: TabletFixture['daemon']) => d.store.register([...TEST_PARAMS]) };

/** A round trip that proves everything sent to `c` before it has arrived (one socket is ordered). */
async function barrier(c: TestClient): Promise<void> {
  // A repeated hello is refused with an error and changes nothing: a harmless round trip.
  const r = await c.request({ type: 'hello', protocol: 1 });
  expect(r).toMatchObject({ type: 'error', request: 'hello' });
}

describe('tablet protocol: handshake', () => {
  it('answers hello with welcome, state and the full parameter list, in that order', async () => {
    fx = await startTabletDaemon(withParams);
    const c = await hello();
    expect(c.json.map((m) => m.type)).toEqual(['welcome', 'state', 'params']);
    const [welcome, state, params] = c.json as [Json, Json, Json];
    expect(welcome).toMatchObject({ protocol: 1, tokenRequired: false, meters: { maxFps: 60, available: false } });
    expect(welcome.clientId).toMatch(/^[0-9a-f]{8}$/);
    expect(state).toMatchObject({
      state: { ready: { devices: {}, health: 'healthy' } },
      devices: [],
      actions: { learn: false, transport: false, snapshots: false, calibrate: false },
    });
    const list = params.params as { id: string; value: number; steps: unknown }[];
    expect(list.map((p) => p.id)).toEqual(TEST_PARAMS.map((p) => p.id));
    expect(list.find((p) => p.id === 'outboard.eq1.lowFreqHz')).toMatchObject({ value: 60, steps: [20, 33, 60, 100], kind: 'stepped' });
  });

  it('refuses requests before hello with E_WS_BAD_MESSAGE, and a second hello', async () => {
    fx = await startTabletDaemon(withParams);
    const c = await open();
    const r = await c.request({ type: 'param.set', id: 'eq.band2.gainDb', value: 3 });
    expect(r).toMatchObject({ type: 'error', code: 'E_WS_BAD_MESSAGE', request: 'param.set' });
    expect(fx.daemon.store.get('eq.band2.gainDb')).toBe(0);
    c.send({ type: 'hello', protocol: 1 });
    await c.waitFor((m) => m.type === 'params');
    const again = await c.request({ type: 'hello', protocol: 1 });
    expect(again).toMatchObject({ type: 'error', code: 'E_WS_BAD_MESSAGE', request: 'hello' });
  });

  it('closes with 4400 after E_WS_PROTOCOL_VERSION for an unknown protocol', async () => {
    fx = await startTabletDaemon();
    const c = await open();
    c.send({ type: 'hello', protocol: 2 });
    expect(await c.waitClosed()).toBe(4400);
    expect(c.json).toEqual([expect.objectContaining({ type: 'error', code: 'E_WS_PROTOCOL_VERSION' })]);
  });

  it('closes a connection that never says hello with 4408', async () => {
    fx = await startTabletDaemon({ tablet: { helloTimeoutMs: 50 } });
    const c = await open();
    expect(await c.waitClosed()).toBe(4408);
    expect(c.json).toEqual([]);
  });

  it('refuses an upgrade on another path', async () => {
    fx = await startTabletDaemon();
    await expect(TestClient.open(`ws://127.0.0.1:${fx.port}/other`)).rejects.toThrow('upgrade refused: 404');
  });
});

describe('tablet protocol: pairing token', () => {
  it('in token mode: no token or a wrong one closes 4401 with nothing else said; the right one in hello, ?token= or Bearer is welcome', async () => {
    fx = await startTabletDaemon({ ...withParams, tablet: { requireToken: true } });
    const token = await fx.token();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const none = await open();
    none.send({ type: 'hello', protocol: 1 });
    expect(await none.waitClosed()).toBe(4401);
    const wrong = await open();
    wrong.send({ type: 'hello', protocol: 1, token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') });
    expect(await wrong.waitClosed()).toBe(4401);
    // Anything else before a good hello is also 4401, and changes nothing.
    const sneaky = await open();
    sneaky.send({ type: 'param.set', id: 'eq.band2.gainDb', value: 5 });
    expect(await sneaky.waitClosed()).toBe(4401);
    const garbage = await open();
    garbage.send('{nope');
    expect(await garbage.waitClosed()).toBe(4401);
    for (const c of [none, wrong, sneaky, garbage]) {
      expect(c.json).toEqual([]);
      expect(c.frames).toEqual([]);
    }
    expect(fx.daemon.store.get('eq.band2.gainDb')).toBe(0);

    const inHello = await hello(fx.wsUrl, { token });
    expect(inHello.json[0]).toMatchObject({ type: 'welcome', tokenRequired: true });
    const inQuery = await hello(`${fx.wsUrl}?token=${encodeURIComponent(token)}`);
    expect(inQuery.json[0]).toMatchObject({ type: 'welcome' });
    const c = await TestClient.hello(fx.wsUrl, {}, { headers: { authorization: `Bearer ${token}` } });
    clients.push(c);
    expect(c.json[0]).toMatchObject({ type: 'welcome' });
    // A wrong token in hello wins over a right one in the URL: the client said what it has.
    const mixed = await open(`${fx.wsUrl}?token=${token}`);
    mixed.send({ type: 'hello', protocol: 1, token: 'x'.repeat(43) });
    expect(await mixed.waitClosed()).toBe(4401);
  });

  it('binding 0.0.0.0 is token mode without any option', async () => {
    fx = await startTabletDaemon({ host: '0.0.0.0' });
    expect(fx.daemon.tablet.tokenRequired).toBe(true);
    const c = await open();
    c.send({ type: 'hello', protocol: 1 });
    expect(await c.waitClosed()).toBe(4401);
    const ok = await hello(fx.wsUrl, { token: await fx.token() });
    expect(ok.json[0]).toMatchObject({ type: 'welcome', tokenRequired: true });
  });
});

describe('tablet protocol: parameters', () => {
  it('param.set stores with source tablet:<clientId>; others get `param`, the sender is not echoed', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const b = await hello();
    const seen: { id: string; value: number; source: string }[] = [];
    fx.daemon.store.on('change', (ch) => seen.push({ id: ch.id, value: ch.value, source: ch.source }));
    const aFrom = a.json.length;
    a.send({ type: 'param.set', id: 'outboard.eq1.gainDb', value: 4.5 });
    const onB = await b.waitFor((m) => m.type === 'param');
    expect(onB).toEqual({ type: 'param', id: 'outboard.eq1.gainDb', value: 4.5, source: `tablet:${a.clientId}` });
    expect(seen).toEqual([{ id: 'outboard.eq1.gainDb', value: 4.5, source: `tablet:${a.clientId}` }]);
    expect(fx.daemon.store.get('outboard.eq1.gainDb')).toBe(4.5);
    await barrier(a);
    expect(a.json.slice(aFrom).filter((m) => m.type === 'param' || m.type === 'param.ack')).toEqual([]);
  });

  it('answers param.ack with the stored value when the store snapped it, or when asked with a ref', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const from = a.json.length;
    a.send({ type: 'param.set', id: 'outboard.eq1.lowFreqHz', value: 40 });
    expect(await a.waitFor((m) => m.type === 'param.ack', from)).toEqual({ type: 'param.ack', id: 'outboard.eq1.lowFreqHz', value: 33 });
    expect(await a.request({ type: 'param.set', id: 'comp.bypass', value: true }, 7)).toEqual({ type: 'param.ack', id: 'comp.bypass', value: 1, ref: 7 });
    expect(fx.daemon.store.get('comp.bypass')).toBe(1);
  });

  it('refuses unknown ids, values out of range and non-numbers with the store codes; nothing changes', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    expect(await a.request({ type: 'param.set', id: 'eq.band9.gainDb', value: 1 })).toMatchObject({ type: 'error', code: 'E_PARAM_UNKNOWN', request: 'param.set' });
    expect(await a.request({ type: 'param.set', id: 'eq.band2.gainDb', value: 99 })).toMatchObject({ type: 'error', code: 'E_PARAM_RANGE' });
    expect(await a.request({ type: 'param.set', id: 'eq.band2.gainDb', value: 'loud' })).toMatchObject({ type: 'error', code: 'E_WS_BAD_MESSAGE' });
    expect(await a.request({ type: 'param.set', id: 'eq.band2.gainDb', value: true })).toMatchObject({ type: 'error', code: 'E_PARAM_TYPE' });
    expect(fx.daemon.store.get('eq.band2.gainDb')).toBe(0);
  });

  it('pushes changes from other sources (a surface) to every tablet, batches as param.batch', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const b = await hello();
    fx.daemon.store.set('eq.band2.gainDb', -3, 'surface:xt');
    for (const c of [a, b]) expect(await c.waitFor((m) => m.type === 'param')).toEqual({ type: 'param', id: 'eq.band2.gainDb', value: -3, source: 'surface:xt' });
    fx.daemon.store.setMany({ 'eq.band2.gainDb': 2, 'outboard.eq1.lowFreqHz': 100 }, 'recall');
    expect(await b.waitFor((m) => m.type === 'param.batch')).toEqual({
      type: 'param.batch',
      source: 'recall',
      changes: [
        { id: 'eq.band2.gainDb', value: 2 },
        { id: 'outboard.eq1.lowFreqHz', value: 100 },
      ],
    });
  });

  it('sends the full list again when parameters are registered or removed', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const from = a.json.length;
    fx.daemon.store.register({ id: 'outboard.comp1.ratio', label: 'Ratio', kind: 'stepped', unit: ':1', min: 2, max: 10, default: 4, steps: [2, 4, 10] });
    const p = await a.waitFor((m) => m.type === 'params', from);
    expect((p.params as { id: string }[]).map((x) => x.id)).toContain('outboard.comp1.ratio');
    const from2 = a.json.length;
    fx.daemon.store.unregister('outboard.');
    const p2 = await a.waitFor((m) => m.type === 'params', from2);
    expect((p2.params as { id: string }[]).some((x) => x.id.startsWith('outboard.'))).toBe(false);
  });
});

describe('tablet protocol: session state', () => {
  it('pushes `state` when a device changes status, with its reason', async () => {
    fx = await startTabletDaemon({
      yaml: 'outboard:\n  - { id: eq1, profile: stepped-eq, serial: S1, port: sim }\naudio: { backend: none }\n',
      daemon: { buildParts: () => [] },
    });
    const a = await hello();
    expect((a.json[1] as Json).devices).toEqual([{ id: 'eq1', kind: 'outboard', status: 'absent', reason: '' }]);
    const from = a.json.length;
    fx.daemon.hub.report('eq1', 'reconnecting', 'no identity reply');
    const s = await a.waitFor((m) => m.type === 'state' && (m.devices as { status: string }[])[0]?.status === 'reconnecting', from);
    expect(s.devices).toEqual([{ id: 'eq1', kind: 'outboard', status: 'reconnecting', reason: 'no identity reply' }]);
    expect(s.state).toMatchObject({ ready: { devices: { eq1: 'reconnecting' } } });
  });
});

describe('tablet protocol: meters', () => {
  it('streams meters.layout then binary frames that decode to the published snapshot, only the sections asked for', async () => {
    const feed = new SyntheticMeterFeed({ bands: 8 });
    fx = await startTabletDaemon({ tablet: { meters: feed } });
    const a = await hello();
    expect((a.json[0] as Json).meters).toMatchObject({ available: true, sections: ['loudness', 'stages', 'gainReduction', 'phase', 'spectrum'] });
    expect(await a.request({ type: 'subscribe', meters: ['loudness', 'stages', 'gainReduction', 'phase', 'spectrum'], fps: 60 })).toMatchObject({
      type: 'result',
      data: { fps: 60, available: true },
    });
    const snap = feed.publish();
    const [frame] = await a.waitForFrames(1);
    const layoutMsg = a.json.find((m) => m.type === 'meters.layout') as unknown as MetersLayout & Json;
    expect(a.all.indexOf(layoutMsg)).toBeLessThan(a.all.indexOf(frame!));
    expect(layoutMsg.stages).toEqual([
      { id: 'input', channels: 2 },
      { id: 'insertReturn', channels: 2 },
      { id: 'output', channels: 2 },
    ]);
    expect(layoutMsg.gainReduction).toEqual(['comp', 'limiter', 'outboard.comp1']);
    expect(layoutMsg.spectrumHz).toHaveLength(8);
    const d = decodeMeterFrame(frame!, layoutMsg);
    expect(d).toMatchObject({ version: 1, kind: 1, seq: snap.seq, timeS: snap.timeS });
    expect(d.loudness!.momentaryLufs).toBeCloseTo(snap.loudness.momentaryLufs, 4);
    expect(d.loudness!.truePeakDbtp).toBeCloseTo(snap.loudness.truePeakDbtp, 4);
    expect(d.stages![2]!.peakDb[1]).toBeCloseTo(snap.stages[2]!.peakDb[1]!, 4);
    expect(d.gainReduction!.map((g) => g.id)).toEqual(['comp', 'limiter', 'outboard.comp1']);
    expect(d.gainReduction![2]!.db).toBeCloseTo(snap.gainReduction[2]!.db, 4);
    expect(d.correlation).toBeCloseTo(snap.correlation, 4);
    expect(d.spectrumDb![7]).toBeCloseTo(snap.spectrumDb[7]!, 3);

    // Only loudness: a 40 + 40 byte frame.
    await a.request({ type: 'subscribe', meters: ['loudness'], fps: 60 });
    feed.publish();
    const [, small] = await a.waitForFrames(2);
    expect(small!.length).toBe(80);
    expect(decodeMeterFrame(small!, layoutMsg).stages).toBeUndefined();

    // [] stops the frames.
    await a.request({ type: 'subscribe', meters: [], fps: 30 });
    for (let i = 0; i < 5; i++) feed.publish();
    await barrier(a);
    expect(a.frames).toHaveLength(2);
  });

  it('sends a new layout when the stages change, before the first frame that uses it', async () => {
    let nowMs = 5_000;
    const feed = new SyntheticMeterFeed({ bands: 4 });
    fx = await startTabletDaemon({ tablet: { meters: feed, now: () => nowMs } });
    const a = await hello();
    await a.request({ type: 'subscribe', meters: ['stages', 'gainReduction'], fps: 60 });
    feed.publish();
    await a.waitForFrames(1);
    nowMs += 20;
    const snap = feed.make();
    feed.publish({ ...snap, gainReduction: [...snap.gainReduction, { id: 'outboard.comp2', db: 1.5 }], seq: snap.seq });
    const [, second] = await a.waitForFrames(2);
    const layouts = a.json.filter((m) => m.type === 'meters.layout') as unknown as (MetersLayout & Json)[];
    expect(layouts.map((l) => l.layoutId)).toEqual([1, 2]);
    expect(readFrameHeader(second!).layoutId).toBe(2);
    expect(decodeMeterFrame(second!, layouts[1]!).gainReduction!.at(-1)).toEqual({ id: 'outboard.comp2', db: 1.5 });
  });

  it('paces each client at its own frame rate (clock injected: no timing in the test)', async () => {
    let nowMs = 1_000_000;
    const feed = new SyntheticMeterFeed({ bands: 2 });
    fx = await startTabletDaemon({ tablet: { meters: feed, now: () => nowMs } });
    const fast = await hello();
    const slow = await hello();
    await fast.request({ type: 'subscribe', meters: ['loudness'], fps: 60 });
    await slow.request({ type: 'subscribe', meters: ['loudness'], fps: 15 });
    for (let i = 0; i < 60; i++) {
      feed.publish();
      nowMs += 1000 / 60;
    }
    await barrier(fast);
    await barrier(slow);
    expect(fast.frames).toHaveLength(60);
    expect(slow.frames).toHaveLength(15);
    expect(slow.frames.map((f) => readFrameHeader(f).seq).slice(0, 3)).toEqual([1, 5, 9]);
  });

  it('refuses fps above 60 and unknown sections', async () => {
    fx = await startTabletDaemon();
    const a = await hello();
    expect(await a.request({ type: 'subscribe', meters: ['loudness'], fps: 120 })).toMatchObject({ type: 'error', code: 'E_WS_BAD_MESSAGE' });
    expect(await a.request({ type: 'subscribe', meters: ['vu'], fps: 30 })).toMatchObject({ type: 'error', code: 'E_WS_BAD_MESSAGE' });
  });

  it('can get its feed later (the engine starts after the server)', async () => {
    fx = await startTabletDaemon();
    const a = await hello();
    await a.request({ type: 'subscribe', meters: ['phase'], fps: 60 });
    const feed = new SyntheticMeterFeed();
    fx.daemon.tablet.setMeterFeed(feed);
    feed.publish({ correlation: -0.5 });
    const [f] = await a.waitForFrames(1);
    expect(f!.length).toBe(48);
    expect(f!.readFloatLE(40)).toBe(-0.5);
    fx.daemon.tablet.setMeterFeed(undefined);
    expect(feed.listeners).toBe(0);
  });
});

describe('tablet protocol: actions', () => {
  it('answers every action with E_WS_ACTION_UNAVAILABLE while no part provides it', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const requests = [
      { type: 'param.learn', id: 'eq.band2.gainDb' },
      { type: 'transport.play' },
      { type: 'transport.stop' },
      { type: 'transport.print' },
      { type: 'transport.locate', positionS: 12.5 },
      { type: 'snapshot.list' },
      { type: 'snapshot.save', name: 'v1' },
      { type: 'snapshot.recall', id: 3 },
      { type: 'snapshot.ab', side: 'toggle' },
      { type: 'calibrate' },
    ];
    for (const r of requests) {
      expect(await a.request(r)).toMatchObject({ type: 'error', code: 'E_WS_ACTION_UNAVAILABLE', request: r.type });
    }
  });

  it('runs provided actions: results, their BridgeError codes, E_WS_ACTION_FAILED for a crash, learn cancel and disconnect abort', async () => {
    fx = await startTabletDaemon(withParams);
    const calls: unknown[] = [];
    const learnSignals: AbortSignal[] = [];
    const actions: Partial<TabletActions> = {
      transport: async (cmd, ctx) => {
        calls.push([cmd, ctx.source]);
        return { transport: cmd.command === 'play' ? 'playing' : 'stopped' };
      },
      snapshotList: async () => [{ id: 1, name: 'v1' }],
      snapshotSave: async (req) => ({ id: 2, name: req.name }),
      snapshotRecall: async (req) => {
        throw new BridgeError('E_STORE_NOT_FOUND', `no snapshot ${req.id}`);
      },
      snapshotAb: async (req) => ({ active: req.side === 'toggle' ? 'a' : req.side }),
      calibrate: async () => {
        throw new TypeError('boom');
      },
      learn: (paramId, ctx) =>
        new Promise((_resolve, reject) => {
          learnSignals.push(ctx.signal);
          calls.push(['learn', paramId, ctx.source]);
          ctx.signal.addEventListener('abort', () => reject(new BridgeError('E_LEARN_TIMEOUT', 'learn cancelled')));
        }),
    };
    fx.daemon.tablet.setActions(actions);
    const a = await hello();
    expect((a.json[1] as Json).actions).toEqual({ learn: true, transport: true, snapshots: true, calibrate: true });
    expect(await a.request({ type: 'transport.play' }, 'p')).toEqual({ type: 'result', request: 'transport.play', ref: 'p', data: { transport: 'playing' } });
    expect(await a.request({ type: 'transport.locate', positionS: 3 })).toMatchObject({ type: 'result' });
    expect(calls).toEqual([
      [{ command: 'play' }, `tablet:${a.clientId}`],
      [{ command: 'locate', positionS: 3 }, `tablet:${a.clientId}`],
    ]);
    expect((await a.request({ type: 'snapshot.list' })).data).toEqual([{ id: 1, name: 'v1' }]);
    expect((await a.request({ type: 'snapshot.save', name: 'final' })).data).toEqual({ id: 2, name: 'final' });
    expect(await a.request({ type: 'snapshot.recall', id: 9 })).toMatchObject({ type: 'error', code: 'E_STORE_NOT_FOUND', request: 'snapshot.recall' });
    expect((await a.request({ type: 'snapshot.ab', side: 'b' })).data).toEqual({ active: 'b' });
    const crash = await a.request({ type: 'calibrate' });
    expect(crash).toMatchObject({ type: 'error', code: 'E_WS_ACTION_FAILED' });
    expect(String(crash.message)).not.toContain('boom');

    expect(await a.request({ type: 'param.learn', id: 'nope.x' })).toMatchObject({ type: 'error', code: 'E_PARAM_UNKNOWN' });
    const from = a.json.length;
    a.send({ type: 'param.learn', id: 'eq.band2.gainDb', ref: 'L' });
    await barrier(a);
    expect(learnSignals).toHaveLength(1);
    expect(await a.request({ type: 'param.learn.cancel' })).toMatchObject({ type: 'result', data: { cancelled: 1 } });
    expect(await a.waitFor((m) => m.ref === 'L', from)).toMatchObject({ type: 'error', code: 'E_LEARN_TIMEOUT', request: 'param.learn' });

    const b = await hello();
    b.send({ type: 'param.learn', id: 'eq.band2.gainDb' });
    await barrier(b);
    expect(learnSignals).toHaveLength(2);
    expect(learnSignals[1]!.aborted).toBe(false);
    b.close();
    await b.closed;
    await new Promise<void>((resolve) => (learnSignals[1]!.aborted ? resolve() : learnSignals[1]!.addEventListener('abort', () => resolve())));
    expect(learnSignals[1]!.aborted).toBe(true);

    // Removing an action says so in the next state.
    const from2 = a.json.length;
    fx.daemon.tablet.setActions({ calibrate: undefined });
    expect((await a.waitFor((m) => m.type === 'state', from2)).actions).toMatchObject({ calibrate: false, learn: true });
  });
});

describe('tablet protocol: invalid input', () => {
  it('answers each bad message with a code and keeps serving it and the others', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const b = await hello();
    const bad: [unknown, string][] = [
      ['{not json', 'E_WS_BAD_MESSAGE'],
      ['null', 'E_WS_BAD_MESSAGE'],
      ['[1,2]', 'E_WS_BAD_MESSAGE'],
      [{ type: 'launch.missiles' }, 'E_WS_BAD_MESSAGE'],
      [{ type: 'param.set', id: 'eq.band2.gainDb' }, 'E_WS_BAD_MESSAGE'],
      [{ type: 'param.set', id: 'eq.band2.gainDb', value: 1, extra: 1 }, 'E_WS_BAD_MESSAGE'],
      [{ type: 'param.set', id: 'x'.repeat(300), value: 1 }, 'E_WS_BAD_MESSAGE'],
      [{ type: 'param.set', id: 'eq.band2.gainDb', value: 'x'.repeat(5000) }, 'E_WS_TOO_LARGE'],
      [{ type: 'transport.locate', positionS: -1 }, 'E_WS_BAD_MESSAGE'],
    ];
    for (const [msg, code] of bad) {
      const from = a.json.length;
      a.send(msg);
      expect(await a.waitFor((m) => m.type === 'error', from)).toMatchObject({ code });
    }
    const from = a.json.length;
    a.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.waitFor((m) => m.type === 'error', from)).toMatchObject({ code: 'E_WS_BAD_MESSAGE' });
    // The error echoes the request's ref when the message had one, even when it was invalid.
    expect(await a.request({ type: 'param.set', id: 7, value: 1 }, 'bad-1')).toMatchObject({ type: 'error', code: 'E_WS_BAD_MESSAGE', ref: 'bad-1', request: 'param.set' });

    a.send({ type: 'param.set', id: 'eq.band2.gainDb', value: 6 });
    expect(await b.waitFor((m) => m.type === 'param')).toMatchObject({ value: 6 });
  });

  it('closes only the sender of a message over 64 KiB (1009)', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const b = await hello();
    a.send('x'.repeat(70_000));
    expect(await a.waitClosed()).toBe(1009);
    expect(await b.request({ type: 'param.set', id: 'eq.band2.gainDb', value: 1 }, 'ok')).toMatchObject({ type: 'param.ack', value: 1 });
  });

  it('never crashes on arbitrary input: every message gets at most one answer and the connection stays usable', async () => {
    fx = await startTabletDaemon(withParams);
    const a = await hello();
    const arb = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.record({
        type: fc.constantFrom('hello', 'param.set', 'param.learn', 'subscribe', 'transport.locate', 'snapshot.ab', 'calibrate', 'snapshot.save'),
        id: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constantFrom('eq.band2.gainDb', 'comp.bypass')),
        value: fc.oneof(fc.double(), fc.boolean(), fc.string({ maxLength: 5 }), fc.constant(null)),
        fps: fc.integer({ min: -5, max: 100 }),
        meters: fc.array(fc.constantFrom('loudness', 'spectrum', 'bogus'), { maxLength: 3 }),
        side: fc.constantFrom('a', 'b', 'toggle', 'c'),
      }, { requiredKeys: ['type'] }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async (msg) => {
        a.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
        await barrier(a);
        expect(a.closeCode).toBeUndefined();
      }),
      { numRuns: 150 },
    );
    const spec = fx.daemon.store.spec('eq.band2.gainDb');
    const v = fx.daemon.store.get('eq.band2.gainDb');
    expect(v).toBeGreaterThanOrEqual(spec.min);
    expect(v).toBeLessThanOrEqual(spec.max);
  });
});
