import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureSnapshotState } from '../../../src/state/recall/capture-state.ts';
import { RecallChecklist } from '../../../src/state/recall/recall-checklist.ts';
import { recallSnapshot } from '../../../src/state/recall/recall-snapshot.ts';
import type { SnapshotState } from '../../../src/state/store/snapshot-state.ts';
import { makeStudio, pushToUnits, type Studio } from './recall-studio.ts';

const PULTEC_TARGET = {
  'outboard.pultec1.lowFreqHz': 100,
  'outboard.pultec1.lowBoost': 4,
  'outboard.pultec1.lowAtten': 2,
  'outboard.pultec1.highFreqHz': 12000,
  'outboard.pultec1.highBoost': 3,
  'outboard.pultec1.bypass': 1,
};

describe('recall sheet of a hand-set unit', () => {
  let studio: Studio;
  let saved: SnapshotState;
  beforeEach(async () => {
    studio = makeStudio({ units: ['eq1', 'pultec1'] });
    studio.params.setMany(PULTEC_TARGET, 'api');
    await pushToUnits(studio);
    saved = (
      await captureSnapshotState({ params: studio.params, units: [...studio.units.values()], routing: { insertUnits: ['pultec1', 'eq1'] }, calibration: null, loudness: null })
    ).state;
    // The engineer resets the Pultec by hand for another song (front panel reports each knob).
    const pultec = studio.units.get('pultec1')!;
    for (const [id, v] of Object.entries({ 'outboard.pultec1.lowFreqHz': 30, 'outboard.pultec1.lowBoost': 0, 'outboard.pultec1.lowAtten': 0, 'outboard.pultec1.highBoost': 0 })) {
      pultec.turn(id, v);
    }
  });
  afterEach(() => studio.dispose());

  it('is part of the recall report: targets as the panel reads, never sent to the unit', async () => {
    const pultec = studio.units.get('pultec1')!;
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables });
    expect(pultec.calls.recall).toBe(0);
    expect(report.units.find((u) => u.unitId === 'pultec1')).toMatchObject({ mode: 'manual', status: 'manual', written: false });
    expect(report.params.some((p) => p.unitId === 'pultec1')).toBe(false);
    expect(report.status).toBe('verified');

    const [sheet] = report.sheets;
    expect(sheet).toMatchObject({ unitId: 'pultec1', model: 'EQP-1', serial: 'EQP-0311', reporting: true });
    expect(sheet?.lines.map((l) => [l.label, l.targetText, l.detent, l.current, l.atTarget])).toEqual([
      ['Low frequency', '100 Hz', { position: 4, of: 4 }, 30, false],
      ['Low boost', '4', { position: 5, of: 11 }, 0, false],
      ['Low atten', '2', { position: 3, of: 11 }, 0, false],
      ['High frequency', '12 kHz', { position: 6, of: 7 }, 12000, true],
      ['High boost', '3', { position: 4, of: 11 }, 0, false],
      ['In', 'on', null, 1, true],
    ]);
  });

  it('ticks lines off as the front panel reports each knob at its target', async () => {
    const pultec = studio.units.get('pultec1')!;
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables });
    const checklist = new RecallChecklist(report.sheets[0]!, {
      watch: (l) => studio.params.watch(l),
      specOf: (id) => (studio.params.has(id) ? studio.params.spec(id) : undefined),
    });
    const events: string[] = [];
    checklist.on('line', (l) => events.push(`${l.id.split('.')[2]}:${l.done ? 'done' : 'open'}`));
    let completions = 0;
    checklist.on('complete', () => completions++);
    expect(checklist.remaining).toBe(4);

    pultec.turn('outboard.pultec1.lowFreqHz', 60); // one click short
    expect(checklist.lines[0]).toMatchObject({ current: 60, done: false });
    pultec.turn('outboard.pultec1.lowFreqHz', 100);
    expect(checklist.lines[0]).toMatchObject({ current: 100, done: true });
    // A tablet moving the parameter says nothing about the physical knob.
    studio.params.set('outboard.pultec1.lowBoost', 4, 'tablet:ipad');
    expect(checklist.lines[1]?.done).toBe(false);
    studio.params.set('outboard.pultec1.lowBoost', 0, 'tablet:ipad');
    pultec.turn('outboard.pultec1.lowBoost', 4);
    pultec.turn('outboard.pultec1.lowAtten', 2);
    expect(checklist.remaining).toBe(1);
    // Knocked off target again: the line turns back.
    pultec.turn('outboard.pultec1.lowBoost', 5);
    expect(checklist.remaining).toBe(2);
    pultec.turn('outboard.pultec1.lowBoost', 4);
    expect(completions).toBe(0);
    pultec.turn('outboard.pultec1.highBoost', 3);
    expect(checklist.complete).toBe(true);
    expect(completions).toBe(1);
    expect(events).toEqual([
      'lowFreqHz:open',
      'lowFreqHz:done',
      'lowBoost:done',
      'lowAtten:done',
      'lowBoost:open',
      'lowBoost:done',
      'highBoost:done',
    ]);

    checklist.dispose();
    pultec.turn('outboard.pultec1.highBoost', 0);
    expect(checklist.lines[4]?.done).toBe(true); // no longer listening
  });

  it('lets the engineer tick the lines of a unit that does not report its front panel', async () => {
    const quiet = makeStudio({ units: ['pultec1'], pultecReports: false });
    const report = await recallSnapshot({ state: { ...saved, outboard: saved.outboard.filter((u) => u.unitId === 'pultec1') } }, { params: quiet.params, units: quiet.recallables });
    const sheet = report.sheets[0]!;
    expect(sheet.reporting).toBe(false);
    expect(sheet.lines.every((l) => l.current === null && !l.atTarget)).toBe(true);
    const checklist = new RecallChecklist(sheet, { watch: (l) => quiet.params.watch(l), specOf: () => undefined });
    for (const line of sheet.lines) checklist.confirm(line.id);
    expect(checklist.complete).toBe(true);
    checklist.confirm(sheet.lines[0]!.id, false);
    expect(checklist.remaining).toBe(1);
    expect(() => checklist.confirm('outboard.pultec1.nothing')).toThrow(expect.objectContaining({ code: 'E_STORE_NOT_FOUND' }));
    checklist.dispose();
    quiet.dispose();
  });

  it('makes a sheet from the snapshot alone when the hand-set unit is not connected at all', async () => {
    const units = new Map(studio.units);
    units.delete('pultec1');
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units });
    expect(report.units.find((u) => u.unitId === 'pultec1')).toMatchObject({ status: 'manual', actual: null });
    expect(report.sheets[0]?.lines).toHaveLength(6);
    expect(report.sheets[0]?.reporting).toBe(false);
    expect(report.status).toBe('verified');
  });
});
