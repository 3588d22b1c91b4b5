import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { PROJECT_FILE_FORMAT, type ProjectFile } from '../../../src/state/store/project-export.ts';
import type { SnapshotState } from '../../../src/state/store/snapshot-state.ts';
import { SnapshotStore } from '../../../src/state/store/snapshot-store.ts';
import { makeState, tempDir } from './store-fixture.ts';

const log = silentLogger();
const TABLES = ['projects', 'tracks', 'snapshots', 'snapshot_units', 'snapshot_values', 'calibrations', 'session'];

/** Everything in the database, for "nothing changed" assertions. */
function fingerprint(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return JSON.stringify(TABLES.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));
  } finally {
    db.close();
  }
}

function codeOf(fn: () => unknown): { code: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code?: unknown }).code, message: (err as Error).message };
  }
  return { code: 'no error', message: '' };
}

describe('project export / import', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SnapshotStore;
  let albumId: number;
  beforeEach(async () => {
    tmp = tempDir();
    store = await SnapshotStore.open(tmp.file('a.sqlite'), { log });
    albumId = store.createProject('Night Drive');
    const t1 = store.addTrack(albumId, 'Intro');
    const t2 = store.addTrack(albumId, 'Highway');
    store.addTrack(albumId, 'Unmastered yet');
    store.saveSnapshot({ project: albumId, track: t1, name: 'v1', state: makeState(1) });
    store.saveSnapshot({ project: albumId, track: t1, name: 'v2', state: makeState(2, { unitCounts: [3] }) });
    store.saveSnapshot({ project: albumId, track: t2, name: 'final', state: makeState(3, { loudness: false, calibration: false }) });
    // Another project that must not leak into the export.
    const other = store.createProject('Other');
    store.saveSnapshot({ project: other, track: store.addTrack(other, 'x'), name: 'x', state: makeState(9) });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('round-trips a project into another room exactly', async () => {
    const json = store.exportProject(albumId);
    const file = JSON.parse(json) as ProjectFile;
    expect(file.format).toBe(PROJECT_FILE_FORMAT);
    expect(file.project.tracks.map((t) => [t.name, t.snapshots.length])).toEqual([
      ['Intro', 2],
      ['Highway', 1],
      ['Unmastered yet', 0],
    ]);

    const room2 = await SnapshotStore.open(tmp.file('b.sqlite'), { log });
    try {
      const result = room2.importProject(json);
      expect(result).toMatchObject({ name: 'Night Drive', tracks: 3, snapshots: 3 });
      const again = JSON.parse(room2.exportProject(result.projectId)) as ProjectFile;
      expect({ ...again, exportedAt: 'x' }).toEqual({ ...file, exportedAt: 'x' });

      const original = store.getProject(albumId);
      const imported = room2.getProject(result.projectId);
      for (const [i, track] of original.tracks.entries()) {
        for (const [j, snap] of track.snapshots.entries()) {
          const copy = imported.tracks[i]?.snapshots[j];
          expect(copy).toBeDefined();
          expect(room2.getSnapshot(copy!.id).state).toEqual(store.getSnapshot(snap.id).state);
        }
      }
    } finally {
      room2.close();
    }
  });

  it('imports a project whose name is taken under a new name', () => {
    const json = store.exportProject('Night Drive');
    expect(store.importProject(json).name).toBe('Night Drive (imported)');
    expect(store.importProject(json).name).toBe('Night Drive (imported 2)');
    // Listed by name (binary collation, as JavaScript sorts).
    expect(store.listProjects().map((p) => p.name)).toEqual(['Night Drive', 'Night Drive (imported)', 'Night Drive (imported 2)', 'Other'].sort());
  });

  it('refuses bad files with E_IMPORT_INVALID naming the problem, changing nothing', () => {
    const good = JSON.parse(store.exportProject(albumId)) as ProjectFile;
    const mutate = (fn: (f: ProjectFile & Record<string, unknown>) => void): string => {
      const copy = structuredClone(good) as ProjectFile & Record<string, unknown>;
      fn(copy);
      return JSON.stringify(copy);
    };
    const cases: [string, string, RegExp][] = [
      ['empty', '', /not valid JSON/],
      ['truncated', store.exportProject(albumId).slice(0, 500), /not valid JSON/],
      ['an array', '[]', /JSON object/],
      ['another format', JSON.stringify({ format: 'something.else' }), /not a hybrid-bridge project file/],
      ['a newer format', mutate((f) => ((f as Record<string, unknown>).formatVersion = 9)), /format version 9, newer/],
      [
        'a string value',
        mutate((f) => ((f.project.tracks[0]!.snapshots[0]!.state.digital as Record<string, unknown>)['eq.band3.gainDb'] = 'loud')),
        /project\.tracks\.0\.snapshots\.0\.state\.digital\.eq\.band3\.gainDb/,
      ],
      ['a bad parameter id', mutate((f) => (f.project.tracks[0]!.snapshots[0]!.state.digital['Bad Id!'] = 1)), /state\.digital/],
      [
        'a unit value under another unit',
        mutate((f) => (f.project.tracks[0]!.snapshots[0]!.state.outboard[0]!.values['outboard.unit9.p0'] = 1)),
        /must start with outboard\.unit1\./,
      ],
      ['two tracks with one name', mutate((f) => (f.project.tracks[1]!.name = 'Intro')), /track name "Intro" appears twice/],
      ['an unknown key', mutate((f) => ((f.project as Record<string, unknown>).extra = true)), /project/],
      ['a missing note', mutate((f) => delete (f.project.tracks[0]!.snapshots[0]!.state as Partial<SnapshotState>).note), /state\.note/],
      ['a wrong polarity', mutate((f) => ((f.project.tracks[0]!.snapshots[0]!.state.calibration as { polarity: number }).polarity = 0)), /polarity/],
      ['a bad date', mutate((f) => (f.project.createdAt = 'yesterday')), /project\.createdAt/],
      ['a prototype key', store.exportProject(albumId).replace('"digital": {', '"digital": {"__proto__": {"polluted": 1},'), /forbidden key "__proto__"/],
    ];
    const before = fingerprint(tmp.file('a.sqlite'));
    for (const [what, text, why] of cases) {
      const { code, message } = codeOf(() => store.importProject(text));
      expect(code, what).toBe('E_IMPORT_INVALID');
      expect(message, what).toMatch(why);
      expect(message, what).toMatch(/nothing imported/);
    }
    expect(fingerprint(tmp.file('a.sqlite'))).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses every random corruption of a file, or imports it whole: never half', () => {
    const json = store.exportProject(albumId);
    const projects = (): number => store.listProjects().length;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: json.length - 1 }), fc.string({ minLength: 0, maxLength: 3 }), fc.integer({ min: 0, max: 4 }), (at, insert, cut) => {
        const text = json.slice(0, at) + insert + json.slice(at + cut);
        const before = fingerprint(tmp.file('a.sqlite'));
        const n = projects();
        const { code } = codeOf(() => store.importProject(text));
        if (code === 'no error') {
          // Still a valid file (e.g. a changed digit): imported completely.
          expect(projects()).toBe(n + 1);
        } else {
          expect(code).toBe('E_IMPORT_INVALID');
          expect(fingerprint(tmp.file('a.sqlite'))).toBe(before);
        }
      }),
      { numRuns: 150, seed: 4242 },
    );
    expect(store.checkIntegrity()).toEqual([]);
  });

  it('answers E_STORE_NOT_FOUND when exporting a project that does not exist', () => {
    expect(codeOf(() => store.exportProject(424242)).code).toBe('E_STORE_NOT_FOUND');
  });
});
