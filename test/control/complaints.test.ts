import { describe, expect, it } from 'vitest';
import { CcControllerSim } from '../../firmware-sim/surfaces/cc-controller.ts';
import { PowerMateSim } from '../../firmware-sim/surfaces/powermate.ts';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import type { MidiBinding } from '../../src/devices/midi/binding.ts';
import { FakeHidWorld } from '../../src/devices/hid/fake-hid-binding.ts';
import { FakeMidiWorld } from '../../src/devices/midi/fake-midi-binding.ts';
import { BridgeError } from '../../src/errors.ts';
import { normalise } from '../../src/params/taper.ts';
import { TEST_XTOUCH_MAP, plugSim, rig, surfaceConfig, turns, until } from './surface-helpers.ts';

const KNOBS = `
version: 1
type: midi
bindings:
  - { control: cc:0:16, param: eq.band1.gainDb, encoding: twosComplement, step: 1 }
`;

/** Items of control-surfaces.md §4 not covered by the other suites. */
describe('what users of such bridges complain about (§4)', () => {
  it('#2/#4: a port that cannot be opened (in use, or gone between list and open) backs off and retries; it connects when free', async () => {
    const world = new FakeMidiWorld();
    const inner = world.binding();
    let refusals = 2;
    const binding: MidiBinding = {
      kind: 'fake-busy',
      list: () => inner.list(),
      openInput: async (name) => {
        if (refusals-- > 0) throw new BridgeError('E_DEVICE_UNAVAILABLE', `cannot open MIDI input "${name}": MMSYSERR_ALLOCATED (already in use)`);
        return inner.openInput(name);
      },
      openOutput: (name) => inner.openOutput(name),
      close: () => inner.close(),
    };
    let now = 0;
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knobs', type: 'midi', match: 'Knobs', map: 'k' })], maps: { k: KNOBS }, midiWorld: world, midi: binding, now: () => now });
    plugSim(world, 'Knobs', new CcControllerSim());
    try {
      await r.manager.start();
      expect(r.manager.surfaces()[0]).toMatchObject({ status: 'absent' });
      expect(r.manager.surfaces()[0]?.reason).toMatch(/already in use.*retrying in 1 s/);
      await r.manager.rescan(); // too early: no new attempt
      expect(refusals).toBe(1);
      now += 1000;
      await r.manager.rescan();
      expect(r.manager.surfaces()[0]?.reason).toMatch(/retrying in 2 s/);
      now += 2000;
      await r.manager.rescan();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
    } finally {
      await r.close();
    }
  });

  it('#3: Windows-style names, input and output ports named differently (outputMatch)', async () => {
    const r = await rig({
      surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', outputMatch: 'MIDIOUT2 (X-Touch)', map: 'xt' })],
      maps: { xt: TEST_XTOUCH_MAP },
    });
    const sim = new XTouchSim();
    const dev = r.midiWorld.plug('X-Touch', { outputName: 'MIDIOUT2 (X-Touch)' });
    dev.on('receive', (b) => sim.receive(b));
    sim.connect((b) => dev.send(b));
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      expect(r.manager.surfaces()[0]?.ports).toEqual(['X-Touch', 'MIDIOUT2 (X-Touch)']);
      await until(() => sim.stripText(1, 0) !== '', 'drawn');
    } finally {
      await r.close();
    }
  });

  it('#7/#12: a fast throw to 0 ends exactly at 0; 1,000 tablet changes in a burst send one fader message with the last value', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP } });
    const sim = new XTouchSim();
    plugSim(r.midiWorld, 'X-Touch', sim);
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      await turns(20);
      sim.throwFader(1, Array.from({ length: 200 }, (_, i) => Math.round(16383 * (1 - (i + 1) / 200))));
      await until(() => r.store.get('eq.band1.gainDb') === -24, 'at the bottom');
      await turns(20);
      expect(sim.received.filter((m) => m[0] === 0xe0).at(-1)).toEqual([0xe0, 0, 0]);
      const before = sim.received.filter((m) => m[0] === 0xe1).length;
      for (let i = 0; i < 1000; i++) r.store.set('eq.band2.gainDb', -24 + (48 * i) / 999, 'tablet:t1');
      await turns(30);
      const sent = sim.received.filter((m) => m[0] === 0xe1).slice(before);
      expect(sent).toEqual([[0xe1, 0x7f, 0x7f]]);
      // A recall of all eight bands: one message per fader, each once.
      sim.received.length = 0;
      r.store.setMany(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`eq.band${i + 1}.gainDb`, 6])), 'recall');
      await turns(30);
      const pos = Math.round(normalise(r.store.spec('eq.band1.gainDb'), 6) * 16383);
      expect(sim.received.filter((m) => (m[0] as number) >= 0xe0 && (m[0] as number) <= 0xe7)).toEqual(
        Array.from({ length: 8 }, (_, i) => [0xe0 | i, pos & 0x7f, pos >> 7]),
      );
    } finally {
      await r.close();
    }
  });

  it('#15 (HID): PowerMate LED writes that fail (node-powermate #11) are logged; the knob keeps working', async () => {
    const hidWorld = new FakeHidWorld({ evdevUnavailable: 'evdev unavailable: not Linux' });
    const sim = new PowerMateSim();
    const dev = hidWorld.plugHid({ vendorId: 0x077d, productId: 0x0410, product: 'Griffin PowerMate' });
    dev.failFeatureReports = true;
    sim.connectHid((rep) => dev.report(rep));
    const map = 'version: 1\ntype: powermate\nbindings:\n  - { control: rotate, param: comp.makeupDb, step: 1 }\n';
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knob', type: 'powermate', match: 'any', map: 'pm' })], maps: { pm: map }, hidWorld });
    try {
      await r.manager.start();
      sim.rotate(3);
      await until(() => r.store.get('comp.makeupDb') === 3, 'turned');
      await turns(20);
      expect(r.manager.surfaces()[0]?.status).toBe('online');
      expect(dev.featureReports).toEqual([]);
    } finally {
      await r.close();
    }
  });
});
