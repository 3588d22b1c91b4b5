import type Database from 'better-sqlite3';
import type { Logger } from '../../logger.ts';
import { describeIssues, sessionStateSchema, type SessionState } from './snapshot-state.ts';
import type { StoredSession } from './store-types.ts';

interface SessionRow {
  project_id: number | null;
  track_id: number | null;
  snapshot_id: number | null;
  values_json: string;
  saved_at: string;
  /** NULL: saved before schema v3 (unit identities not recorded). */
  units_json: string | null;
}

/** The `session` table: a single row (id 1), replaced on every save. No transactions here. */
export class SessionTable {
  readonly #db: Database.Database;
  readonly #log: Logger;

  constructor(db: Database.Database, log: Logger) {
    this.#db = db;
    this.#log = log;
  }

  upsert(s: SessionState, savedAtIso: string): void {
    this.#db
      .prepare(
        `INSERT INTO session (id, project_id, track_id, snapshot_id, values_json, saved_at, units_json) VALUES (1, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, track_id = excluded.track_id,
           snapshot_id = excluded.snapshot_id, values_json = excluded.values_json, saved_at = excluded.saved_at,
           units_json = excluded.units_json`,
      )
      .run(s.projectId, s.trackId, s.snapshotId, JSON.stringify(s.values), savedAtIso, s.units === null ? null : JSON.stringify(s.units));
  }

  /**
   * The saved session, or null. A row that does not parse is logged and answered as null:
   * the daemon starts with defaults rather than not at all.
   */
  load(): StoredSession | null {
    const row = this.#db.prepare('SELECT * FROM session WHERE id = 1').get() as SessionRow | undefined;
    if (!row) return null;
    let values: unknown;
    let units: unknown;
    try {
      values = JSON.parse(row.values_json);
      units = row.units_json === null ? null : JSON.parse(row.units_json);
    } catch (err) {
      this.#log.warn({ err: err instanceof Error ? err.message : String(err) }, 'store: the saved session is unreadable; starting without it');
      return null;
    }
    const parsed = sessionStateSchema.safeParse({ projectId: row.project_id, trackId: row.track_id, snapshotId: row.snapshot_id, values, units });
    if (!parsed.success) {
      this.#log.warn({ problem: describeIssues(parsed.error).text }, 'store: the saved session is invalid; starting without it');
      return null;
    }
    return { ...parsed.data, savedAt: row.saved_at };
  }
}
