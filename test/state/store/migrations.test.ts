import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { MIGRATIONS, SCHEMA_V1, STORE_APPLICATION_ID, STORE_SCHEMA_VERSION, type Migration } from '../../../src/state/store/migrations.ts';
import { SnapshotStore } from '../../../src/state/store/snapshot-store.ts';
import { makeState, tempDir } from './store-fixture.ts';

const log = silentLogger();
const NOW = new Date('2025-04-02T08:30:00.000Z');

/**
 * A database exactly as the first release wrote it: the v1 DDL, and rows inserted with
 * plain SQL (not through today's code, which only knows the current schema).
 */
function createV1Database(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_V1);
  db.pragma('user_version = 1');
  db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
  db.prepare("INSERT INTO projects (id, name, created_at) VALUES (1, 'Old Album', '2024-01-01T00:00:00.000Z')").run();
  db.prepare("INSERT INTO tracks (id, project_id, position, name, created_at) VALUES (1, 1, 0, 'Opener', '2024-01-01T00:00:00.000Z')").run();
  db.prepare(
    `INSERT INTO snapshots (id, track_id, name, created_at, note, routing_json, surface_pages_json, calibration_json, value_count)
     VALUES (1, 1, 'v1 master', '2024-01-02T00:00:00.000Z', 'from the old room', '{"insertUnits":["eq1"]}', '{}', NULL, 3)`,
  ).run();
  db.prepare("INSERT INTO snapshot_units VALUES (1, 'eq1', 0, 'Pultec-ish', 'SN-7', '0.9.1', 'electronic')").run();
  const value = db.prepare('INSERT INTO snapshot_values (snapshot_id, param_id, unit_id, position, value) VALUES (1, ?, ?, ?, ?)');
  value.run('eq.band1.gainDb', '', 0, 1.5);
  value.run('limiter.ceilingDbtp', '', 1, -1);
  value.run('outboard.eq1.lowGainDb', 'eq1', 2, 3);
  db.prepare(
    `INSERT INTO calibrations VALUES ('k', '{"interface":"RME","sendChannels":[3,4],"returnChannels":[3,4],"sampleRateHz":48000,"blockSize":256}', 61, -0.3, 1, '2024-01-01T00:00:00.000Z')`,
  ).run();
  db.prepare(`INSERT INTO session VALUES (1, 1, 1, 1, '{"eq.band1.gainDb":1.5}', '2024-01-03T00:00:00.000Z')`).run();
  db.close();
}

describe('store migrations', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('has consecutive versions, at least two', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: STORE_SCHEMA_VERSION }, (_, i) => i + 1));
    expect(STORE_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('migrates a v1 database on open, keeping every row, after making a backup', async () => {
    const file = tmp.file('bridge.sqlite');
    createV1Database(file);
    const store = await SnapshotStore.open(file, { log, now: () => NOW });
    try {
      expect(store.schemaVersion).toBe(STORE_SCHEMA_VERSION);
      expect(store.migratedFrom).toBe(1);
      expect(store.backupFile).toBe(`${file}.v1-backup-20250402T083000Z`);

      const snap = store.getSnapshot(1);
      expect(snap.name).toBe('v1 master');
      expect(snap.state).toEqual({
        digital: { 'eq.band1.gainDb': 1.5, 'limiter.ceilingDbtp': -1 },
        outboard: [{ unitId: 'eq1', model: 'Pultec-ish', serial: 'SN-7', firmware: '0.9.1', recallMode: 'electronic', values: { 'outboard.eq1.lowGainDb': 3 } }],
        routing: { insertUnits: ['eq1'] },
        surfacePages: {},
        calibration: null,
        note: 'from the old room',
        // v1 never measured loudness: v2 must not invent it.
        loudness: null,
      });
      expect(store.getCalibration({ interface: 'RME', sendChannels: [3, 4], returnChannels: [3, 4], sampleRateHz: 48000, blockSize: 256 })).toBeNull();
      expect(store.listCalibrations()[0]?.latencySamples).toBe(61);
      // v3 adds the session's unit identities; a session saved before says it did not record them.
      expect(store.loadSession()).toMatchObject({ projectId: 1, trackId: 1, snapshotId: 1, values: { 'eq.band1.gainDb': 1.5 }, units: null });
      expect(store.checkIntegrity()).toEqual([]);

      // The new column works for new saves.
      const id = store.saveSnapshot({ project: 1, track: 1, name: 'v2 master', state: makeState(5) });
      expect(store.getSnapshot(id).state.loudness).toEqual(makeState(5).loudness);
    } finally {
      store.close();
    }

    // The backup is the untouched v1 database.
    const backup = new Database(`${file}.v1-backup-20250402T083000Z`, { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT name FROM snapshots').all()).toEqual([{ name: 'v1 master' }]);
    expect((backup.prepare('PRAGMA table_info(snapshots)').all() as { name: string }[]).map((c) => c.name)).not.toContain('integrated_lufs');
    backup.close();

    // Opening again does not migrate (or back up) a second time.
    const again = await SnapshotStore.open(file, { log, now: () => NOW });
    expect(again.migratedFrom).toBeNull();
    expect(again.listProjects()[0]?.tracks[0]?.snapshots).toHaveLength(2);
    again.close();
    expect(readdirSync(tmp.dir).filter((f) => f.includes('backup'))).toHaveLength(1);
  });

  it('leaves the database at its old version when a migration fails', async () => {
    const file = tmp.file('bridge.sqlite');
    createV1Database(file);
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: STORE_SCHEMA_VERSION + 1, description: 'broken on purpose', sql: 'ALTER TABLE snapshots ADD COLUMN x REAL; SELECT * FROM no_such_table;' },
    ];
    await expect(SnapshotStore.open(file, { log, now: () => NOW, migrations: broken })).rejects.toMatchObject({
      code: 'E_STORE_MIGRATION',
      details: { failedAt: STORE_SCHEMA_VERSION + 1, from: 1 },
    });
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    const columns = (raw.prepare('PRAGMA table_info(snapshots)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('integrated_lufs');
    expect(columns).not.toContain('x');
    raw.close();
    expect(existsSync(`${file}.v1-backup-20250402T083000Z`)).toBe(true);

    // And the normal migration still works afterwards.
    const store = await SnapshotStore.open(file, { log, now: () => new Date('2025-04-02T09:00:00.000Z') });
    expect(store.migratedFrom).toBe(1);
    expect(store.getSnapshot(1).name).toBe('v1 master');
    store.close();
  });

  it('refuses a database from a newer build and does not touch it', async () => {
    const file = tmp.file('bridge.sqlite');
    const created = await SnapshotStore.open(file, { log });
    created.close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${STORE_SCHEMA_VERSION + 3}`);
    raw.close();
    await expect(SnapshotStore.open(file, { log })).rejects.toMatchObject({ code: 'E_STORE_MIGRATION', details: { version: STORE_SCHEMA_VERSION + 3 } });
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(STORE_SCHEMA_VERSION + 3);
    after.close();
    expect(readdirSync(tmp.dir).filter((f) => f.includes('backup'))).toEqual([]);
  });
});
