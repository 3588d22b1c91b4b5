import type Database from 'better-sqlite3';
import { BridgeError, isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { Migration } from './migrations.ts';
import { messageOf, openDatabase } from './open-database.ts';
import { parseProjectFile, PROJECT_FILE_FORMAT, PROJECT_FILE_VERSION, type ProjectFile } from './project-export.ts';
import { CalibrationTable } from './calibration-table.ts';
import { SessionTable } from './session-table.ts';
import { SnapshotTables } from './snapshot-tables.ts';
import {
  calibrationSchema,
  describeIssues,
  sessionStateSchema,
  snapshotStateSchema,
  STATE_LIMITS,
  type CalibrationRoute,
  type Calibration,
  type SessionStateInput,
} from './snapshot-state.ts';
import type {
  ImportResult,
  ProjectRef,
  ProjectSummary,
  SaveSnapshotInput,
  Snapshot,
  StoredCalibration,
  StoredSession,
  TrackRef,
  TrackSummary,
} from './store-types.ts';

export interface SnapshotStoreOptions {
  log: Logger;
  /** Clock for created/measured/saved times (tests pin it). */
  now?: () => Date;
  /** Tests only: a different migration list. */
  migrations?: readonly Migration[];
  /** How long a write waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
}

interface ProjectRow {
  id: number;
  name: string;
  created_at: string;
}
interface TrackRow {
  id: number;
  project_id: number;
  position: number;
  name: string;
  created_at: string;
}

/**
 * The snapshot store: projects (albums) with ordered tracks, named snapshots per track,
 * calibrations per route and the live session, in one SQLite file in WAL mode.
 *
 * Every write is one transaction, so a process killed at any instant leaves the previous
 * or the new state and never a half one. Methods are synchronous (better-sqlite3): a save
 * of a full snapshot takes about a millisecond, far below anything a tablet would notice.
 */
export class SnapshotStore {
  readonly file: string;
  readonly schemaVersion: number;
  /** Set when this open migrated an older database. */
  readonly migratedFrom: number | null;
  readonly backupFile: string | null;
  readonly #db: Database.Database;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #snapshots: SnapshotTables;
  readonly #calibrations: CalibrationTable;
  readonly #session: SessionTable;
  #closed = false;

  private constructor(file: string, opened: Awaited<ReturnType<typeof openDatabase>>, options: SnapshotStoreOptions) {
    this.file = file;
    this.schemaVersion = opened.schemaVersion;
    this.migratedFrom = opened.migratedFrom;
    this.backupFile = opened.backupFile;
    this.#db = opened.db;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
    this.#snapshots = new SnapshotTables(opened.db);
    this.#calibrations = new CalibrationTable(opened.db);
    this.#session = new SessionTable(opened.db, options.log);
  }

  /** Open or create the store; an older schema is backed up and migrated first. */
  static async open(file: string, options: SnapshotStoreOptions): Promise<SnapshotStore> {
    const opened = await openDatabase(file, {
      log: options.log,
      ...(options.migrations ? { migrations: options.migrations } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    });
    return new SnapshotStore(file, opened, options);
  }

  /** Idempotent. Checkpoints the WAL into the main file. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#db.pragma('optimize');
    } catch (err) {
      this.#log.warn({ err: messageOf(err) }, 'store: optimize on close failed');
    }
    this.#db.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---- projects and tracks ------------------------------------------------------------

  createProject(name: string): number {
    const clean = checkName(name, 'project');
    return this.#write('create project', () => {
      if (this.#db.prepare('SELECT 1 FROM projects WHERE name = ?').get(clean)) {
        throw new BridgeError('E_STORE_CONFLICT', `a project named "${clean}" already exists`, { details: { name: clean } });
      }
      const r = this.#db.prepare('INSERT INTO projects (name, created_at) VALUES (?, ?)').run(clean, this.#iso());
      return Number(r.lastInsertRowid);
    });
  }

  deleteProject(project: ProjectRef): void {
    this.#write('delete project', () => {
      const id = this.#projectId(project);
      this.#db.prepare('DELETE FROM projects WHERE id = ?').run(id);
    });
  }

  /** Append a track to the album (or insert it at `position`, shifting the following ones). */
  addTrack(project: ProjectRef, name: string, options: { position?: number } = {}): number {
    const clean = checkName(name, 'track');
    return this.#write('add track', () => {
      const projectId = this.#projectId(project);
      if (this.#db.prepare('SELECT 1 FROM tracks WHERE project_id = ? AND name = ?').get(projectId, clean)) {
        throw new BridgeError('E_STORE_CONFLICT', `the project already has a track named "${clean}"`, { details: { projectId, name: clean } });
      }
      const count = (this.#db.prepare('SELECT count(*) AS n FROM tracks WHERE project_id = ?').get(projectId) as { n: number }).n;
      const position = Math.max(0, Math.min(count, Math.trunc(options.position ?? count)));
      this.#db.prepare('UPDATE tracks SET position = position + 1 WHERE project_id = ? AND position >= ?').run(projectId, position);
      const r = this.#db
        .prepare('INSERT INTO tracks (project_id, position, name, created_at) VALUES (?, ?, ?, ?)')
        .run(projectId, position, clean, this.#iso());
      return Number(r.lastInsertRowid);
    });
  }

  /** Set the running order: `trackIds` must list every track of the project exactly once. */
  reorderTracks(project: ProjectRef, trackIds: readonly number[]): void {
    this.#write('reorder tracks', () => {
      const projectId = this.#projectId(project);
      const current = (this.#db.prepare('SELECT id FROM tracks WHERE project_id = ?').all(projectId) as { id: number }[]).map((r) => r.id);
      const wanted = new Set(trackIds);
      if (wanted.size !== trackIds.length || wanted.size !== current.length || current.some((id) => !wanted.has(id))) {
        throw new BridgeError('E_STORE_NOT_FOUND', 'the new order must list every track of the project exactly once', {
          details: { projectId, trackIds: [...trackIds], current },
        });
      }
      const move = this.#db.prepare('UPDATE tracks SET position = ? WHERE id = ?');
      trackIds.forEach((id, i) => move.run(i, id));
    });
  }

  deleteTrack(track: number): void {
    this.#write('delete track', () => {
      const row = this.#db.prepare('SELECT project_id, position FROM tracks WHERE id = ?').get(track) as
        | { project_id: number; position: number }
        | undefined;
      if (!row) throw notFound('track', track);
      this.#db.prepare('DELETE FROM tracks WHERE id = ?').run(track);
      this.#db.prepare('UPDATE tracks SET position = position - 1 WHERE project_id = ? AND position > ?').run(row.project_id, row.position);
    });
  }

  /** Every project with its tracks (in running order) and their snapshots (oldest first, without values). */
  listProjects(): ProjectSummary[] {
    this.#open();
    const projects = this.#db.prepare('SELECT id, name, created_at FROM projects ORDER BY name, id').all() as ProjectRow[];
    return projects.map((p) => this.#summary(p));
  }

  getProject(project: ProjectRef): ProjectSummary {
    this.#open();
    const id = this.#projectId(project);
    return this.#summary(this.#db.prepare('SELECT id, name, created_at FROM projects WHERE id = ?').get(id) as ProjectRow);
  }

  // ---- snapshots ----------------------------------------------------------------------

  /** Save the complete state as a new snapshot of the track; answers its id. One transaction. */
  saveSnapshot(input: SaveSnapshotInput): number {
    const name = checkName(input.name, 'snapshot');
    const parsed = snapshotStateSchema.safeParse(input.state);
    if (!parsed.success) {
      const { text, issues } = describeIssues(parsed.error);
      throw new BridgeError('E_SNAPSHOT_INVALID', `snapshot "${name}" refused, nothing saved: ${text}`, { details: { issues } });
    }
    const id = this.#write('save snapshot', () => {
      const projectId = this.#projectId(input.project);
      const trackId = this.#trackId(projectId, input.track);
      return this.#snapshots.insert(trackId, name, this.#iso(), parsed.data);
    });
    this.#log.debug({ id, name }, 'store: snapshot saved');
    return id;
  }

  getSnapshot(id: number): Snapshot {
    this.#open();
    const s = this.#snapshots.read(id);
    if (!s) throw notFound('snapshot', id);
    return s;
  }

  /** Rename a snapshot or change its note (the state itself is immutable: save a new version). */
  updateSnapshot(id: number, changes: { name?: string; note?: string }): void {
    const name = changes.name === undefined ? undefined : checkName(changes.name, 'snapshot');
    if (changes.note !== undefined && (typeof changes.note !== 'string' || changes.note.length > STATE_LIMITS.maxNoteLength)) {
      throw new BridgeError('E_SNAPSHOT_INVALID', `a note is text of at most ${STATE_LIMITS.maxNoteLength} characters`, { details: { id } });
    }
    this.#write('update snapshot', () => {
      if (!this.#db.prepare('SELECT 1 FROM snapshots WHERE id = ?').get(id)) throw notFound('snapshot', id);
      if (name !== undefined) this.#db.prepare('UPDATE snapshots SET name = ? WHERE id = ?').run(name, id);
      if (changes.note !== undefined) this.#db.prepare('UPDATE snapshots SET note = ? WHERE id = ?').run(changes.note, id);
    });
  }

  deleteSnapshot(id: number): void {
    this.#write('delete snapshot', () => {
      const r = this.#db.prepare('DELETE FROM snapshots WHERE id = ?').run(id);
      if (r.changes === 0) throw notFound('snapshot', id);
    });
  }

  // ---- export / import ----------------------------------------------------------------

  /** The project as one JSON document (format `hybrid-bridge.project`, version 1). */
  exportProject(project: ProjectRef): string {
    this.#open();
    // One read transaction: a save landing half way through cannot tear the export.
    const file = this.#db
      .transaction((): ProjectFile => {
        const summary = this.getProject(project);
        return {
          format: PROJECT_FILE_FORMAT,
          formatVersion: PROJECT_FILE_VERSION,
          exportedAt: this.#iso(),
          project: {
            name: summary.name,
            createdAt: summary.createdAt,
            tracks: summary.tracks.map((t) => ({
              name: t.name,
              createdAt: t.createdAt,
              snapshots: t.snapshots.map((s) => {
                const full = this.getSnapshot(s.id);
                return { name: full.name, createdAt: full.createdAt, state: full.state };
              }),
            })),
          },
        };
      })
      .deferred();
    return `${JSON.stringify(file, null, 2)}\n`;
  }

  /**
   * Validate a project file completely, then store it in one transaction. A bad file is an
   * E_IMPORT_INVALID naming the problem, and the database is left exactly as it was.
   */
  importProject(json: string): ImportResult {
    const file = parseProjectFile(json);
    const result = this.#write('import project', () => {
      const name = this.#freeProjectName(file.project.name);
      const projectId = Number(
        this.#db.prepare('INSERT INTO projects (name, created_at) VALUES (?, ?)').run(name, file.project.createdAt).lastInsertRowid,
      );
      let snapshots = 0;
      const addTrack = this.#db.prepare('INSERT INTO tracks (project_id, position, name, created_at) VALUES (?, ?, ?, ?)');
      file.project.tracks.forEach((t, position) => {
        const trackId = Number(addTrack.run(projectId, position, t.name, t.createdAt).lastInsertRowid);
        for (const s of t.snapshots) {
          this.#snapshots.insert(trackId, s.name, s.createdAt, s.state);
          snapshots++;
        }
      });
      return { projectId, name, tracks: file.project.tracks.length, snapshots };
    });
    this.#log.info(result, 'store: project imported');
    return result;
  }

  // ---- calibrations -------------------------------------------------------------------

  /** Store (or replace) the calibration of its route. */
  saveCalibration(calibration: Calibration, measuredAt: Date = this.#now()): void {
    const parsed = calibrationSchema.safeParse(calibration);
    if (!parsed.success) {
      throw new BridgeError('E_SNAPSHOT_INVALID', `calibration refused: ${describeIssues(parsed.error).text}`, {
        details: { issues: describeIssues(parsed.error).issues },
      });
    }
    this.#write('save calibration', () => this.#calibrations.upsert(parsed.data, measuredAt.toISOString()));
  }

  /** The calibration measured on exactly this route, or null. */
  getCalibration(route: CalibrationRoute): StoredCalibration | null {
    this.#open();
    return this.#calibrations.get(route);
  }

  listCalibrations(): StoredCalibration[] {
    this.#open();
    return this.#calibrations.list();
  }

  // ---- live session -------------------------------------------------------------------

  /** Replace the live session (the daemon calls this debounced, and on shutdown). */
  saveSession(state: SessionStateInput): void {
    const parsed = sessionStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new BridgeError('E_SNAPSHOT_INVALID', `session state refused: ${describeIssues(parsed.error).text}`, {
        details: { issues: describeIssues(parsed.error).issues },
      });
    }
    const s = parsed.data;
    this.#write('save session', () => {
      if (s.projectId !== null) this.#projectId(s.projectId);
      if (s.trackId !== null && !this.#db.prepare('SELECT 1 FROM tracks WHERE id = ?').get(s.trackId)) throw notFound('track', s.trackId);
      if (s.snapshotId !== null && !this.#db.prepare('SELECT 1 FROM snapshots WHERE id = ?').get(s.snapshotId)) throw notFound('snapshot', s.snapshotId);
      this.#session.upsert(s, this.#iso());
    });
  }

  /**
   * The session saved last, or null (a fresh store). A session that does not parse is
   * logged and answered as null: the daemon starts with defaults rather than not at all.
   * A deleted project/track/snapshot comes back as null (ON DELETE SET NULL).
   */
  loadSession(): StoredSession | null {
    this.#open();
    return this.#session.load();
  }

  // ---- maintenance --------------------------------------------------------------------

  /** `PRAGMA integrity_check` plus `foreign_key_check`: an empty list means healthy. */
  checkIntegrity(): string[] {
    this.#open();
    const problems = (this.#db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .filter((m) => m !== 'ok');
    for (const fk of this.#db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]) {
      problems.push(`${fk.table} row ${fk.rowid} points at a missing ${fk.parent}`);
    }
    for (const s of this.#snapshots.incomplete()) problems.push(`snapshot ${s.id} holds ${s.actual} values, ${s.expected} were written`);
    return problems;
  }

  // ---- internals ----------------------------------------------------------------------

  #summary(p: ProjectRow): ProjectSummary {
    const tracks = this.#db
      .prepare('SELECT id, project_id, position, name, created_at FROM tracks WHERE project_id = ? ORDER BY position, id')
      .all(p.id) as TrackRow[];
    const byTrack = this.#snapshots.summariesOfProject(p.id);
    return {
      id: p.id,
      name: p.name,
      createdAt: p.created_at,
      tracks: tracks.map(
        (t): TrackSummary => ({
          id: t.id,
          projectId: t.project_id,
          name: t.name,
          position: t.position,
          createdAt: t.created_at,
          snapshots: byTrack.get(t.id) ?? [],
        }),
      ),
    };
  }

  #projectId(ref: ProjectRef): number {
    const row =
      typeof ref === 'number'
        ? (this.#db.prepare('SELECT id FROM projects WHERE id = ?').get(ref) as { id: number } | undefined)
        : (this.#db.prepare('SELECT id FROM projects WHERE name = ?').get(ref) as { id: number } | undefined);
    if (!row) throw notFound('project', ref);
    return row.id;
  }

  #trackId(projectId: number, ref: TrackRef): number {
    const row =
      typeof ref === 'number'
        ? (this.#db.prepare('SELECT id FROM tracks WHERE id = ? AND project_id = ?').get(ref, projectId) as { id: number } | undefined)
        : (this.#db.prepare('SELECT id FROM tracks WHERE name = ? AND project_id = ?').get(ref, projectId) as { id: number } | undefined);
    if (!row) throw notFound('track', ref, { projectId });
    return row.id;
  }

  #freeProjectName(name: string): string {
    const taken = this.#db.prepare('SELECT 1 FROM projects WHERE name = ?');
    if (!taken.get(name)) return name;
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? `${name} (imported)` : `${name} (imported ${n})`;
      if (!taken.get(candidate)) return candidate;
    }
  }

  /** One IMMEDIATE transaction; SQLite failures become E_STORE_WRITE, BridgeErrors pass through. */
  #write<T>(what: string, fn: () => T): T {
    this.#open();
    try {
      return this.#db.transaction(fn).immediate();
    } catch (err) {
      if (isBridgeError(err)) throw err;
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new BridgeError('E_STORE_CONFLICT', `${what}: ${messageOf(err)}`, { cause: err });
      }
      throw new BridgeError('E_STORE_WRITE', `${what} failed, nothing changed: ${messageOf(err)}`, {
        details: { file: this.file, sqlite: typeof code === 'string' ? code : undefined },
        cause: err,
      });
    }
  }

  #open(): void {
    if (this.#closed) throw new BridgeError('E_STORE_OPEN', `the store ${this.file} is closed`, { details: { file: this.file } });
  }

  #iso(): string {
    return this.#now().toISOString();
  }
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string') throw new BridgeError('E_SNAPSHOT_INVALID', `a ${what} name must be text`, { details: { what } });
  const clean = name.trim();
  if (clean.length === 0 || clean.length > STATE_LIMITS.maxNameLength) {
    throw new BridgeError('E_SNAPSHOT_INVALID', `a ${what} name must be 1 to ${STATE_LIMITS.maxNameLength} characters`, {
      details: { what, name },
    });
  }
  return clean;
}

function notFound(what: string, ref: number | string, extra: Record<string, unknown> = {}): BridgeError {
  return new BridgeError('E_STORE_NOT_FOUND', `no ${what} ${typeof ref === 'number' ? ref : `"${ref}"`}`, { details: { what, ref, ...extra } });
}
