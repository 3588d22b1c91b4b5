import { describe, expect, it } from 'vitest';
import { CcControllerSim } from '../../firmware-sim/surfaces/cc-controller.ts';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import { FakeMidiWorld } from '../../src/devices/midi/fake-midi-binding.ts';
import { isBridgeError } from '../../src/errors.ts';
import { ParamStore } from '../../src/params/param-store.ts';
import { TEST_XTOUCH_MAP, plugSim, rig, surfaceConfig, testParams, turns, until } from './surface-helpers.ts';

const KNOBS = `
version: 1
type: midi
bindings:
  - { control: cc:0:16, param: eq.band1.gainDb, encoding: twosComplement, step: 1 }
`;

describe('SurfaceManager', () => {
  it('a MIDI bus that cannot start: surfaces are absent with the one-line reason, the manager runs; the bus coming back connects them', async () => {
    const midiWorld = new FakeMidiWorld({ unavailable: 'MIDI unavailable: Failed to initialise RtMidi' });
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP }, midiWorld });
    try {
      await r.manager.start();
      expect(r.manager.surfaces()[0]).toMatchObject({ id: 'xtouch', type: 'mcu', status: 'absent', reason: 'MIDI unavailable: Failed to initialise RtMidi', ports: [] });
      expect(r.statuses).toEqual([{ id: 'xtouch', status: 'absent', reason: 'MIDI unavailable: Failed to initialise RtMidi' }]);
      await r.manager.rescan();
      expect(r.statuses).toHaveLength(1); // reported once, not at every poll
      midiWorld.setUnavailable(undefined);
      plugSim(midiWorld, 'X-Touch', new XTouchSim());
      await r.manager.rescan();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
    } finally {
      await r.close();
    }
  });

  it('map errors reject start with E_SURFACE_MAP and file:line, for every surface at once', async () => {
    const r = await rig({
      surfaces: [surfaceConfig({ id: 'a', type: 'midi', match: 'A', map: 'bad' }), surfaceConfig({ id: 'b', type: 'mcu', match: 'B', map: 'missing' })],
      maps: { bad: 'version: 1\ntype: midi\nbindings:\n  - { control: cc:0:1, param: eq.band1.gainDb, takeover: soft }\n' },
    });
    try {
      const err = await r.manager.start().catch((e: unknown) => e);
      expect(isBridgeError(err, 'E_SURFACE_MAP')).toBe(true);
      const lines = (err as Error).message.split('\n');
      expect(lines[0]).toMatch(/bad\.yaml:4:\d+ {2}bindings\.0\.takeover /);
      expect(lines[1]).toMatch(/missing\.yaml: cannot read surface map \(ENOENT\)/);
    } finally {
      await r.close();
    }
  });

  it('parameters registered after start (an outboard unit connecting) become live on the surface', async () => {
    const store = new ParamStore();
    store.register(testParams().filter((p) => !p.id.startsWith('outboard.')));
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP }, store });
    const sim = new XTouchSim();
    plugSim(r.midiWorld, 'X-Touch', sim);
    try {
      await r.manager.start();
      expect(r.manager.surfaces()[0]?.unknownParams).toEqual(['outboard.eq1.ch1.band3.gainDb']);
      sim.press(0x2f);
      await until(() => sim.assignment() === 'CP', 'comp page');
      await until(() => sim.stripText(4, 1) === '--', 'unregistered shows --');
      expect(sim.colours[3]).toBe(1); // red
      store.register(testParams().filter((p) => p.id.startsWith('outboard.')));
      await until(() => sim.stripText(4, 1) === '0 dB', 'live after registration');
      expect(r.manager.surfaces()[0]?.unknownParams).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('two identical controllers matched by the same pattern get one port each', async () => {
    const r = await rig({
      surfaces: [surfaceConfig({ id: 'left', type: 'midi', match: 'Knobs', map: 'k' }), surfaceConfig({ id: 'right', type: 'midi', match: 'Knobs', map: 'k' })],
      maps: { k: KNOBS },
    });
    plugSim(r.midiWorld, 'Knobs 2', new CcControllerSim());
    plugSim(r.midiWorld, 'Knobs 1', new CcControllerSim());
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces().every((s) => s.status === 'online'), 'both online');
      expect(r.manager.surfaces().map((s) => s.ports[0])).toEqual(['Knobs 1', 'Knobs 2']);
    } finally {
      await r.close();
    }
  });

  it('pages() / setPages() save and restore the surfaces\' pages (snapshot recall)', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP } });
    const sim = new XTouchSim();
    plugSim(r.midiWorld, 'X-Touch', sim);
    try {
      await r.manager.start();
      expect(r.manager.pages()).toEqual({ xtouch: 'eq' });
      r.manager.setPages({ xtouch: 'comp', other: 'x' });
      expect(r.manager.pages()).toEqual({ xtouch: 'comp' });
      await until(() => sim.assignment() === 'CP', 'shown');
      r.manager.setPages({ xtouch: 'no-such-page' });
      expect(r.manager.pages()).toEqual({ xtouch: 'comp' });
    } finally {
      await r.close();
    }
  });

  it('stop closes every port and stops reacting to parameter changes', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP } });
    const sim = new XTouchSim();
    const dev = plugSim(r.midiWorld, 'X-Touch', sim);
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      await r.manager.stop();
      expect(dev.endpoints.size).toBe(0);
      await turns(10); // deliveries already in flight land
      const before = dev.received.length;
      r.store.set('eq.band1.gainDb', 9, 'tablet:t1');
      await turns(10);
      expect(dev.received.length).toBe(before);
    } finally {
      await r.close();
    }
  });
});
