import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ringPosition } from '../../src/devices/midi/mcu-protocol.ts';
import { normalise } from '../../src/params/taper.ts';
import { TestClient, type Json } from '../server/ws-test-client.ts';
import { requireTool } from '../support/require-tool.ts';
import { api, eventually, startStudio, type Studio } from './support/studio.ts';
import { allOnline, setParam, storeReaches, unitReaches, unitStats, unitValues } from './support/units.ts';
import { EQ_AND_XTOUCH, OUTBOARD_XTOUCH_MAP, SEQ4_GAIN_DB, stripText, type XTouchState } from './support/xtouch-map.ts';

/**
 * Issue 6 end to end: the simulated X-Touch (a firmware-sim process reached as network MIDI over a
 * Unix socket, moved through its control socket) bound to the simulated HB-SEQ4 stepped EQ (a
 * firmware-sim process on a socat pty) and HB-BC2 compressor (over TCP), through a real Daemon,
 * with real ws tablet clients. Every value is read back from the simulated unit itself.
 */
const socat = requireTool('socat');
const PARAM = 'outboard.eq1.ch1.band3.gainDb';
const THRESHOLD = 'outboard.comp1.thresholdDb';
const SENTINEL = 'outboard.eq1.ch1.band1.gainDb';

describe.skipIf(!socat.ok)(`the simulated X-Touch on the simulated outboard EQ and compressor ${socat.reason}`, () => {
  let s: Studio;
  const changes: { id: string; value: number; source: string }[] = [];

  const xtouch = async (): Promise<XTouchState> => (await s.surface('xtouch').send('state')).state as XTouchState;
  const paramMessages = (c: TestClient, from: number): Json[] => c.json.slice(from).filter((m) => m.type === 'param' && m.id === PARAM);
  const ringFor = (value: number): number => ringPosition('boostCut', normalise(s.daemon.store.spec(PARAM), value));

  /**
   * One V-Pot tick on `strip`, then wait until the daemon has handled it and the units have
   * acknowledged whatever it caused (a slow hand). MIDI from the X-Touch arrives in order: a
   * fader-1 move right behind the tick (absolute, so Shift does not change it), seen in the
   * store, means the tick was handled.
   */
  let sentinel = 4000;
  let sentinelChanges = 0;
  const slowTick = async (strip: number, ticks: number): Promise<void> => {
    const before = sentinelChanges;
    await s.surface('xtouch').send(`turn ${strip} ${ticks}`);
    await s.surface('xtouch').send(`move 1 ${sentinel}`);
    sentinel = sentinel === 4000 ? 12000 : 4000;
    await eventually('the sentinel fader move handled', () => sentinelChanges, (n) => n > before, 10_000);
    await Promise.all([s.daemon.outboard.manager.idle('comp1'), s.daemon.outboard.manager.idle('eq1')]);
  };

  beforeAll(async () => {
    s = await startStudio({ yaml: EQ_AND_XTOUCH, maps: { 'itest-xtouch': OUTBOARD_XTOUCH_MAP } });
    s.daemon.store.watch((cs, source) => {
      for (const c of cs) if (c.id === PARAM) changes.push({ id: c.id, value: c.value, source });
      if (source === 'surface:xtouch/fader1' && cs.some((c) => c.id === SENTINEL)) sentinelChanges++;
    });
    await allOnline(s, ['eq1', 'comp1']);
    await eventually('X-Touch online', () => s.daemon.stateView().devices.find((d) => d.id === 'xtouch')?.status, (v) => v === 'online');
    // First render done: the strip shows its label and the unit's value.
    await eventually('strip 3 rendered', xtouch, (x) => stripText(x, 3, 0) === 'L HiMid' && stripText(x, 3, 1) === '0 dB');
  }, 30_000);

  afterAll(async () => {
    await s?.cleanup();
  });

  it('V-Pot 3 +4 ticks moves the stepped gain 4 detents, the unit reports it, the tablet gets it from surface:xtouch, nothing bounces back', async () => {
    const tablet = await TestClient.hello(s.wsUrl, { client: 'itest-tablet' });
    try {
      const before = s.daemon.store.get(PARAM);
      const start = SEQ4_GAIN_DB.indexOf(before as (typeof SEQ4_GAIN_DB)[number]);
      expect(start).toBe(11); // 0 dB, the unit's default
      const target = SEQ4_GAIN_DB[start + 4] as number;
      const setsBefore = (await unitStats(s, 'EQ-0001')).setsIn;
      const from = tablet.json.length;
      changes.length = 0;

      await s.surface('xtouch').send('turn 3 4');

      // The unit itself reports the new detent, and so does the store.
      await unitReaches(s, 'EQ-0001', 'ch1.band3.gainDb', target);
      await storeReaches(s.daemon.store, PARAM, target);
      await s.daemon.outboard.manager.idle('eq1');
      expect(target).toBe(1);
      // One change per tick, one detent each, all from V-Pot 3; the unit's acknowledgements are not
      // turned into changes of their own (nothing comes back from outboard:eq1).
      expect(changes).toEqual(SEQ4_GAIN_DB.slice(start + 1, start + 5).map((value) => ({ id: PARAM, value, source: 'surface:xtouch/vpot3' })));
      // The unit was written (latest wins may coalesce ticks) and nothing else.
      const sets = (await unitStats(s, 'EQ-0001')).setsIn - setsBefore;
      expect(sets).toBeGreaterThanOrEqual(1);
      expect(sets).toBeLessThanOrEqual(4);
      const others = await unitValues(s, 'EQ-0001');
      expect(Object.entries(others).filter(([name, v]) => name !== 'ch1.band3.gainDb' && v !== s.daemon.store.get(`outboard.eq1.${name}`))).toEqual([]);

      // The tablet sees the turn, attributed to the surface.
      await tablet.waitFor((m) => m.type === 'param' && m.id === PARAM && m.value === target, from);
      const seen = paramMessages(tablet, from);
      expect(seen.map((m) => m.source)).toEqual(seen.map(() => 'surface:xtouch/vpot3'));
      expect(seen.at(-1)?.value).toBe(target);

      // The X-Touch shows the value on its scribble strip and ring: an MC-mode X-Touch has no local
      // ring indicator, the host draws it (reference §1.6). What must not come back is the turn
      // itself (checked above: no second change, no extra write, no other source).
      const x = await eventually('strip 3 shows 1 dB', xtouch, (st) => stripText(st, 3, 1) === '1 dB');
      expect(x.rings[2]).toEqual({ mode: 'boostCut', position: ringFor(target), centre: false });
      expect(x.assignment).toBe('OE');
      // Settled: nothing more arrives from anywhere (no echo loop between surface, store and unit).
      const settledSets = (await unitStats(s, 'EQ-0001')).setsIn;
      const settledChanges = changes.length;
      await s.daemon.outboard.manager.idle('eq1');
      await s.unit('EQ-0001').send('state'); // a round trip through the unit's process
      await s.surface('xtouch').send('state'); // and through the surface's
      expect((await unitStats(s, 'EQ-0001')).setsIn).toBe(settledSets);
      expect(changes.length).toBe(settledChanges);
    } finally {
      tablet.close();
    }
  }, 30_000);

  it('turning down past the last detent stops at -6 dB on the unit', async () => {
    await s.surface('xtouch').send('turn 3 -40');
    await unitReaches(s, 'EQ-0001', 'ch1.band3.gainDb', -6);
    await storeReaches(s.daemon.store, PARAM, -6);
    const x = await eventually('strip 3 shows -6 dB', xtouch, (st) => stripText(st, 3, 1) === '-6 dB');
    expect(x.rings[2]?.position).toBe(ringFor(-6));
  }, 30_000);

  it('changes from elsewhere (the front panel, a tablet) reach the X-Touch; the tablet that made a change does not get it back', async () => {
    const a = await TestClient.hello(s.wsUrl, { client: 'itest-a' });
    const b = await TestClient.hello(s.wsUrl, { client: 'itest-b' });
    try {
      // A hand on the unit's knob.
      let fromA = a.json.length;
      await s.unit('EQ-0001').send('panel ch1.band3.gainDb -2');
      await storeReaches(s.daemon.store, PARAM, -2);
      await a.waitFor((m) => m.type === 'param' && m.id === PARAM && m.value === -2 && m.source === 'outboard:eq1', fromA);
      let x = await eventually('strip 3 shows -2 dB', xtouch, (st) => stripText(st, 3, 1) === '-2 dB');
      expect(x.rings[2]?.position).toBe(ringFor(-2));

      // Tablet A turns it: the unit, the X-Touch and tablet B follow; A gets no echo.
      fromA = a.json.length;
      const fromB = b.json.length;
      const ack = await a.request({ type: 'param.set', id: PARAM, value: 2.5 });
      expect(ack).toMatchObject({ type: 'param.ack', id: PARAM, value: 2.5 });
      await unitReaches(s, 'EQ-0001', 'ch1.band3.gainDb', 2.5);
      await b.waitFor((m) => m.type === 'param' && m.id === PARAM && m.value === 2.5 && m.source === `tablet:${a.clientId}`, fromB);
      x = await eventually('strip 3 shows 2.5 dB', xtouch, (st) => stripText(st, 3, 1) === '2.5 dB');
      expect(x.rings[2]?.position).toBe(ringFor(2.5));
      await s.daemon.outboard.manager.idle('eq1');
      // A round trip: everything the daemon sent A before this pong has arrived.
      const pingFrom = a.json.length;
      a.send({ type: 'ping', ref: 'sync' });
      await a.waitFor((m) => m.type === 'pong' && m.ref === 'sync', pingFrom);
      expect(paramMessages(a, fromA)).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  }, 30_000);

  it('V-Pot 8 (coarse) moves the continuous compressor threshold on the unit by the default step', async () => {
    const start = s.daemon.store.get(THRESHOLD);
    expect(start).toBe(-10);
    await s.surface('xtouch').send('turn 8 -3'); // 3 x 1 % of 30 dB
    await unitReaches(s, 'BC-0001', 'thresholdDb', -10.9);
    await storeReaches(s.daemon.store, THRESHOLD, -10.9);
    await s.surface('xtouch').send('turn 8 3');
    await unitReaches(s, 'BC-0001', 'thresholdDb', -10);
  }, 30_000);

  // Regression: a unit acknowledges a continuous value at its wire resolution (0.1 dB); the
  // store rounds to that resolution itself, so the V-Pot's accumulator is not reset by the
  // acknowledgement and slow fine ticks add up.
  it('Shift + V-Pot 8, turned slowly (one tick at a time), fine-tunes the compressor threshold on the unit', async () => {
    const xt = s.surface('xtouch');
    const store = s.daemon.store;
    expect(store.get(THRESHOLD)).toBe(-10);
    await xt.send('press shift');
    try {
      for (let i = 0; i < 10; i++) await slowTick(8, -1);
    } finally {
      await xt.send('release shift');
    }
    // Ten fine ticks of 0.03 dB: -10.3 dB at the unit's 0.1 dB resolution.
    const reached = (await unitValues(s, 'BC-0001')).thresholdDb as number;
    expect(reached).toBeCloseTo(-10.3, 6);
    expect(store.get(THRESHOLD)).toBeCloseTo(-10.3, 6);
  }, 30_000);

  it("the X-Touch's Save and F1/F2 keys save versions of the current track and recall them onto the unit", async () => {
    const snapshotsOfTrack = async (): Promise<{ id: number; name: string }[]> => {
      const r = await api(s, 'GET', '/api/projects');
      const projects = (r.json as { projects: { name: string; tracks: { name: string; snapshots: { id: number; name: string }[] }[] }[] }).projects;
      return projects.find((p) => p.name === 'Session')?.tracks.find((t) => t.name === 'Track 1')?.snapshots ?? [];
    };
    const xt = s.surface('xtouch');
    const before = (await snapshotsOfTrack()).length;
    await setParam(s, 'outboard.eq1.ch1.band1.gainDb', 0);
    await unitReaches(s, 'EQ-0001', 'ch1.band1.gainDb', 0);
    await xt.send('turn 1 2'); // Ch1 low gain: 0 -> +0.5 dB
    await unitReaches(s, 'EQ-0001', 'ch1.band1.gainDb', 0.5);
    await xt.send('click save');
    await eventually('version 1 saved', snapshotsOfTrack, (list) => list.length === before + 1);
    await xt.send('turn 1 3'); // -> +1.5 dB
    await unitReaches(s, 'EQ-0001', 'ch1.band1.gainDb', 1.5);
    await xt.send('click save');
    await eventually('version 2 saved', snapshotsOfTrack, (list) => list.length === before + 2);
    await xt.send('turn 1 -7'); // -> -0.5 dB, not saved
    await unitReaches(s, 'EQ-0001', 'ch1.band1.gainDb', -0.5);

    await xt.send('click f1');
    await unitReaches(s, 'EQ-0001', 'ch1.band1.gainDb', 0.5);
    await eventually('strip 1 shows the recalled value', xtouch, (x) => stripText(x, 1, 1) === '0.5 dB');
    await eventually('recall finished', () => s.daemon.session.getSnapshot().matches({ ready: { recall: 'idle' } }), Boolean);
    expect(s.daemon.session.getSnapshot().context.recall.outcome?.status).toBe('verified');
    await xt.send('click f2');
    await unitReaches(s, 'EQ-0001', 'ch1.band1.gainDb', 1.5);
    await eventually('strip 1 shows version 2', xtouch, (x) => stripText(x, 1, 1) === '1.5 dB');
    expect(s.daemon.store.get('outboard.eq1.ch1.band1.gainDb')).toBe(1.5);
  }, 30_000);
});
