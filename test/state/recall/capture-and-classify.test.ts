import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { defineParam } from '../../../src/params/param-spec.ts';
import { captureSnapshotState } from '../../../src/state/recall/capture-state.ts';
import { classifyParam } from '../../../src/state/recall/classify-param.ts';
import { recallSnapshot } from '../../../src/state/recall/recall-snapshot.ts';
import { SnapshotStore } from '../../../src/state/store/snapshot-store.ts';
import { tempDir } from '../store/store-fixture.ts';
import { makeStudio, pushToUnits, scramble, type Studio } from './recall-studio.ts';

describe('captureSnapshotState -> store -> recall', () => {
  let studio: Studio;
  let tmp: ReturnType<typeof tempDir>;
  let store: SnapshotStore;
  beforeEach(async () => {
    studio = makeStudio({ units: ['eq1', 'comp1', 'tape1', 'pultec1'] });
    tmp = tempDir();
    store = await SnapshotStore.open(tmp.file('s.sqlite'), { log: silentLogger() });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
    studio.dispose();
  });

  it('captures every value with each unit identity and mode, and a stored snapshot recalls verified', async () => {
    scramble(studio.params, 3);
    await pushToUnits(studio);
    const { state, problems } = await captureSnapshotState({
      params: studio.params,
      units: [...studio.units.values()],
      routing: { insertUnits: ['eq1', 'comp1'] },
      surfacePages: { xtouch: 'eq', streamdeck: 'snapshots' },
      calibration: { route: { interface: 'Sim', sendChannels: [3, 4], returnChannels: [3, 4], sampleRateHz: 48000, blockSize: 256 }, latencySamples: 61, gainDb: 0, polarity: 1 },
      loudness: { integratedLufs: -13.8, loudnessRangeLu: 6.2, truePeakDbtp: -1 },
      note: 'vocal up',
    });
    expect(problems).toEqual([]);
    expect(Object.keys(state.digital)).toHaveLength(studio.params.ids().filter((id) => !id.startsWith('outboard.')).length);
    expect(state.outboard.map((u) => [u.unitId, u.serial, u.recallMode, Object.keys(u.values).length])).toEqual([
      ['eq1', 'MEQ-0042', 'electronic', 9],
      ['comp1', 'VCA-1187', 'electronic', 5],
      ['tape1', 'TP-0007', 'electronic', 4],
      ['pultec1', 'EQP-0311', 'manual', 6],
    ]);

    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const id = store.saveSnapshot({ project: p, track: t, name: 'v1', state });

    scramble(studio.params, 4);
    await pushToUnits(studio);
    const report = await recallSnapshot(store.getSnapshot(id), { params: studio.params, units: studio.recallables });
    expect(report.status).toBe('verified');
    expect(report.snapshotId).toBe(id);
    expect(report.sheets.map((s) => s.unitId)).toEqual(['pultec1']);
    expect(studio.params.values('eq.')).toEqual(Object.fromEntries(Object.entries(state.digital).filter(([k]) => k.startsWith('eq.'))));
  });

  it('leaves out a unit that does not answer, and says so', async () => {
    studio.units.get('tape1')!.offline = true;
    const { state, problems } = await captureSnapshotState({
      params: studio.params,
      units: [...studio.units.values()],
      routing: { insertUnits: [] },
      calibration: null,
      loudness: null,
      unitTimeoutMs: 500,
    });
    expect(state.outboard.map((u) => u.unitId)).toEqual(['eq1', 'comp1', 'pultec1']);
    expect(problems.map((x) => [x.unitId, x.code])).toEqual([['tape1', 'E_RECALL_UNIT_ABSENT']]);
    expect(problems[0]?.message).toMatch(/tape1 was not saved: tape1 does not answer/);
  });
});

describe('classifyParam', () => {
  const gain = defineParam({ id: 'outboard.x.gainDb', label: 'Gain', kind: 'continuous', unit: 'dB', min: -20, max: 20, default: 0 });
  const stepped = defineParam({ id: 'outboard.x.freqHz', label: 'Freq', kind: 'stepped', unit: 'Hz', min: 30, max: 120, default: 60, steps: [30, 60, 120] });

  it('tells matched, adjusted, mismatched and failed apart', () => {
    expect(classifyParam(1.5, 1.5 + 1e-9, gain).result).toBe('matched');
    expect(classifyParam(1.5, 1.6, gain).result).toBe('mismatched'); // the unit did not say it rounded
    expect(classifyParam(1.5, 1.6, gain, { id: gain.id, ok: true, value: 1.6 }).result).toBe('adjusted');
    // "Adjusted" is about a detent or resolution, not a value far away that the unit claims.
    expect(classifyParam(1.5, 8, gain, { id: gain.id, ok: true, value: 8 }).result).toBe('mismatched');
    expect(classifyParam(1.5, 1.6, gain, { id: gain.id, ok: true, value: 1.5 }).result).toBe('mismatched');
    expect(classifyParam(50, 60, stepped).result).toBe('adjusted');
    expect(classifyParam(50, 30, stepped).result).toBe('mismatched');
    expect(classifyParam(60, 60, stepped).result).toBe('matched');
    expect(classifyParam(60, null, stepped)).toMatchObject({ result: 'failed', reason: 'the value could not be read back' });
    expect(classifyParam(60, 60, stepped, { id: stepped.id, ok: false, code: 'E_SERIAL_TIMEOUT', reason: 'no answer' })).toEqual({
      result: 'failed',
      code: 'E_SERIAL_TIMEOUT',
      reason: 'no answer',
    });
  });
});
