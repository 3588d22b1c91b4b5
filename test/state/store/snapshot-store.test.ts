import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { SnapshotStore } from '../../../src/state/store/snapshot-store.ts';
import { STORE_SCHEMA_VERSION } from '../../../src/state/store/migrations.ts';
import { snapshotLoudnessFrom, type SnapshotState } from '../../../src/state/store/snapshot-state.ts';
import { makeState, tempDir } from './store-fixture.ts';

const log = silentLogger();

describe('SnapshotStore', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SnapshotStore;
  beforeEach(async () => {
    tmp = tempDir();
    store = await SnapshotStore.open(tmp.file('bridge.sqlite'), { log, now: () => new Date('2025-03-01T10:00:00.000Z') });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('creates a new file at the current schema version, in WAL mode', () => {
    expect(store.schemaVersion).toBe(STORE_SCHEMA_VERSION);
    expect(store.migratedFrom).toBeNull();
    expect(store.backupFile).toBeNull();
    const raw = new Database(tmp.file('bridge.sqlite'), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(STORE_SCHEMA_VERSION);
    raw.close();
  });

  it('keeps projects with ordered tracks and their snapshots', () => {
    const album = store.createProject('Night Drive');
    const t1 = store.addTrack(album, 'Intro');
    const t3 = store.addTrack(album, 'Outro');
    const t2 = store.addTrack('Night Drive', 'Highway', { position: 1 });
    const s1 = store.saveSnapshot({ project: album, track: t2, name: 'v1', state: makeState(1) });
    const s2 = store.saveSnapshot({ project: 'Night Drive', track: 'Highway', name: 'v2 brighter', state: makeState(2) });

    const [project] = store.listProjects();
    expect(project?.name).toBe('Night Drive');
    expect(project?.tracks.map((t) => [t.id, t.position, t.name])).toEqual([
      [t1, 0, 'Intro'],
      [t2, 1, 'Highway'],
      [t3, 2, 'Outro'],
    ]);
    const highway = project?.tracks[1];
    expect(highway?.snapshots.map((s) => [s.id, s.name, s.valueCount])).toEqual([
      [s1, 'v1', 54],
      [s2, 'v2 brighter', 54],
    ]);
    expect(highway?.snapshots[0]?.units.map((u) => u.serial)).toEqual(['SN-1000', 'SN-1001']);
    expect(highway?.snapshots[0]?.loudness).toEqual(makeState(1).loudness);

    store.reorderTracks(album, [t3, t1, t2]);
    expect(store.getProject(album).tracks.map((t) => t.name)).toEqual(['Outro', 'Intro', 'Highway']);
    store.deleteTrack(t1);
    expect(store.getProject(album).tracks.map((t) => [t.name, t.position])).toEqual([
      ['Outro', 0],
      ['Highway', 1],
    ]);
  });

  it('gives back exactly the state it was given, value order included', () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const state = makeState(7, { digitalCount: 130, unitCounts: [20, 12, 9] });
    // A value order that is not alphabetical: the order of the front panel must survive.
    state.digital = { 'zeta.gainDb': 1.5, 'alpha.gainDb': -3, ...state.digital };
    const id = store.saveSnapshot({ project: p, track: t, name: 'master', state });
    const back = store.getSnapshot(id);
    expect(back).toMatchObject({ id, trackId: t, projectId: p, name: 'master', createdAt: '2025-03-01T10:00:00.000Z' });
    expect(back.state).toEqual(state);
    expect(Object.keys(back.state.digital)).toEqual(Object.keys(state.digital));
    expect(Object.keys(back.state.outboard[0]?.values ?? {})).toEqual(Object.keys(state.outboard[0]?.values ?? {}));
  });

  it('stores a snapshot without calibration or loudness as null', () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const id = store.saveSnapshot({ project: p, track: t, name: 'raw', state: makeState(3, { loudness: false, calibration: false }) });
    expect(store.getSnapshot(id).state.calibration).toBeNull();
    expect(store.getSnapshot(id).state.loudness).toBeNull();
  });

  it('refuses an invalid state with E_SNAPSHOT_INVALID and writes nothing', () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const bad: SnapshotState[] = [
      { ...makeState(1), digital: { 'eq.gainDb': Number.NaN } },
      { ...makeState(1), digital: { 'outboard.unit1.p0': 1 } },
      { ...makeState(1), outboard: [{ ...makeState(1).outboard[0]!, values: { 'outboard.other.p0': 1 } }] },
      { ...makeState(1), outboard: [makeState(1).outboard[0]!, makeState(1).outboard[0]!] },
      { ...makeState(1), loudness: { integratedLufs: Number.NEGATIVE_INFINITY, loudnessRangeLu: 0, truePeakDbtp: -1 } },
    ];
    for (const state of bad) {
      expect(() => store.saveSnapshot({ project: p, track: t, name: 'x', state })).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT_INVALID' }));
    }
    expect(store.getProject(p).tracks[0]?.snapshots).toEqual([]);
    expect(() => store.saveSnapshot({ project: p, track: t, name: '  ', state: makeState(1) })).toThrow(
      expect.objectContaining({ code: 'E_SNAPSHOT_INVALID' }),
    );
  });

  it('answers E_STORE_NOT_FOUND for unknown ids and names, E_STORE_CONFLICT for taken names', () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const other = store.createProject('Other');
    const code = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: unknown }).code;
      }
      return 'no error';
    };
    expect(code(() => store.getSnapshot(999))).toBe('E_STORE_NOT_FOUND');
    expect(code(() => store.deleteSnapshot(999))).toBe('E_STORE_NOT_FOUND');
    expect(code(() => store.saveSnapshot({ project: 'Nope', track: t, name: 'x', state: makeState(1) }))).toBe('E_STORE_NOT_FOUND');
    // The track exists, but in another project.
    expect(code(() => store.saveSnapshot({ project: other, track: t, name: 'x', state: makeState(1) }))).toBe('E_STORE_NOT_FOUND');
    expect(code(() => store.createProject('EP'))).toBe('E_STORE_CONFLICT');
    expect(code(() => store.addTrack(p, 'One'))).toBe('E_STORE_CONFLICT');
    expect(code(() => store.reorderTracks(p, [t, t]))).toBe('E_STORE_NOT_FOUND');
  });

  it('renames, re-notes and deletes snapshots; deleting a project removes everything under it', () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const a = store.saveSnapshot({ project: p, track: t, name: 'a', state: makeState(1) });
    const b = store.saveSnapshot({ project: p, track: t, name: 'b', state: makeState(2) });
    store.updateSnapshot(a, { name: 'a final', note: 'approved by the band' });
    expect(store.getSnapshot(a).name).toBe('a final');
    expect(store.getSnapshot(a).state.note).toBe('approved by the band');
    store.deleteSnapshot(b);
    expect(store.getProject(p).tracks[0]?.snapshots.map((s) => s.id)).toEqual([a]);
    store.deleteProject(p);
    expect(store.listProjects()).toEqual([]);
    expect(() => store.getSnapshot(a)).toThrow(expect.objectContaining({ code: 'E_STORE_NOT_FOUND' }));
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('keeps one calibration per route', () => {
    const route = { interface: 'RME', sendChannels: [3, 4], returnChannels: [3, 4], sampleRateHz: 48000, blockSize: 256 };
    const other = { ...route, sampleRateHz: 96000 };
    store.saveCalibration({ route, latencySamples: 61, gainDb: -0.3, polarity: 1 }, new Date('2025-01-01T00:00:00Z'));
    store.saveCalibration({ route: other, latencySamples: 118, gainDb: -0.2, polarity: -1 });
    store.saveCalibration({ route, latencySamples: 62, gainDb: -0.1, polarity: 1 }, new Date('2025-02-01T00:00:00Z'));
    expect(store.getCalibration(route)).toEqual({ route, latencySamples: 62, gainDb: -0.1, polarity: 1, measuredAt: '2025-02-01T00:00:00.000Z' });
    expect(store.getCalibration(other)?.latencySamples).toBe(118);
    expect(store.getCalibration({ ...route, blockSize: 512 })).toBeNull();
    expect(store.listCalibrations()).toHaveLength(2);
    expect(() => store.saveCalibration({ route, latencySamples: -1, gainDb: 0, polarity: 1 })).toThrow(
      expect.objectContaining({ code: 'E_SNAPSHOT_INVALID' }),
    );
  });

  it('resumes the live session after a restart, and forgets what was deleted', async () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const s = store.saveSnapshot({ project: p, track: t, name: 'a', state: makeState(1) });
    expect(store.loadSession()).toBeNull();
    const units = [{ unitId: 'unit1', model: 'HB-SEQ4', serial: 'EQ-0001', firmware: '1.4.2' }];
    store.saveSession({ projectId: p, trackId: t, snapshotId: s, values: { 'eq.band1.gainDb': 2.5, 'outboard.unit1.p0': 10 }, units });
    store.close();

    store = await SnapshotStore.open(tmp.file('bridge.sqlite'), { log });
    expect(store.loadSession()).toEqual({
      projectId: p,
      trackId: t,
      snapshotId: s,
      values: { 'eq.band1.gainDb': 2.5, 'outboard.unit1.p0': 10 },
      // Which unit the outboard values belong to (schema v3): a swapped unit is not written them.
      units,
      savedAt: '2025-03-01T10:00:00.000Z',
    });
    store.deleteSnapshot(s);
    expect(store.loadSession()?.snapshotId).toBeNull();
    expect(store.loadSession()?.trackId).toBe(t);
    expect(() => store.saveSession({ projectId: 999, trackId: null, snapshotId: null, values: {} })).toThrow(
      expect.objectContaining({ code: 'E_STORE_NOT_FOUND' }),
    );
  });

  it('answers a damaged session row as "no session" instead of refusing to start', async () => {
    store.saveSession({ projectId: null, trackId: null, snapshotId: null, values: { 'eq.gainDb': 1 } });
    store.close();
    const raw = new Database(tmp.file('bridge.sqlite'));
    raw.prepare("UPDATE session SET values_json = '{not json'").run();
    raw.close();
    store = await SnapshotStore.open(tmp.file('bridge.sqlite'), { log });
    expect(store.loadSession()).toBeNull();
  });

  it('refuses to read a snapshot whose values were damaged outside the daemon', () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const id = store.saveSnapshot({ project: p, track: t, name: 'a', state: makeState(1) });
    const raw = new Database(tmp.file('bridge.sqlite'));
    raw.prepare("DELETE FROM snapshot_values WHERE snapshot_id = ? AND param_id = 'eq.band0.gainDb'").run(id);
    raw.close();
    expect(() => store.getSnapshot(id)).toThrow(expect.objectContaining({ code: 'E_SNAPSHOT_INVALID' }));
    expect(store.checkIntegrity()).toEqual([`snapshot ${id} holds 53 values, 54 were written`]);
  });

  it('answers E_STORE_WRITE when the write cannot happen, and leaves the store as it was', async () => {
    const p = store.createProject('EP');
    const t = store.addTrack(p, 'One');
    const first = store.saveSnapshot({ project: p, track: t, name: 'a', state: makeState(1) });
    store.close();
    store = await SnapshotStore.open(tmp.file('bridge.sqlite'), { log, busyTimeoutMs: 20 });
    // Another connection (a second daemon that ignored the data-dir lock) holds the write lock.
    const other = new Database(tmp.file('bridge.sqlite'));
    other.prepare('BEGIN IMMEDIATE').run();
    expect(() => store.saveSnapshot({ project: p, track: t, name: 'b', state: makeState(2) })).toThrow(
      expect.objectContaining({ code: 'E_STORE_WRITE', details: expect.objectContaining({ sqlite: 'SQLITE_BUSY' }) as unknown }),
    );
    other.prepare('ROLLBACK').run();
    other.close();
    expect(store.getProject(p).tracks[0]?.snapshots.map((s) => s.id)).toEqual([first]);
    const second = store.saveSnapshot({ project: p, track: t, name: 'b', state: makeState(2) });
    expect(store.getSnapshot(second).state).toEqual(makeState(2));
  });

  it('is unusable after close, with E_STORE_OPEN', () => {
    store.close();
    expect(() => store.listProjects()).toThrow(expect.objectContaining({ code: 'E_STORE_OPEN' }));
    store.close();
  });
});

