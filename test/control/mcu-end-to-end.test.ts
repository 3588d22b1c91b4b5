import { describe, expect, it } from 'vitest';
import { XTouchSim } from '../../firmware-sim/surfaces/xtouch.ts';
import type { McuSurface } from '../../src/control/mcu-surface.ts';
import { normalise } from '../../src/params/taper.ts';
import { TEST_XTOUCH_MAP, plugSim, rig, surfaceConfig, turns, until } from './surface-helpers.ts';

const PORT = 'X-Touch:X-Touch MIDI 1 20:0';

async function xtouchRig() {
  const r = await rig({ surfaces: [surfaceConfig({ id: 'xtouch', type: 'mcu', match: 'X-Touch', map: 'xt' })], maps: { xt: TEST_XTOUCH_MAP } });
  const sim = new XTouchSim();
  const device = plugSim(r.midiWorld, PORT, sim);
  await r.manager.start();
  await until(() => r.manager.surfaces()[0]?.status === 'online', 'X-Touch online');
  await until(() => sim.stripText(3, 0) !== '', 'first render');
  return { ...r, sim, device };
}

const faderMessages = (sim: XTouchSim, strip: number): number[][] => sim.received.filter((m) => m[0] === (0xe0 | (strip - 1)));

describe('X-Touch end to end through the fake MIDI binding and the firmware-sim', () => {
  it('turning V-Pot 3 by +10 ticks moves eq.band3.gainDb by the configured step x 10 and shows it', async () => {
    const r = await xtouchRig();
    try {
      const before = r.store.get('eq.band3.gainDb');
      r.sim.turnVpot(3, 10);
      await until(() => r.store.get('eq.band3.gainDb') === before + 0.5 * 10, 'gain moved');
      expect(r.store.get('eq.band3.gainDb')).toBe(5);
      // Every change came from this control.
      expect(r.changes.filter((c) => c.id === 'eq.band3.gainDb').every((c) => c.source === 'surface:xtouch/vpot3')).toBe(true);
      await until(() => r.sim.stripText(3, 1) === '5 dB', 'value on the scribble strip');
      // The label is the parameter's ("Band 3 gain") fitted to the 7-character X-Touch cell.
      expect(r.sim.stripText(3, 0)).toBe('B3gain');
      // Ring in boost/cut (the range spans 0): 5 dB of +-24 -> position round(0.604*10)+1 = 7.
      expect(r.sim.ring(3)).toEqual({ mode: 'boostCut', position: 7, centre: false });
      // The strip's fader (another control) follows the value; the V-Pot's own CC is never sent back.
      await until(() => r.sim.faderValue(3) === Math.round(normalise(r.store.spec('eq.band3.gainDb'), 5) * 16383), 'fader 3 follows');
      expect(r.sim.received.some((m) => m[0] === 0xb0 && m[1] === 0x12)).toBe(false);
    } finally {
      await r.close();
    }
  });

  it('a touched fader is never moved: nothing is sent while touched, the final value is sent once on release', async () => {
    const r = await xtouchRig();
    try {
      await turns(20);
      const before = faderMessages(r.sim, 1).length;
      r.sim.touch(1);
      for (const v of [2000, 4000, 8000, 12000]) r.sim.moveFader(1, v);
      await until(() => r.changes.some((c) => c.id === 'eq.band1.gainDb' && Math.abs(c.value - (-24 + 48 * (12000 / 16383))) < 1e-9), 'last move applied');
      // A change from elsewhere while touched must not move the motor either.
      r.store.set('eq.band1.gainDb', 3, 'tablet:t1');
      await turns(30);
      expect(faderMessages(r.sim, 1).length).toBe(before);
      expect(r.sim.faderValue(1)).toBe(12000);
      r.sim.untouch(1);
      await until(() => faderMessages(r.sim, 1).length === before + 1, 'final value on release');
      await turns(30);
      const sent = faderMessages(r.sim, 1);
      expect(sent.length).toBe(before + 1);
      // The final value is the store's (the tablet's 3 dB came last).
      const final = Math.round(normalise(r.store.spec('eq.band1.gainDb'), 3) * 16383);
      expect(sent[sent.length - 1]).toEqual([0xe0, final & 0x7f, final >> 7]);
      r.sim.settle();
      expect(r.sim.faderValue(1)).toBe(final);
    } finally {
      await r.close();
    }
  });

  it('an untouched fader move is re-transmitted (accepted); a move on an unassigned strip snaps back', async () => {
    const r = await xtouchRig();
    try {
      await turns(20);
      const before = faderMessages(r.sim, 2).length;
      r.sim.moveFader(2, 10000); // fingernail: no touch
      await until(() => faderMessages(r.sim, 2).length === before + 1, 're-transmission');
      const last = faderMessages(r.sim, 2).at(-1) as number[];
      expect(((last[2] as number) << 7) | (last[1] as number)).toBe(10000);
      r.sim.settle();
      expect(r.sim.faderValue(2)).toBe(10000);
      // Page comp has 4 strips: strip 6 is unassigned there.
      r.sim.press(0x2f);
      r.sim.release(0x2f);
      await until(() => r.sim.assignment() === 'CP', 'page comp');
      await turns(10);
      const b6 = faderMessages(r.sim, 6).length;
      r.sim.moveFader(6, 9000);
      await until(() => faderMessages(r.sim, 6).length === b6 + 1, 'snap-back position');
      r.sim.settle();
      expect(r.sim.faderValue(6)).toBe(0);
    } finally {
      await r.close();
    }
  });

  it('a change from elsewhere moves fader, ring and scribble strip (deduplicated)', async () => {
    const r = await xtouchRig();
    try {
      await turns(20);
      const before = faderMessages(r.sim, 4).length;
      r.store.set('eq.band4.gainDb', -6, 'tablet:t1');
      r.store.set('eq.band4.gainDb', -6.5, 'tablet:t1');
      r.store.set('eq.band4.gainDb', -6, 'tablet:t1');
      await until(() => r.sim.stripText(4, 1) === '-6 dB', 'value text');
      await turns(20);
      // Three changes in one turn: one fader message with the latest value (coalesced).
      const sent = faderMessages(r.sim, 4).slice(before);
      expect(sent.length).toBe(1);
      const pos = Math.round(normalise(r.store.spec('eq.band4.gainDb'), -6) * 16383);
      expect(sent[0]).toEqual([0xe3, pos & 0x7f, pos >> 7]);
      // Same value again: nothing sent.
      r.store.set('eq.band4.gainDb', -6.5, 'recall');
      r.store.set('eq.band4.gainDb', -6, 'recall');
      await turns(30);
      expect(faderMessages(r.sim, 4).slice(before).length).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('bank buttons page, the assignment display and the strips follow; an outboard-bound strip reaches the outboard listener', async () => {
    const r = await xtouchRig();
    const outboard: { id: string; value: number; source: string }[] = [];
    r.store.watch((changes, source) => {
      for (const c of changes) if (c.id.startsWith('outboard.')) outboard.push({ id: c.id, value: c.value, source });
    });
    try {
      expect(r.sim.assignment()).toBe('EQ');
      r.sim.press(0x2f);
      r.sim.release(0x2f);
      await until(() => r.sim.assignment() === 'CP', 'comp page');
      await until(() => r.sim.stripText(1, 0) === 'Comp th' || r.sim.stripText(1, 0).startsWith('C'), 'comp labels');
      expect(r.manager.surfaces()[0]?.page).toEqual({ id: 'comp', label: 'Compressor', index: 1, count: 2 });
      // Strip 4 is the outboard stepped EQ gain: one tick = one detent.
      r.sim.turnVpot(4, 3);
      await until(() => outboard.length === 3, 'three outboard changes');
      expect(outboard.map((o) => o.value)).toEqual([0.25, 0.5, 0.75]);
      expect(outboard.every((o) => o.source === 'surface:xtouch/vpot4')).toBe(true);
      await until(() => r.sim.stripText(4, 1) === '0.75 dB' || r.sim.stripText(4, 1) === '0.75dB', 'outboard value shown');
    } finally {
      await r.close();
    }
  });

  it('re-syncs the whole feedback state after the X-Touch comes back under a new ALSA client number', async () => {
    const r = await xtouchRig();
    try {
      r.store.set('eq.band2.gainDb', 12, 'tablet:t1');
      await until(() => r.sim.stripText(2, 1) === '12 dB', 'shown before unplug');
      r.device.unplug();
      await r.manager.rescan();
      expect(r.manager.surfaces()[0]?.status).toBe('reconnecting');
      expect(r.manager.surfaces()[0]?.reason).toContain('disappeared');
      // Changed while away.
      r.store.set('eq.band5.gainDb', -3, 'recall');
      // A fresh unit (power-cycled: blank LCD, faders down) under a new port name.
      const fresh = new XTouchSim();
      r.device.removeAllListeners('receive');
      r.device.on('receive', (b) => fresh.receive(b));
      fresh.connect((bytes) => r.device.send(bytes));
      r.device.replug('X-Touch:X-Touch MIDI 1 24:0');
      await r.manager.rescan();
      await until(() => r.manager.surfaces()[0]?.status === 'online', 'back online');
      expect(r.manager.surfaces()[0]?.ports).toContain('X-Touch:X-Touch MIDI 1 24:0');
      await until(() => fresh.stripText(5, 1) === '-3 dB', 'LCD re-sent');
      await turns(20);
      // Full state: every strip's label and value, rings, faders, colours, assignment.
      for (let s = 1; s <= 8; s++) expect(fresh.stripText(s, 0)).not.toBe('');
      expect(fresh.stripText(2, 1)).toBe('12 dB');
      expect(fresh.ring(2).position).toBeGreaterThan(0);
      expect(fresh.faderValue(2)).toBe(Math.round(normalise(r.store.spec('eq.band2.gainDb'), 12) * 16383));
      expect(fresh.faderValue(5)).toBe(Math.round(normalise(r.store.spec('eq.band5.gainDb'), -3) * 16383));
      expect(fresh.colours.slice(0, 8)).toEqual([6, 6, 6, 6, 6, 6, 6, 6]);
      expect(fresh.assignment()).toBe('EQ');
      // The mute button LED of strip 3 (eq.band3.enabled = 1) is re-sent too.
      expect(fresh.leds.get(0x12)).toBe('on');
      const surface = r.manager.surface('xtouch') as McuSurface;
      expect(surface.stripView(1)).toMatchObject({ param: 'eq.band2.gainDb', lower: '12 dB' });
    } finally {
      await r.close();
    }
  });
});
