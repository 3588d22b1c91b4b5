import { describe, expect, it } from 'vitest';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import { TEST_XTOUCH_MAP, rig, surfaceConfig, turns, until } from './surface-helpers.ts';

const KNOBS = `
version: 1
type: midi
echoGuard: true
bindings:
  - { control: cc:0:16, param: eq.band1.gainDb, encoding: twosComplement, step: 0.5 }
  - { control: cc:0:17, param: eq.band2.gainDb, mode: absolute }
  - { control: note:0:36, param: eq.band1.enabled, mode: toggle }
`;

/**
 * Complaint #6: a controller (or a MIDI-thru / loopback in the chain) that echoes everything the
 * host sends. Without echo suppression a ring value comes back as a turn, an LED as a press, and
 * the pair loops for ever; a 7-bit echo also quantises a value set precisely elsewhere.
 */
describe('feedback through a device that echoes everything back (MIDI thru), with `echoGuard: true`', () => {
  it('generic controller: values set elsewhere stay exact, nothing loops', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'knobs', type: 'midi', match: 'Thru', map: 'k' })], maps: { k: KNOBS } });
    const dev = r.midiWorld.plug('Thru');
    dev.on('receive', (b) => dev.send(b));
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      await turns(30);
      r.store.set('eq.band2.gainDb', 3.3, 'tablet:t1'); // 7 bits cannot say 3.3 dB exactly
      r.store.set('eq.band1.gainDb', -7.25, 'tablet:t1'); // its ring value echoed would read as a turn
      r.store.set('eq.band1.enabled', 0, 'tablet:t1');
      await turns(60);
      expect(r.store.get('eq.band2.gainDb')).toBe(3.3);
      expect(r.store.get('eq.band1.gainDb')).toBe(-7.25);
      expect(r.store.get('eq.band1.enabled')).toBe(0);
      expect(r.changes.filter((c) => c.source.startsWith('surface:'))).toEqual([]);
      const n = dev.received.length;
      await turns(30);
      expect(dev.received.length).toBe(n); // quiet: no ping-pong
      expect(n).toBeLessThan(20);
      // A real turn still works after the echoes.
      dev.send([0xb0, 16, 0x02]);
      await until(() => r.store.get('eq.band1.gainDb') === -6.25, 'real turn');
    } finally {
      await r.close();
    }
  });

  it('X-Touch: a button LED echoed back is not a second press; faders do not ping-pong', async () => {
    const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP.replace('type: mcu', 'type: mcu\nechoGuard: true') } });
    const sim = new XTouchSim();
    const dev = r.midiWorld.plug('X-Touch');
    dev.on('receive', (b) => {
      sim.receive(b);
      dev.send(b); // thru
    });
    sim.connect((b) => dev.send(b));
    try {
      await r.manager.start();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
      await turns(40);
      expect(r.changes).toEqual([]);
      sim.press(0x12); // mute 3: toggles eq.band3.enabled
      sim.release(0x12);
      await until(() => r.store.get('eq.band3.enabled') === 0, 'toggled');
      r.store.set('eq.band4.gainDb', 6, 'tablet:t1');
      await turns(60);
      expect(r.store.get('eq.band3.enabled')).toBe(0); // not toggled back by the echoed LED
      expect(r.store.get('eq.band4.gainDb')).toBe(6);
      expect(r.changes.map((c) => `${c.id} ${c.source}`)).toEqual(['eq.band3.enabled surface:xtouch/mute3', 'eq.band4.gainDb tablet:t1']);
      const n = dev.received.length;
      await turns(30);
      expect(dev.received.length).toBe(n);
    } finally {
      await r.close();
    }
  });
});
