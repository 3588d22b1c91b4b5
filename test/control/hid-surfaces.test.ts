import { describe, expect, it } from 'vitest';
import { PowerMateSim } from '../../firmware-sim/surfaces/powermate.ts';
import { ShuttleProSim } from '../../firmware-sim/surfaces/shuttle-pro.ts';
import { FakeHidWorld } from '../../src/devices/hid/fake-hid-binding.ts';
import { normalise } from '../../src/params/taper.ts';
import { rig, surfaceConfig, turns, until } from './surface-helpers.ts';

const POWERMATE_MAP = `
version: 1
type: powermate
powermate: { led: value }
bindings:
  - { control: rotate, param: comp.makeupDb, step: 0.5 }
  - { control: button, action: ab }
`;

function plugPowerMateEvdev(world: FakeHidWorld, sim: PowerMateSim) {
  const dev = world.plugEvdev({ name: 'Griffin PowerMate', vendorId: 0x077d, productId: 0x0410 });
  sim.connectEvdev((e) => dev.event(e));
  return dev;
}

describe('PowerMate surface', () => {
  it('Linux path: read through evdev, LED brightness shows the value (MSC_PULSELED)', async () => {
    const hidWorld = new FakeHidWorld();
    const sim = new PowerMateSim();
    const dev = plugPowerMateEvdev(hidWorld, sim);
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knob', type: 'powermate', match: 'any', map: 'pm' })], maps: { pm: POWERMATE_MAP }, hidWorld });
    try {
      await r.manager.start();
      expect(r.manager.surfaces()[0]).toMatchObject({ status: 'online', ports: [dev.info.path] });
      sim.rotate(10);
      await until(() => r.store.get('comp.makeupDb') === 5, 'makeup +5 dB');
      const expected = Math.round(normalise(r.store.spec('comp.makeupDb'), 5) * 255);
      await until(() => dev.written.some((e) => (e.value & 0xff) === expected), 'LED follows');
      for (const e of dev.written) sim.writeEvdev(e);
      expect(sim.led.brightness).toBe(expected);
      sim.press();
      sim.release();
      await until(() => r.actions.received.length === 1, 'button action');
      expect(r.actions.received[0]?.action).toEqual({ type: 'ab' });
    } finally {
      await r.close();
    }
  });

  it('raw HID path when there is no evdev (macOS/Windows); LED as feature reports', async () => {
    const hidWorld = new FakeHidWorld({ evdevUnavailable: 'evdev unavailable: not Linux' });
    const sim = new PowerMateSim({ reportLength: 3 });
    const dev = hidWorld.plugHid({ vendorId: 0x077d, productId: 0x0410, product: 'Griffin PowerMate' });
    sim.connectHid((rep) => dev.report(rep));
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knob', type: 'powermate', match: 'any', map: 'pm' })], maps: { pm: POWERMATE_MAP }, hidWorld });
    try {
      await r.manager.start();
      sim.rotate(-4);
      await until(() => r.store.get('comp.makeupDb') === -2, 'makeup -2 dB');
      const expected = Math.round(normalise(r.store.spec('comp.makeupDb'), -2) * 255);
      const brightness = (): number | undefined => dev.featureReports.filter((f) => f[3] === 0x01).at(-1)?.[5];
      await until(() => brightness() === expected, 'LED follows');
      for (const f of dev.featureReports) sim.featureReport(Array.from(f));
      expect(sim.led.brightness).toBe(expected);
    } finally {
      await r.close();
    }
  });

  it('no device and no /dev/input: absent with a one-line reason, the manager keeps running', async () => {
    const hidWorld = new FakeHidWorld({ evdevUnavailable: 'evdev unavailable: /dev/input does not exist' });
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knob', type: 'powermate', match: 'any', map: 'pm' })], maps: { pm: POWERMATE_MAP }, hidWorld });
    try {
      await r.manager.start();
      const s = r.manager.surfaces()[0];
      expect(s?.status).toBe('absent');
      expect(s?.reason).toContain('/dev/input does not exist');
      expect(s?.reason).not.toContain('\n');
      expect(r.statuses).toEqual([{ id: 'knob', status: 'absent', reason: s?.reason }]);
    } finally {
      await r.close();
    }
  });

  it('unplug -> reconnecting; plugged back -> online again, LED state re-sent', async () => {
    const hidWorld = new FakeHidWorld();
    const sim = new PowerMateSim();
    const dev = plugPowerMateEvdev(hidWorld, sim);
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knob', type: 'powermate', match: 'any', map: 'pm' })], maps: { pm: POWERMATE_MAP }, hidWorld });
    try {
      await r.manager.start();
      sim.rotate(2);
      await until(() => r.store.get('comp.makeupDb') === 1, 'moved');
      dev.unplug();
      await until(() => r.manager.surfaces()[0]?.status === 'reconnecting', 'reconnecting');
      r.store.set('comp.makeupDb', 12, 'tablet:t1');
      dev.written.length = 0;
      dev.replug();
      await r.manager.rescan();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online again');
      const expected = Math.round(normalise(r.store.spec('comp.makeupDb'), 12) * 255);
      await until(() => dev.written.some((e) => (e.value & 0xff) === expected), 'LED re-sent');
    } finally {
      await r.close();
    }
  });
});