describe('SnapshotStore.open refuses what is not its store', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('a file that is not SQLite', async () => {
    writeFileSync(tmp.file('junk.sqlite'), 'this is a text file, not a database'.repeat(200));
    await expect(SnapshotStore.open(tmp.file('junk.sqlite'), { log })).rejects.toMatchObject({ code: 'E_STORE_OPEN' });
  });

  it('a SQLite database of something else', async () => {
    const other = new Database(tmp.file('other.sqlite'));
    other.exec('CREATE TABLE songs (id INTEGER PRIMARY KEY)');
    other.close();
    await expect(SnapshotStore.open(tmp.file('other.sqlite'), { log })).rejects.toMatchObject({ code: 'E_STORE_OPEN' });
  });

  it('a directory that does not exist', async () => {
    await expect(SnapshotStore.open(tmp.file('missing/dir/bridge.sqlite'), { log })).rejects.toMatchObject({ code: 'E_STORE_OPEN' });
  });
});

describe('snapshotLoudnessFrom', () => {
  it('turns live meter levels into snapshot loudness, and silence into null', () => {
    expect(snapshotLoudnessFrom({ integratedLufs: -14.2, loudnessRangeLu: 5.1, truePeakDbtp: -1.1 })).toEqual({
      integratedLufs: -14.2,
      loudnessRangeLu: 5.1,
      truePeakDbtp: -1.1,
    });
    expect(snapshotLoudnessFrom({ integratedLufs: Number.NEGATIVE_INFINITY, loudnessRangeLu: 0, truePeakDbtp: Number.NEGATIVE_INFINITY })).toBeNull();
  });
});
