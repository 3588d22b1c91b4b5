import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureSnapshotState } from '../../../src/state/recall/capture-state.ts';
import { recallSnapshot, type RecallReport } from '../../../src/state/recall/recall-snapshot.ts';
import type { SnapshotState } from '../../../src/state/store/snapshot-state.ts';
import { makeStudio, pushToUnits, scramble, type Studio } from './recall-studio.ts';

async function capture(studio: Studio): Promise<SnapshotState> {
  const { state, problems } = await captureSnapshotState({
    params: studio.params,
    units: [...studio.units.values()],
    routing: { insertUnits: ['eq1', 'comp1', 'tape1'] },
    calibration: null,
    loudness: null,
  });
  expect(problems).toEqual([]);
  return state;
}

function unitOf(report: RecallReport, unitId: string) {
  const u = report.units.find((x) => x.unitId === unitId);
  if (!u) throw new Error(`no ${unitId} in the report`);
  return u;
}

function paramsOf(report: RecallReport, unitId: string | null) {
  return report.params.filter((p) => p.unitId === unitId);
}

describe('recallSnapshot', () => {
  let studio: Studio;
  let saved: SnapshotState;
  beforeEach(async () => {
    studio = makeStudio();
    scramble(studio.params, 11);
    await pushToUnits(studio);
    saved = await capture(studio);
    // Then the engineer moves on to another track: everything changes.
    scramble(studio.params, 99);
    await pushToUnits(studio);
  });
  afterEach(() => studio.dispose());

  it('sets the digital chain and every unit, and verifies all of it', async () => {
    const phases: string[] = [];
    const callsBefore = [...studio.units.values()].map((u) => u.calls.recall);
    const report = await recallSnapshot({ id: 7, state: saved }, { params: studio.params, units: studio.recallables }, { onPhase: (p) => phases.push(p) });

    expect(phases).toEqual(['recalling', 'verifying']);
    expect(report.snapshotId).toBe(7);
    expect(report.status).toBe('verified');
    const total = Object.keys(saved.digital).length + saved.outboard.reduce((n, u) => n + Object.keys(u.values).length, 0);
    expect(report.params).toHaveLength(total);
    expect(report.counts).toEqual({ matched: total, adjusted: 0, mismatched: 0, failed: 0 });
    expect(report.units.map((u) => [u.unitId, u.status, u.written])).toEqual([
      ['eq1', 'verified', true],
      ['comp1', 'verified', true],
      ['tape1', 'verified', true],
    ]);
    // The chain and the units really are at the snapshot.
    expect(studio.params.values()).toEqual({ ...saved.digital, ...Object.assign({}, ...saved.outboard.map((u) => u.values)) });
    for (const u of saved.outboard) expect(studio.units.get(u.unitId)?.values()).toEqual(u.values);
    // One whole-unit recall each, never overlapping (the fake refuses overlaps).
    expect([...studio.units.values()].map((u, i) => u.calls.recall - (callsBefore[i] ?? 0))).toEqual([1, 1, 1]);
  });

  it('sets the digital chain in one batch with source "recall"', async () => {
    const seen: { source: string; n: number }[] = [];
    studio.params.on('batch', (b) => seen.push({ source: b.source, n: b.changes.length }));
    await recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables });
    expect(seen[0]?.source).toBe('recall');
    expect(seen[0]?.n).toBeGreaterThan(100);
    // Unit read-backs are mirrored under each unit's own source, never as "recall".
    expect(seen.slice(1).map((s) => s.source)).toEqual(['outboard:eq1', 'outboard:comp1', 'outboard:tape1']);
  });

  it('reports "adjusted" when the unit snaps a value to its detent or resolution', async () => {
    const state = structuredClone(saved);
    // Values that the hardware cannot hold exactly (e.g. saved with an older profile).
    state.outboard[1]!.values['outboard.comp1.makeupDb'] = 3.3; // resolution 0.5 dB -> 3.5
    state.outboard[0]!.values['outboard.eq1.lowGainDb'] = 2.2; // 0.5 dB detents -> 2
    const report = await recallSnapshot({ state }, { params: studio.params, units: studio.recallables });
    const makeup = report.params.find((p) => p.id === 'outboard.comp1.makeupDb');
    const low = report.params.find((p) => p.id === 'outboard.eq1.lowGainDb');
    expect(makeup).toMatchObject({ expected: 3.3, actual: 3.5, result: 'adjusted' });
    expect(low).toMatchObject({ expected: 2.2, actual: 2, result: 'adjusted' });
    expect(report.counts.adjusted).toBe(2);
    expect(report.status).toBe('verified');
  });

  it('reports a unit with another serial as changed, does not write it, and recalls the rest', async () => {
    studio.units.get('comp1')!.setIdentity({ serial: 'VCA-9999' });
    const before = studio.units.get('comp1')!.values();
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables });

    expect(report.status).toBe('mismatch');
    const comp = unitOf(report, 'comp1');
    expect(comp).toMatchObject({ status: 'changed', code: 'E_RECALL_UNIT_CHANGED', written: false, actual: { serial: 'VCA-9999' }, expected: { serial: 'VCA-1187' } });
    expect(comp.reason).toMatch(/serial VCA-1187 -> VCA-9999/);
    expect(studio.units.get('comp1')!.values()).toEqual(before);
    // Nothing silently skipped: each of its parameters is in the report, failed, with what the unit holds now.
    const compParams = paramsOf(report, 'comp1');
    expect(compParams).toHaveLength(5);
    for (const p of compParams) {
      expect(p).toMatchObject({ result: 'failed', code: 'E_RECALL_UNIT_CHANGED' });
      expect(p.actual).toBe(before[p.id]);
    }
    expect(unitOf(report, 'eq1').status).toBe('verified');
    expect(unitOf(report, 'tape1').status).toBe('verified');
    expect(paramsOf(report, null).every((p) => p.result === 'matched')).toBe(true);
  });

  it('writes a changed unit when told to, still reporting the change', async () => {
    studio.units.get('tape1')!.setIdentity({ firmware: '1.0.0' });
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables }, { allowChangedUnits: true });
    expect(unitOf(report, 'tape1')).toMatchObject({ status: 'changed', code: 'E_RECALL_UNIT_CHANGED', written: true });
    expect(paramsOf(report, 'tape1').every((p) => p.result === 'matched')).toBe(true);
    expect(report.status).toBe('mismatch');
  });

  it('reports a unit that NAKs one parameter: that parameter failed, the rest verified', async () => {
    studio.units.get('eq1')!.nak('outboard.eq1.highFreqHz');
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables });
    const failed = report.params.filter((p) => p.result === 'failed');
    expect(failed.map((p) => [p.id, p.code])).toEqual([['outboard.eq1.highFreqHz', 'E_SERIAL_NAK']]);
    expect(failed[0]?.actual).not.toBe(failed[0]?.expected);
    expect(unitOf(report, 'eq1').status).toBe('mismatch');
    expect(unitOf(report, 'comp1').status).toBe('verified');
    expect(report.counts.failed).toBe(1);
    expect(report.status).toBe('mismatch');
  });

  it('reports a control that reads back wrong as mismatched, with the value it holds', async () => {
    studio.units.get('tape1')!.stick('outboard.tape1.biasPct', 12.5);
    const expected = saved.outboard[2]!.values['outboard.tape1.biasPct'];
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables });
    expect(report.params.find((p) => p.id === 'outboard.tape1.biasPct')).toMatchObject({ expected, actual: 12.5, result: 'mismatched' });
    // The ParamStore shows the truth, not the wish.
    expect(studio.params.get('outboard.tape1.biasPct')).toBe(12.5);
    expect(report.status).toBe('mismatch');
  });

  it('reports an absent unit and a unit that does not answer, and recalls the rest', async () => {
    const units = new Map(studio.units);
    units.delete('eq1');
    studio.units.get('tape1')!.offline = true;
    const report = await recallSnapshot({ state: saved }, { params: studio.params, units }, { unitTimeoutMs: 2_000 });
    expect(unitOf(report, 'eq1')).toMatchObject({ status: 'absent', code: 'E_RECALL_UNIT_ABSENT', actual: null, written: false });
    expect(unitOf(report, 'tape1')).toMatchObject({ status: 'absent', code: 'E_RECALL_UNIT_ABSENT', written: false });
    expect(unitOf(report, 'tape1').reason).toMatch(/does not answer/);
    expect(paramsOf(report, 'eq1').every((p) => p.result === 'failed' && p.code === 'E_RECALL_UNIT_ABSENT')).toBe(true);
    expect(paramsOf(report, 'eq1')).toHaveLength(9);
    expect(unitOf(report, 'comp1').status).toBe('verified');
    expect(report.status).toBe('mismatch');
  });

  it('times out a unit that never answers', async () => {
    const slow = makeStudio({ units: ['eq1'], latencyMs: 5_000 });
    const state = { ...saved, outboard: saved.outboard.filter((u) => u.unitId === 'eq1') };
    const report = await recallSnapshot({ state }, { params: slow.params, units: slow.recallables }, { unitTimeoutMs: 30 });
    expect(unitOf(report, 'eq1')).toMatchObject({ status: 'absent', code: 'E_RECALL_UNIT_ABSENT' });
    expect(unitOf(report, 'eq1').reason).toMatch(/no answer within 30 ms/);
    slow.dispose();
  });

  it('reports digital parameters this chain no longer has, or whose range changed, and sets the rest', async () => {
    const state = structuredClone(saved);
    state.digital['exciter.amountPct'] = 40;
    state.digital['comp.makeupDb'] = 30; // the range is 0..24 now
    const report = await recallSnapshot({ state }, { params: studio.params, units: studio.recallables });
    expect(report.params.find((p) => p.id === 'exciter.amountPct')).toMatchObject({ result: 'failed', code: 'E_PARAM_UNKNOWN', actual: null });
    expect(report.params.find((p) => p.id === 'comp.makeupDb')).toMatchObject({ result: 'failed', code: 'E_PARAM_RANGE' });
    expect(studio.params.get('eq.band3.gainDb')).toBe(saved.digital['eq.band3.gainDb']);
    expect(report.counts.failed).toBe(2);
  });

  it('lists units present now that the snapshot does not know', async () => {
    const state = { ...saved, outboard: saved.outboard.filter((u) => u.unitId !== 'tape1') };
    const report = await recallSnapshot({ state }, { params: studio.params, units: studio.recallables });
    expect(report.unitsNotInSnapshot).toEqual(['tape1']);
    expect(report.status).toBe('verified');
  });

  it('stops at once when aborted, rejecting with the abort reason', async () => {
    const slow = makeStudio({ perParamMs: 20 });
    scramble(slow.params, 5);
    const controller = new AbortController();
    const recall = recallSnapshot({ state: saved }, { params: slow.params, units: slow.recallables }, {
      signal: controller.signal,
      onPhase: (phase) => {
        if (phase === 'recalling') setTimeout(() => controller.abort(), 40);
      },
    });
    await expect(recall).rejects.toMatchObject({ name: 'AbortError' });
    // The units were told too: their pending writes stopped (9 + 5 + 4 params at 20 ms each).
    const written = [...slow.units.values()].reduce((n, u) => n + u.calls.paramsWritten, 0);
    expect(written).toBeLessThan(18);
    slow.dispose();
  });

  it('refuses to start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(recallSnapshot({ state: saved }, { params: studio.params, units: studio.recallables }, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(studio.units.get('eq1')!.calls.identity).toBe(1); // only capture's
  });
});
