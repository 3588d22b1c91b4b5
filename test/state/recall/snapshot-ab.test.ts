import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureSnapshotState } from '../../../src/state/recall/capture-state.ts';
import { SnapshotAB } from '../../../src/state/recall/snapshot-ab.ts';
import { diffSnapshots } from '../../../src/state/recall/snapshot-diff.ts';
import type { SnapshotState } from '../../../src/state/store/snapshot-state.ts';
import type { Snapshot } from '../../../src/state/store/store-types.ts';
import { makeState } from '../store/store-fixture.ts';
import { makeStudio, pushToUnits, type Studio } from './recall-studio.ts';

describe('diffSnapshots', () => {
  it('lists every differing value, digital and outboard, including ones only one side has', () => {
    const a = makeState(1, { digitalCount: 3, unitCounts: [2, 2] });
    const b = structuredClone(a);
    b.digital['eq.band1.gainDb'] = 5;
    delete b.digital['eq.band2.gainDb'];
    b.digital['width.amount'] = 120;
    b.outboard[1]!.values['outboard.unit2.p1'] = 42;
    b.outboard[0]!.firmware = '9.9.9'; // identity is not a value
    b.note = 'other note';
    expect(diffSnapshots(a, b)).toEqual([
      { id: 'eq.band1.gainDb', unitId: null, a: a.digital['eq.band1.gainDb'], b: 5 },
      { id: 'eq.band2.gainDb', unitId: null, a: a.digital['eq.band2.gainDb'], b: null },
      { id: 'width.amount', unitId: null, a: null, b: 120 },
      { id: 'outboard.unit2.p1', unitId: 'unit2', a: a.outboard[1]!.values['outboard.unit2.p1'], b: 42 },
    ]);
    expect(diffSnapshots(a, a)).toEqual([]);
  });

  it('covers units present in only one snapshot', () => {
    const a = makeState(1, { digitalCount: 1, unitCounts: [1] });
    const b = makeState(1, { digitalCount: 1, unitCounts: [1, 2] });
    expect(diffSnapshots(a, b)).toEqual([
      { id: 'outboard.unit2.p0', unitId: 'unit2', a: null, b: b.outboard[1]!.values['outboard.unit2.p0'] },
      { id: 'outboard.unit2.p1', unitId: 'unit2', a: null, b: b.outboard[1]!.values['outboard.unit2.p1'] },
    ]);
  });
});

describe('SnapshotAB', () => {
  let studio: Studio;
  let a: Snapshot;
  let b: Snapshot;
  const snap = (id: number, trackId: number, state: SnapshotState): Snapshot => ({ id, trackId, projectId: 1, name: `s${id}`, createdAt: '2025-01-01T00:00:00.000Z', state });
  const capture = async (): Promise<SnapshotState> =>
    (await captureSnapshotState({ params: studio.params, units: [...studio.units.values()], routing: { insertUnits: [] }, calibration: null, loudness: null })).state;

  beforeEach(async () => {
    studio = makeStudio();
    a = snap(1, 10, await capture());
    studio.params.setMany({ 'eq.band2.gainDb': 3, 'limiter.ceilingDbtp': -0.5, 'outboard.eq1.highGainDb': 1.5, 'outboard.tape1.driveDb': 4 }, 'api');
    await pushToUnits(studio);
    b = snap(2, 10, await capture());
  });
  afterEach(() => studio.dispose());

  it('switches the whole state, sending the units only what differs after the first switch', async () => {
    const ab = new SnapshotAB(a, b, { params: studio.params, units: studio.recallables });
    expect(ab.diff.map((d) => d.id)).toEqual(['eq.band2.gainDb', 'limiter.ceilingDbtp', 'outboard.eq1.highGainDb', 'outboard.tape1.driveDb']);
    expect(ab.active).toBeNull();

    const first = await ab.toggle();
    expect(ab.active).toBe('a');
    expect(first.status).toBe('verified');
    expect(studio.params.get('eq.band2.gainDb')).toBe(0);
    expect(Object.keys(studio.units.get('eq1')!.lastRecall ?? {})).toHaveLength(9); // complete

    const comp = studio.units.get('comp1')!;
    const compCalls = comp.calls.recall;
    const second = await ab.toggle();
    expect(ab.active).toBe('b');
    expect(second.status).toBe('verified');
    expect(studio.params.get('eq.band2.gainDb')).toBe(3);
    expect(studio.params.get('outboard.tape1.driveDb')).toBe(4);
    expect(studio.units.get('eq1')!.lastRecall).toEqual({ 'outboard.eq1.highGainDb': 1.5 });
    expect(studio.units.get('tape1')!.lastRecall).toEqual({ 'outboard.tape1.driveDb': 4 });
    // comp1 is the same in both: not touched, and reported so.
    expect(comp.calls.recall).toBe(compCalls);
    expect(second.units.find((u) => u.unitId === 'comp1')?.status).toBe('untouched');

    // A knob moved between switches is put back too.
    studio.units.get('comp1')!.turn('outboard.comp1.ratio', 10);
    const third = await ab.toggle();
    expect(ab.active).toBe('a');
    expect(third.status).toBe('verified');
    expect(comp.lastRecall).toEqual({ 'outboard.comp1.ratio': a.state.outboard[1]!.values['outboard.comp1.ratio'] });
    expect(studio.params.get('eq.band2.gainDb')).toBe(0);
    expect(studio.units.get('eq1')!.values()['outboard.eq1.highGainDb']).toBe(0);
  });

  it('refuses snapshots of two different tracks', () => {
    expect(() => new SnapshotAB(a, { ...b, trackId: 11 }, { params: studio.params, units: studio.recallables })).toThrow(
      expect.objectContaining({ code: 'E_RECALL_AB_TRACKS' }),
    );
  });

  it('refuses a second switch while one is running', async () => {
    const ab = new SnapshotAB(a, b, { params: studio.params, units: studio.recallables });
    const running = ab.toggle();
    expect(ab.busy).toBe(true);
    await expect(ab.toggle()).rejects.toMatchObject({ code: 'E_RECALL_BUSY' });
    await running;
    expect(ab.busy).toBe(false);
    expect(ab.active).toBe('a');
  });
});
