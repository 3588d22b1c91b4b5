import { describe, expect, it } from 'vitest';
import { CcControllerSim } from '../../firmware-sim/surfaces/cc-controller.ts';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import { RELATIVE_ENCODINGS } from '../../src/devices/midi/relative-encoding.ts';
import { controlChange14, parameterNumberWrite, pitchBend } from '../../src/devices/midi/midi-message.ts';
import { normalise } from '../../src/params/taper.ts';
import { TEST_XTOUCH_MAP, plugSim, rig, surfaceConfig, turns, until } from './surface-helpers.ts';

const knobsMap = (encoding: string): string => `
version: 1
type: midi
defaults: { encoding: ${encoding} }
bindings:
  - { control: cc:0:16, param: eq.band1.gainDb, step: 0.5 }
  - { control: cc:0:17, param: eq.band2.gainDb, mode: absolute }
  - { control: cc14:0:7, param: eq.band3.gainDb }
  - { control: nrpn:0:291, param: eq.band4.gainDb }
  - { control: nrpn:0:292, param: eq.band5.gainDb, mode: relative, step: 0.5 }
  - { control: pb:1, param: eq.band6.gainDb }
  - { control: note:0:36, param: eq.band1.enabled, mode: toggle }
  - { control: note:0:37, action: recall, slot: 2 }
  - { control: cc:0:18, param: eq.band7.gainDb, mode: absolute, takeover: pickup }
`;

async function knobsRig(encoding = 'twosComplement') {
  const r = await rig({ surfaces: [surfaceConfig({ id: 'knobs', type: 'midi', match: 'BeatStep', map: 'knobs' })], maps: { knobs: knobsMap(encoding) } });
  const sim = new CcControllerSim({ encoding: encoding as never });
  const device = plugSim(r.midiWorld, 'Arturia BeatStep 28:0', sim);
  await r.manager.start();
  await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
  await turns(10);
  return { ...r, sim, device };
}

