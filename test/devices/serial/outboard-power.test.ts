import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { requireTool } from '../../support/require-tool.ts';
import { startStudio, unitValues, waitFor, type Studio } from './support/studio.ts';

const socat = requireTool('socat');

describe.skipIf(!socat.ok)(`power cycles, unplug and replug${socat.ok ? '' : ` (${socat.reason})`}`, () => {
  let s: Studio | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });
  const sim = (id: string) => s?.sims.get(id) as NonNullable<ReturnType<Studio['sims']['get']>>;

  it('power cycle with resend: the unit loses its settings, the session values go back and are verified', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-resend', onPowerCycle: 'resend' }]);
    s.store.set('outboard.eq1.ch1.band2.gainDb', 3, 'api');
    s.store.set('outboard.eq1.mode', 1, 'api');
    await s.manager.idle('eq1');
    const boot = s.manager.identity('eq1')?.boot as number;
    sim('eq1').powerCycle(true); // settings lost: factory defaults after the boot banner
    await waitFor('unit rebooted', () => (s?.manager.identity('eq1')?.boot ?? 0) > boot);
    await s.manager.whenStatus('eq1', 'online');
    await waitFor('session values re-sent', () => sim('eq1').firmware.values()['ch1.band2.gainDb'] === 3 && sim('eq1').firmware.values().mode === 1);
    await s.manager.idle('eq1');
    expect(s.store.values('outboard.eq1.')).toEqual(unitValues(sim('eq1'), 'eq1'));
    expect(s.statuses.some(([id, st, why]) => id === 'eq1' && st === 'reconnecting' && /reboot|answering/.test(why ?? ''))).toBe(true);
  });

  it('power cycle with adopt: the store takes what the unit comes back with', async () => {
    s = await startStudio([{ id: 'comp1', model: 'comp', serial: 'BC-adopt', onPowerCycle: 'adopt' }]);
    s.store.set('outboard.comp1.ratio', 10, 'api');
    await s.manager.idle('comp1');
    const boot = s.manager.identity('comp1')?.boot as number;
    sim('comp1').powerCycle(true);
    await waitFor('unit rebooted', () => (s?.manager.identity('comp1')?.boot ?? 0) > boot);
    await s.manager.whenStatus('comp1', 'online');
    await waitFor('store adopted the defaults', () => s?.store.get('outboard.comp1.ratio') === 2);
    expect(sim('comp1').firmware.values().ratio).toBe(2);
    expect(s.store.values('outboard.comp1.')).toEqual(unitValues(sim('comp1'), 'comp1'));
  });

  it('a power cycle that keeps the settings (non-volatile memory) changes nothing', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-nv', onPowerCycle: 'adopt' }]);
    s.store.set('outboard.eq1.ch2.hpf.freqHz', 30, 'api');
    await s.manager.idle('eq1');
    await new Promise((r) => setTimeout(r, 250)); // past the unit's non-volatile write delay
    const boot = s.manager.identity('eq1')?.boot as number;
    sim('eq1').powerCycle(false);
    await waitFor('unit rebooted', () => (s?.manager.identity('eq1')?.boot ?? 0) === boot + 1);
    await s.manager.whenStatus('eq1', 'online');
    expect(sim('eq1').firmware.values()['ch2.hpf.freqHz']).toBe(30);
    expect(s.store.get('outboard.eq1.ch2.hpf.freqHz')).toBe(30);
  });

  it('unplugged: reconnecting; replugged under another path: found again by its serial', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-plug' }]);
    const first = s.manager.units()[0]?.path as string;
    await sim('eq1').unplug();
    await s.manager.whenStatus('eq1', 'reconnecting');
    expect(readdirSync(s.dir)).not.toContain('EQ-plug.pty');
    s.store.set('outboard.eq1.ch1.outputDb', 2.5, 'api'); // set while unplugged
    const second = await sim('eq1').replug();
    expect(second).not.toBe(first);
    const info = await s.manager.whenStatus('eq1', 'online', 15_000);
    expect(info.path).toBe(second);
    await waitFor('pending value delivered', () => sim('eq1').firmware.values()['ch1.outputDb'] === 2.5);
    await s.manager.idle('eq1');
    expect(s.store.values('outboard.eq1.')).toEqual(unitValues(sim('eq1'), 'eq1'));
  });

  it('a recall cut short by an unplug ends at once with failed parameters; the values still arrive after the replug', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-cut' }]);
    const targets: Record<string, number> = {};
    for (const e of s.store.list('outboard.eq1.')) targets[e.id] = (e.steps as readonly number[]).at(-1) as number;
    const recall = s.manager.recall('eq1', targets);
    await new Promise((r) => setTimeout(r, 15)); // a few parameters in
    await sim('eq1').unplug();
    const r = await recall;
    expect(r.ok).toBe(false);
    expect(r.results.filter((x) => x.status === 'failed').length).toBeGreaterThan(0);
    expect(r.results.filter((x) => x.status === 'failed').every((x) => x.code === 'E_SERIAL_CLOSED')).toBe(true);
    await sim('eq1').replug();
    await s.manager.whenStatus('eq1', 'online', 15_000);
    await waitFor('every recall value delivered after all', () => Object.entries(unitValues(sim('eq1'), 'eq1')).every(([id, v]) => targets[id] === v));
    await s.manager.idle('eq1');
    expect(s.store.values('outboard.eq1.')).toEqual(targets);
  });

  it('over TCP too: the server goes away and comes back', async () => {
    s = await startStudio([{ id: 'sw1', model: 'switcher', serial: 'IS-tcp-plug', transport: 'tcp' }]);
    await sim('sw1').unplug();
    await s.manager.whenStatus('sw1', 'reconnecting');
    await sim('sw1').replug();
    await s.manager.whenStatus('sw1', 'online', 15_000);
    s.store.set('outboard.sw1.loop2.in', 1, 'api');
    await s.manager.idle('sw1');
    expect(sim('sw1').firmware.values()['loop2.in']).toBe(1);
  });

  it('two units swapped between two ports are each found by serial, not by path', async () => {
    s = await startStudio([
      { id: 'eq1', model: 'eq', serial: 'EQ-A' },
      { id: 'comp1', model: 'comp', serial: 'BC-B' },
    ]);
    const eqPath = sim('eq1').address as string;
    const compPath = sim('comp1').address as string;
    await sim('eq1').unplug();
    await sim('comp1').unplug();
    await s.manager.whenStatus('eq1', 'reconnecting');
    await s.manager.whenStatus('comp1', 'reconnecting');
    // Each comes back on the path the other one had.
    await sim('comp1').replug(eqPath);
    await sim('eq1').replug(compPath);
    const [eq, comp] = await Promise.all([s.manager.whenStatus('eq1', 'online', 15_000), s.manager.whenStatus('comp1', 'online', 15_000)]);
    expect(eq.path).toBe(compPath);
    expect(comp.path).toBe(eqPath);
  });

  it('a unit of the same model with another serial, on the old path, is probed and not bound', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-real' }]);
    const oldPath = sim('eq1').address as string;
    await sim('eq1').unplug();
    await s.manager.whenStatus('eq1', 'reconnecting');
    // Someone else's EQ now answers where ours used to be (the driver tries the last good path first).
    const { SimUnit } = await import('../../../firmware-sim/units/sim-unit.ts');
    const stranger = new SimUnit({ model: 'eq', serial: 'EQ-stranger', pty: oldPath });
    await stranger.start();
    try {
      await waitFor('the stranger was probed', () => s?.statuses.some(([id, , why]) => id === 'eq1' && /serial EQ-stranger/.test(why ?? '')) === true);
      expect(s.manager.units()[0]?.status).toBe('reconnecting');
      expect(stranger.firmware.stats.setsIn).toBe(0);
      const ours = await sim('eq1').replug(`${s.dir}/elsewhere.pty`);
      const info = await s.manager.whenStatus('eq1', 'online', 15_000);
      expect(info.path).toBe(ours);
    } finally {
      await stranger.stop();
    }
  });
});