describe('ShuttlePro surface', () => {
  it('jog (wrap-aware), ring as an absolute control, buttons to actions', async () => {
    const hidWorld = new FakeHidWorld();
    const sim = new ShuttleProSim({ jogStart: 0xfe });
    const dev = hidWorld.plugHid({ vendorId: 0x0b33, productId: 0x0030, product: 'ShuttlePRO v2' });
    sim.connect((rep) => dev.report(rep));
    const map = `
version: 1
type: shuttle
bindings:
  - { control: jog, param: eq.band1.gainDb, step: 0.25 }
  - { control: ring, param: comp.thresholdDb, mode: absolute }
  - { control: button3, action: recall, slot: 3 }
`;
    const r = await rig({ surfaces: [surfaceConfig({ id: 'shuttle', type: 'shuttle', match: 'any', map: 'sh' })], maps: { sh: map }, hidWorld });
    try {
      await r.manager.start();
      sim.idle();
      await turns(10);
      sim.jog(4); // FE -> FF -> 00 -> 01 -> 02: +4 across the wrap
      await until(() => r.store.get('eq.band1.gainDb') === 1, 'jog +4');
      sim.jog(-2);
      await until(() => r.store.get('eq.band1.gainDb') === 0.5, 'jog -2');
      sim.shuttle(7);
      await until(() => r.store.get('comp.thresholdDb') === 0, 'ring full right = top of range');
      sim.shuttle(-7);
      await until(() => r.store.get('comp.thresholdDb') === -60, 'ring full left');
      sim.press(3);
      sim.release(3);
      await until(() => r.actions.received.length === 1, 'button 3');
      expect(r.actions.received[0]?.action).toEqual({ type: 'recall', slot: 3 });
    } finally {
      await r.close();
    }
  });
});

describe('Stream Deck surface', () => {
  it('keys toggle parameters and show them as colours; a Plus encoder turns a value and draws a bar', async () => {
    const hidWorld = new FakeHidWorld();
    const deck = hidWorld.plugStreamDeck({ model: 'plus', keyCount: 8, encoderCount: 4, lcd: { width: 800, height: 100 } });
    const map = `
version: 1
type: streamdeck
bindings:
  - { control: key1, param: eq.band1.enabled, mode: toggle }
  - { control: key2, action: save }
  - { control: encoder1, param: comp.thresholdDb, step: 0.5 }
  - { control: encoderPush1, param: comp.thresholdDb, mode: reset }
`;
    const r = await rig({ surfaces: [surfaceConfig({ id: 'deck', type: 'streamdeck', match: 'any', map: 'sd' })], maps: { sd: map }, hidWorld });
    try {
      await r.manager.start();
      await until(() => deck.keyColours.get(0)?.join(',') === '0,170,70', 'key 1 lit (band on)');
      deck.press(0);
      deck.release(0);
      await until(() => r.store.get('eq.band1.enabled') === 0, 'toggled');
      await until(() => deck.keyColours.get(0)?.join(',') === '25,25,25', 'key 1 dark');
      deck.rotate(0, 4);
      await until(() => r.store.get('comp.thresholdDb') === -16, 'encoder +4');
      await until(() => deck.lcdWrites.length > 0, 'bar drawn');
      const last = deck.lcdWrites.at(-1);
      expect(last).toMatchObject({ x: 0, y: 0, width: 200, height: 100 });
      deck.press(0, 'encoder');
      await until(() => r.store.get('comp.thresholdDb') === -18, 'push resets');
      deck.press(1);
      await until(() => r.actions.received.length === 1, 'save');
      expect(deck.brightness).toBe(70);
    } finally {
      await r.close();
    }
  });
});

describe('generic HID surface from a report map', () => {
  it('decodes the configured fields into bindings', async () => {
    const hidWorld = new FakeHidWorld();
    const dev = hidWorld.plugHid({ vendorId: 0x05f3, productId: 0x0426, product: 'XK-12 Jog-Shuttle' });
    const map = `
version: 1
type: hid
hid:
  fields:
    - { name: jog, byte: 2, signed: true, kind: relative }
    - { name: key1, byte: 1, bit: 0, bits: 1, kind: button }
bindings:
  - { control: jog, param: eq.band2.gainDb, step: 1 }
  - { control: key1, param: eq.band2.enabled, mode: toggle }
`;
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xk', type: 'hid', match: '05f3:0426', map: 'xk' })], maps: { xk: map }, hidWorld });
    try {
      await r.manager.start();
      dev.report([0, 0, 3]);
      await until(() => r.store.get('eq.band2.gainDb') === 3, 'jog');
      dev.report([0, 1, 0xff]);
      await until(() => r.store.get('eq.band2.gainDb') === 2 && r.store.get('eq.band2.enabled') === 0, 'jog back and key');
    } finally {
      await r.close();
    }
  });
});
