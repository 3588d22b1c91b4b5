import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecallableOutboardUnit } from '../../../src/devices/serial/recallable-outboard-unit.ts';
import { requireTool } from '../../support/require-tool.ts';
import { startStudio, unitValues, waitFor, type Studio } from './support/studio.ts';

const socat = requireTool('socat');

for (const transport of ['pty', 'tcp'] as const) {
  describe.skipIf(transport === 'pty' && !socat.ok)(`outboard driver against firmware-sim over ${transport}${transport === 'pty' && !socat.ok ? ` (${socat.reason})` : ''}`, () => {
    let s: Studio;
    beforeAll(async () => {
      s = await startStudio([
        { id: 'eq1', model: 'eq', serial: `EQ-${transport}`, transport },
        { id: 'comp1', model: 'comp', serial: `BC-${transport}`, transport },
        { id: 'sw1', model: 'switcher', serial: `IS-${transport}`, transport },
        { id: 'peq1', model: 'passive', serial: `PEQ-${transport}`, transport },
      ]);
    }, 30_000);
    afterAll(async () => s?.stop());

    const sim = (id: string) => s.sims.get(id) as NonNullable<ReturnType<Studio['sims']['get']>>;

    it('binds each unit by the serial in its identity and reports it online', () => {
      expect(s.manager.identity('eq1')).toMatchObject({ model: 'HB-SEQ4', vendor: 'Hollowbrook', serial: `EQ-${transport}`, protocol: 1, params: 31 });
      const units = s.manager.units();
      expect(units.map((u) => [u.id, u.status, u.model])).toEqual([
        ['eq1', 'online', 'HB-SEQ4'],
        ['comp1', 'online', 'HB-BC2'],
        ['sw1', 'online', 'HB-IS6'],
        ['peq1', 'online', 'HB-PEQ1'],
      ]);
      expect(units[0]?.path).toBe(sim('eq1').address);
      expect(s.statuses.filter(([id]) => id === 'eq1').map(([, st]) => st)).toEqual(['connecting', 'online']);
    });

    it('the store starts with what the units report', () => {
      for (const id of ['eq1', 'comp1', 'sw1', 'peq1']) expect(s.store.values(`outboard.${id}.`)).toEqual(unitValues(sim(id), id));
    });

    it('a store change reaches the unit, snapped to its detent, and the store holds what the unit acknowledged', async () => {
      s.store.set('outboard.eq1.ch1.band3.gainDb', 2.2, 'tablet:t1');
      s.store.set('outboard.comp1.thresholdDb', -12.34, 'tablet:t1');
      await s.manager.idle('eq1');
      await s.manager.idle('comp1');
      expect(sim('eq1').firmware.values()['ch1.band3.gainDb']).toBe(2);
      expect(s.store.get('outboard.eq1.ch1.band3.gainDb')).toBe(2);
      // A continuous control with the unit's 0.1 dB resolution: the store rounds to it at once,
      // so what the unit acknowledges is already what the store holds (no second change).
      expect(sim('comp1').firmware.values().thresholdDb).toBe(-12.3);
      expect(s.store.get('outboard.comp1.thresholdDb')).toBe(-12.3);
      expect(s.changes.filter((c) => c.id === 'outboard.comp1.thresholdDb').map((c) => [c.value, c.source])).toEqual([[-12.3, 'tablet:t1']]);
    });

    it('recalls all 31 EQ parameters and verifies each by reading the unit back', async () => {
      const targets: Record<string, number> = {};
      for (const e of s.store.list('outboard.eq1.')) {
        const steps = e.steps as readonly number[];
        targets[e.id] = steps[(steps.indexOf(e.value) + 2) % steps.length] as number;
      }
      const r = await s.manager.recall('eq1', targets);
      expect(r.mode).toBe('electronic');
      expect(r.results).toHaveLength(31);
      expect(r.results.filter((x) => x.status !== 'verified')).toEqual([]);
      expect(r.ok).toBe(true);
      expect(unitValues(sim('eq1'), 'eq1')).toEqual(targets);
      expect(s.store.values('outboard.eq1.')).toEqual(targets);
    });

    it('a front-panel change updates the store with source outboard:<unit> and is not written back', async () => {
      const setsBefore = sim('eq1').firmware.stats.setsIn;
      sim('eq1').panel('ch2.band4.gainDb', -3);
      await waitFor('panel change in the store', () => s.store.get('outboard.eq1.ch2.band4.gainDb') === -3);
      expect(s.changes.filter((c) => c.id === 'outboard.eq1.ch2.band4.gainDb').at(-1)?.source).toBe('outboard:eq1');
      await s.manager.idle('eq1');
      expect(sim('eq1').firmware.stats.setsIn).toBe(setsBefore);
    });

    it('the switcher keeps its loop order a permutation and the store follows the swap', async () => {
      s.store.set('outboard.sw1.loop1.position', 3, 'api');
      await waitFor('swap notified', () => s.store.get('outboard.sw1.loop3.position') === 1);
      expect(s.store.get('outboard.sw1.loop1.position')).toBe(3);
      expect(sim('sw1').firmware.values()['loop3.position']).toBe(1);
    });

    it('reports the compressor gain reduction as events', async () => {
      const seen: number[] = [];
      const on = (e: { unitId: string; gainReductionDb: number }): void => void (e.unitId === 'comp1' && seen.push(e.gainReductionDb));
      s.manager.on('gainReduction', on);
      s.store.set('outboard.comp1.release', 0, 'api'); // 0.1 s: the meter falls back quickly
      sim('comp1').setInputLevel(-2); // 10 dB over a -12.3 dB threshold at 2:1: about 5 dB
      await waitFor('gain reduction above 3 dB', () => seen.some((v) => v > 3));
      sim('comp1').setInputLevel(-60);
      await waitFor('gain reduction back to 0', () => seen.at(-1) === 0);
      s.manager.off('gainReduction', on);
    });

    it('a hand-set unit is never written: the store snaps back to its switches, its panel drives the store', async () => {
      const before = sim('peq1').firmware.values().lowBoostDb;
      s.store.set('outboard.peq1.lowBoostDb', 5, 'tablet:t1');
      await waitFor('store back to the unit value', () => s.store.get('outboard.peq1.lowBoostDb') === before);
      sim('peq1').panel('lowBoostDb', 7);
      await waitFor('panel in the store', () => s.store.get('outboard.peq1.lowBoostDb') === 7);
      expect(sim('peq1').firmware.stats.setsIn).toBe(0);
      const r = await s.manager.recall('peq1', { lowBoostDb: 3, highFreqHz: 8000 });
      expect(r.mode).toBe('manual');
      expect(r.results.map((x) => [x.name, x.status, x.actual])).toEqual([
        ['lowBoostDb', 'mismatched', 7],
        ['highFreqHz', 'verified', 8000],
      ]);
    });

    it('refuses bad recall input without writing anything', async () => {
      await expect(s.manager.recall('eq1', { 'ch1.nope': 1 })).rejects.toMatchObject({ code: 'E_PARAM_UNKNOWN' });
      await expect(s.manager.recall('eq1', { 'ch1.band2.gainDb': 1, 'ch1.outputDb': 40 })).rejects.toMatchObject({ code: 'E_PARAM_RANGE' });
      await expect(s.manager.recall('nope', {})).rejects.toMatchObject({ code: 'E_DEVICE_NOT_FOUND' });
    });

    it('serves the recall seam of src/state: live identity, per-parameter answers, a read from the hardware', async () => {
      const comp = s.manager.recallableUnits().find((u) => u.id === 'comp1') as RecallableOutboardUnit;
      expect(comp.recallMode).toBe('electronic');
      expect(await comp.identity()).toEqual({ model: 'HB-BC2', firmware: '2.1.0', serial: `BC-${transport}` });
      const results = await comp.recall({ 'outboard.comp1.ratio': 4, 'outboard.comp1.thresholdDb': -20.06, 'outboard.comp1.nope': 1 });
      expect(results).toEqual([
        { id: 'outboard.comp1.ratio', ok: true, value: 4 },
        { id: 'outboard.comp1.thresholdDb', ok: true, value: -20.1 },
        expect.objectContaining({ id: 'outboard.comp1.nope', ok: false, code: 'E_PARAM_UNKNOWN' }),
      ]);
      const read = await comp.read();
      expect(read['outboard.comp1.ratio']).toBe(4);
      expect(read['outboard.comp1.thresholdDb']).toBe(-20.1);
      const peq = s.manager.recallableUnits().find((u) => u.id === 'peq1') as RecallableOutboardUnit;
      expect(peq.recallMode).toBe('manual');
      await expect(peq.recall({})).rejects.toMatchObject({ code: 'E_DEVICE_UNAVAILABLE' });
      await expect(comp.read({ signal: AbortSignal.abort() })).rejects.toBeDefined();
    });
  });
}