describe('generic MIDI controller', () => {
  it.each(RELATIVE_ENCODINGS)('relative encoder in %s: +7 then -3 ticks, the binding decodes its own encoding', async (encoding) => {
    const r = await knobsRig(encoding);
    try {
      r.sim.turn(1, 7);
      await until(() => r.store.get('eq.band1.gainDb') === 3.5, 'up 7');
      r.sim.turn(1, -3);
      await until(() => r.store.get('eq.band1.gainDb') === 2, 'down 3');
      // Larger steps per message (acceleration on the device) decode too.
      r.device.send([0xb0, 16, encodingValue(encoding, 5)]);
      await until(() => r.store.get('eq.band1.gainDb') === 4.5, 'up 5 in one message');
    } finally {
      await r.close();
    }
  });

  it('14-bit CC pair, NRPN absolute and relative (increment/decrement), pitch bend', async () => {
    const r = await knobsRig();
    try {
      const spec = r.store.spec('eq.band3.gainDb');
      r.device.send(controlChange14(0, 7, 12000));
      await until(() => Math.abs(normalise(spec, r.store.get('eq.band3.gainDb')) - 12000 / 16383) < 1e-12, '14-bit value');
      r.device.send([0xb0, 0x27, 0x05]); // LSB only
      await until(() => Math.abs(normalise(spec, r.store.get('eq.band3.gainDb')) - ((12000 & ~0x7f) | 5) / 16383) < 1e-12, 'LSB-only update');
      r.device.send(parameterNumberWrite('nrpn', 0, 291, 16383));
      await until(() => r.store.get('eq.band4.gainDb') === 24, 'NRPN value');
      r.device.send([0xb0, 99, 292 >> 7, 0xb0, 98, 292 & 0x7f, 0xb0, 96, 0, 0xb0, 96, 0, 0xb0, 97, 0, 0xb0, 96, 0]);
      await until(() => r.store.get('eq.band5.gainDb') === 1, 'NRPN inc/dec: +1 +1 -1 +1 = 2 ticks of 0.5');
      r.device.send(pitchBend(1, 0));
      await until(() => r.store.get('eq.band6.gainDb') === -24, 'pitch bend');
    } finally {
      await r.close();
    }
  });

  it('echo rules: an absolute knob is not sent its own change back; a change from elsewhere is sent', async () => {
    const r = await knobsRig();
    try {
      r.sim.received.length = 0;
      r.sim.knobValue(2, 100);
      await until(() => r.changes.some((c) => c.id === 'eq.band2.gainDb' && c.source === 'surface:knobs/cc:0:17'), 'knob applied');
      await turns(30);
      expect(r.sim.received.filter((m) => m[0] === 0xb0 && m[1] === 17)).toEqual([]);
      r.store.set('eq.band2.gainDb', 0, 'tablet:t1');
      await until(() => r.sim.received.some((m) => m[0] === 0xb0 && m[1] === 17), 'feedback from the tablet change');
      expect(r.sim.received.filter((m) => m[1] === 17).at(-1)).toEqual([0xb0, 17, 64]);
    } finally {
      await r.close();
    }
  });

  it('a relative encoder ring is refreshed even for its own turns (the device reverts it: complaint #11)', async () => {
    const r = await knobsRig();
    try {
      r.sim.turn(1, 4);
      await until(() => r.sim.rings[0] !== undefined && r.sim.rings[0] === Math.round(normalise(r.store.spec('eq.band1.gainDb'), 2) * 127), 'ring shows 2 dB');
    } finally {
      await r.close();
    }
  });

  it('pads: toggle with LED feedback, actions to the sink, note-off release accepted', async () => {
    const r = await knobsRig();
    try {
      r.sim.press(1);
      r.sim.release(1);
      await until(() => r.store.get('eq.band1.enabled') === 0, 'toggled off');
      await until(() => r.sim.padLeds[0] === false && r.sim.received.some((m) => m[0] === 0x90 && m[1] === 36 && m[2] === 0), 'LED off');
      r.sim.press(2);
      await until(() => r.actions.received.length === 1, 'action');
      expect(r.actions.received[0]).toEqual({ action: { type: 'recall', slot: 2 }, origin: { surfaceId: 'knobs', control: 'note:0:37' } });
    } finally {
      await r.close();
    }
  });

  it('a turn on the X-Touch does not come back to it but reaches the other consumers (the tablet and another surface)', async () => {
    const r = await rig({
      surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' }), surfaceConfig({ id: 'knobs', type: 'midi', match: 'BeatStep', map: 'knobs' })],
      maps: { xt: TEST_XTOUCH_MAP.replace('{ param: eq.band2.gainDb, step: 0.5, colour: cyan }', '{ param: eq.band2.gainDb, step: 0.5, colour: cyan, fader: false }'), knobs: knobsMap('twosComplement') },
    });
    const xt = new XTouchSim();
    const knobs = new CcControllerSim();
    plugSim(r.midiWorld, 'X-Touch', xt);
    plugSim(r.midiWorld, 'BeatStep', knobs);
    const tablet: { id: string; source: string }[] = [];
    r.store.watch((changes, source) => {
      for (const c of changes) tablet.push({ id: c.id, source });
    });
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces().every((s) => s.status === 'online'), 'both online');
      await turns(20);
      xt.received.length = 0;
      knobs.received.length = 0;
      xt.turnVpot(2, 4);
      await until(() => r.store.get('eq.band2.gainDb') === 2, 'moved');
      await until(() => knobs.received.some((m) => m[0] === 0xb0 && m[1] === 17), 'reached the other surface');
      await turns(30);
      // The tablet stand-in saw the change with the X-Touch control as source (so it can show it).
      expect(tablet.filter((t) => t.id === 'eq.band2.gainDb').every((t) => t.source === 'surface:xtouch/vpot2')).toBe(true);
      // The X-Touch got displays only: no fader message (its fader is not bound here), no V-Pot CC.
      expect(xt.received.filter((m) => (m[0] as number) >= 0xe0 && (m[0] as number) <= 0xe8)).toEqual([]);
      expect(xt.received.filter((m) => m[0] === 0xb0 && m[1] === 0x11)).toEqual([]);
      expect(xt.stripText(2, 1)).toBe('2 dB');
      // The other surface's absolute knob shows the new value.
      expect(knobs.received.filter((m) => m[1] === 17).at(-1)).toEqual([0xb0, 17, Math.round(normalise(r.store.spec('eq.band2.gainDb'), 2) * 127)]);
    } finally {
      await r.close();
    }
  });

  it('the output port is optional: an input-only controller still drives parameters', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knobs', type: 'midi', match: 'BeatStep', outputMatch: 'nothing-like-this', map: 'knobs' })], maps: { knobs: knobsMap('twosComplement') } });
    const sim = new CcControllerSim();
    plugSim(r.midiWorld, 'BeatStep', sim);
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      expect(r.manager.surfaces()[0]?.reason).toMatch(/input only/);
      sim.turn(1, 2);
      await until(() => r.store.get('eq.band1.gainDb') === 1, 'moved');
    } finally {
      await r.close();
    }
  });
});

function encodingValue(encoding: string, ticks: number): number {
  switch (encoding) {
    case 'binaryOffset':
      return 64 + ticks;
    case 'signedBit2':
      return 64 + ticks;
    default:
      return ticks;
  }
}

