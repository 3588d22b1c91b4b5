import { describe, expect, it } from 'vitest';
import { ParamStore } from '../../../src/params/param-store.ts';
import { LiveRecallSheets, type LiveSheetsView } from '../../../src/state/recall/live-recall-sheets.ts';
import { buildRecallSheet } from '../../../src/state/recall/recall-sheet.ts';
import type { OutboardUnitState } from '../../../src/state/store/snapshot-state.ts';

const STEPS = [0, 1, 2, 3, 4, 5, 6];

function setup(): { params: ParamStore; sheets: LiveRecallSheets; views: LiveSheetsView[] } {
  const params = new ParamStore();
  params.register([
    { id: 'outboard.peq1.lowBoostDb', label: 'Low boost', kind: 'stepped', unit: 'dB', min: 0, max: 6, default: 0, steps: STEPS },
    { id: 'outboard.peq1.highBoostDb', label: 'High boost', kind: 'stepped', unit: 'dB', min: 0, max: 6, default: 0, steps: STEPS },
  ]);
  const sheets = new LiveRecallSheets({
    watch: (l) => params.watch(l),
    specOf: (id) => (params.has(id) ? params.spec(id) : undefined),
    current: (id) => (params.has(id) ? params.get(id) : undefined),
  });
  const views: LiveSheetsView[] = [];
  sheets.on('change', (v) => views.push(v));
  return { params, sheets, views };
}

const UNIT: OutboardUnitState = {
  unitId: 'peq1',
  model: 'HB-PEQ1',
  serial: 'PEQ-0001',
  firmware: '1.0.0',
  recallMode: 'manual',
  values: { 'outboard.peq1.lowBoostDb': 4, 'outboard.peq1.highBoostDb': 2 },
};

describe('LiveRecallSheets', () => {
  it('a unit that does not report its panel: lines are ticked by hand; a new recall replaces the sheets; dismiss clears them', () => {
    const { params, sheets, views } = setup();
    sheets.show({ snapshotId: 7, sheets: [buildRecallSheet(UNIT, (id) => params.spec(id), null)] });
    expect(views.at(-1)).toMatchObject({ snapshotId: 7, sheets: [{ unitId: 'peq1', reporting: false, remaining: 2, complete: false }] });
    // A store change from elsewhere says nothing about the knob.
    params.set('outboard.peq1.lowBoostDb', 4, 'api');
    expect(sheets.view().sheets[0]?.remaining).toBe(2);

    sheets.confirm('peq1', 'outboard.peq1.lowBoostDb');
    expect(sheets.view().sheets[0]?.lines.map((l) => [l.id, l.confirmed, l.done])).toEqual([
      ['outboard.peq1.lowBoostDb', true, true],
      ['outboard.peq1.highBoostDb', false, false],
    ]);
    sheets.confirm('peq1', 'outboard.peq1.highBoostDb');
    expect(views.at(-1)?.sheets[0]).toMatchObject({ remaining: 0, complete: true });
    sheets.confirm('peq1', 'outboard.peq1.highBoostDb', false);
    expect(views.at(-1)?.sheets[0]?.remaining).toBe(1);
    expect(() => sheets.confirm('eq9', 'x')).toThrow(expect.objectContaining({ code: 'E_STORE_NOT_FOUND' }));

    sheets.show({ snapshotId: 8, sheets: [] });
    expect(views.at(-1)).toEqual({ snapshotId: 8, sheets: [] });
    sheets.dismiss();
    expect(views.at(-1)).toEqual({ snapshotId: null, sheets: [] });
    sheets.dispose();
  });

  it('a reporting unit: starts from what the store holds now (a knob moved after the read-back), then follows its notifications', () => {
    const { params, sheets, views } = setup();
    // Read back at 1 and 2; by the time the sheet is shown the low knob already reports 4.
    const sheet = buildRecallSheet(UNIT, (id) => params.spec(id), { 'outboard.peq1.lowBoostDb': 1, 'outboard.peq1.highBoostDb': 2 });
    params.set('outboard.peq1.highBoostDb', 2, 'outboard:peq1');
    params.set('outboard.peq1.lowBoostDb', 4, 'outboard:peq1');
    sheets.show({ snapshotId: 3, sheets: [sheet] });
    expect(sheets.view().sheets[0]).toMatchObject({ reporting: true, remaining: 0, complete: true });
    params.set('outboard.peq1.highBoostDb', 3, 'outboard:peq1');
    expect(views.at(-1)?.sheets[0]?.lines.find((l) => l.id === 'outboard.peq1.highBoostDb')).toMatchObject({ current: 3, done: false });
    params.set('outboard.peq1.highBoostDb', 2, 'outboard:peq1');
    expect(views.at(-1)?.sheets[0]).toMatchObject({ remaining: 0, complete: true });
    sheets.dispose();
    params.set('outboard.peq1.highBoostDb', 5, 'outboard:peq1');
    expect(views.at(-1)?.sheets[0]?.remaining).toBe(0);
  });
});
