import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CcControllerSim } from '../../firmware-sim/surfaces/cc-controller.ts';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import { isBridgeError } from '../../src/errors.ts';
import { TEST_XTOUCH_MAP, plugSim, rig, surfaceConfig, turns, until } from './surface-helpers.ts';

const KNOBS = `
version: 1
type: midi
bindings:
  - { control: cc:0:16, param: eq.band1.gainDb, encoding: twosComplement, step: 0.5 }
`;

async function knobs(encoding: 'binaryOffset' | 'twosComplement' = 'binaryOffset', dataDir?: string) {
  const r = await rig({ surfaces: [surfaceConfig({ id: 'knobs', type: 'midi', match: 'Knobs', map: 'k' })], maps: { k: KNOBS }, ...(dataDir ? { dataDir } : {}) });
  const sim = new CcControllerSim({ encoding });
  const device = plugSim(r.midiWorld, 'Knobs', sim);
  await r.manager.start();
  await until(() => r.manager.surfaces()[0]?.status === 'online', 'online');
  return { ...r, sim, device };
}

describe('MIDI learn', () => {
  it('arm, turn an unbound encoder: relative binding with a guessed encoding, saved to the user layer, active at once', async () => {
    const r = await knobs('binaryOffset');
    try {
      const learning = r.manager.learn.arm('eq.band4.gainDb');
      expect(r.manager.learn.armed).toBe('eq.band4.gainDb');
      r.sim.turn(5, 4); // CC 20: 41 41 41 41
      const learned = await learning;
      expect(learned).toMatchObject({ surfaceId: 'knobs', control: 'cc:0:20', param: 'eq.band4.gainDb', mode: 'relative', encoding: 'binaryOffset' });
      expect(learned.guess.candidates).toEqual(['binaryOffset', 'signMagnitude', 'signedBit2']);
      expect(learned.file).toBe(path.join(r.dir, 'data', 'surfaces', 'knobs.user.yaml'));
      expect(await readFile(learned.file, 'utf8')).toContain('control: cc:0:20');
      // The learning turn was consumed; the next turn drives the new binding (default step 0.01 of travel).
      expect(r.store.get('eq.band4.gainDb')).toBe(0);
      r.sim.turn(5, 2);
      await until(() => Math.abs(r.store.get('eq.band4.gainDb') - 0.96) < 1e-9, 'bound');
      expect(r.manager.learn.armed).toBeUndefined();
    } finally {
      await r.close();
    }
  });

  it('confirm corrects the guessed encoding and rewrites the user layer', async () => {
    const r = await knobs('binaryOffset');
    try {
      const learning = r.manager.learn.arm('eq.band4.gainDb');
      r.sim.turn(5, 3);
      await learning;
      const confirmed = await r.manager.learn.confirm('knobs', 'cc:0:20', { encoding: 'signedBit2' });
      expect(confirmed.encoding).toBe('signedBit2');
      expect(await readFile(confirmed.file, 'utf8')).toContain('encoding: signedBit2');
      // 01 is -1 in signed-bit-2 (it was -63 in binary offset).
      r.device.send([0xb0, 20, 0x01]);
      await until(() => Math.abs(r.store.get('eq.band4.gainDb') + 0.48) < 1e-9, 'decoded with the confirmed encoding');
      await expect(r.manager.learn.confirm('knobs', 'cc:0:99', { encoding: 'signedBit2' })).rejects.toMatchObject({ code: 'E_SURFACE_MAP' });
    } finally {
      await r.close();
    }
  });

  it('an absolute knob is learned as absolute; a CC n / n+32 pair as a 14-bit control', async () => {
    const r = await knobs();
    try {
      let learning = r.manager.learn.arm('eq.band6.gainDb');
      for (const v of [40, 41, 43, 44]) r.sim.knobValue(7, v);
      expect(await learning).toMatchObject({ control: 'cc:0:22', mode: 'absolute' });
      learning = r.manager.learn.arm('eq.band7.gainDb');
      r.device.send([0xb0, 7, 0x40, 0xb0, 39, 0x00, 0xb0, 7, 0x41, 0xb0, 39, 0x10, 0xb0, 7, 0x42, 0xb0, 39, 0x20, 0xb0, 7, 0x43]);
      expect(await learning).toMatchObject({ control: 'cc14:0:7', mode: 'absolute' });
      r.device.send([0xb0, 7, 0x7f, 0xb0, 39, 0x7f]);
      await until(() => r.store.get('eq.band7.gainDb') === 24, '14-bit binding live');
    } finally {
      await r.close();
    }
  });

  it('on the X-Touch: a V-Pot is known relative; the parameter lands on that strip of the current page and survives a restart', async () => {
    const first = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP } });
    const dataDir = path.join(first.dir, 'data');
    const sim = new XTouchSim();
    plugSim(first.midiWorld, 'X-Touch', sim);
    try {
      await first.manager.start();
      await until(() => first.manager.surfaces()[0]?.status === 'online', 'online');
      const learning = first.manager.learn.arm('comp.makeupDb');
      sim.turnVpot(5, 1);
      const learned = await learning;
      expect(learned).toMatchObject({ control: 'vpot5', mode: 'relative', page: 'eq', slot: 5 });
      expect(first.store.get('eq.band5.gainDb')).toBe(0); // the learning turn did not move the old parameter
      await until(() => sim.stripText(5, 1) === '0 dB' && sim.stripText(5, 0) === 'Cmakeup', 'strip 5 shows the new parameter');
      sim.turnVpot(5, 2);
      await until(() => first.store.get('comp.makeupDb') !== 0, 'strip 5 drives it');
      await first.manager.stop();

      const second = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP }, dataDir });
      const sim2 = new XTouchSim();
      plugSim(second.midiWorld, 'X-Touch', sim2);
      try {
        await second.manager.start();
        await until(() => sim2.stripText(5, 0) === 'Cmakeup', 'learned strip after restart');
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });

  it('times out with E_LEARN_TIMEOUT, cancels with E_LEARN_CANCELLED, refuses unknown parameters', async () => {
    const r = await knobs('twosComplement');
    try {
      const err = await r.manager.learn.arm('eq.band1.gainDb', { timeoutMs: 20 }).catch((e: unknown) => e);
      expect(isBridgeError(err, 'E_LEARN_TIMEOUT')).toBe(true);
      // After a timeout the surface drives its bindings again.
      r.sim.turn(1, 1);
      await until(() => r.store.get('eq.band1.gainDb') === 0.5, 'normal again');
      const pending = r.manager.learn.arm('eq.band1.gainDb');
      r.manager.learn.cancel();
      await expect(pending).rejects.toMatchObject({ code: 'E_LEARN_CANCELLED' });
      await expect(r.manager.learn.arm('eq.band99.gainDb')).rejects.toMatchObject({ code: 'E_PARAM_UNKNOWN' });
      await turns(5);
    } finally {
      await r.close();
    }
  });
});
