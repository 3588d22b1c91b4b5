/**
 * The store's schema history. `PRAGMA user_version` holds the version a database is at;
 * migration N takes a database from version N-1 to N. Migrations are append-only: a
 * released migration is never edited (databases in the field were built by it), a change
 * is a new entry.
 */
export interface Migration {
  /** The version this migration produces (1-based, consecutive). */
  readonly version: number;
  readonly description: string;
  /** Statements run inside one transaction together with the user_version bump. */
  readonly sql: string;
}

/** Marks a SQLite file as a hybrid-bridge store ('HYBR'), so a foreign database is refused. */
export const STORE_APPLICATION_ID = 0x48594252;

/** Version 1: projects, tracks, snapshots with their values and units, calibrations, the live session. */
export const SCHEMA_V1 = `
CREATE TABLE projects (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TABLE tracks (
  id         INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (project_id, name)
);
CREATE INDEX tracks_by_project ON tracks(project_id, position);
CREATE TABLE snapshots (
  id                 INTEGER PRIMARY KEY,
  track_id           INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  name               TEXT NOT NULL,
  created_at         TEXT NOT NULL,
  note               TEXT NOT NULL DEFAULT '',
  routing_json       TEXT NOT NULL,
  surface_pages_json TEXT NOT NULL,
  calibration_json   TEXT,
  -- digital plus outboard values written with the snapshot: a consistency check on read
  value_count        INTEGER NOT NULL
);
CREATE INDEX snapshots_by_track ON snapshots(track_id, id);
CREATE TABLE snapshot_units (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  unit_id     TEXT NOT NULL,
  position    INTEGER NOT NULL,
  model       TEXT NOT NULL,
  serial      TEXT NOT NULL,
  firmware    TEXT NOT NULL,
  recall_mode TEXT NOT NULL CHECK (recall_mode IN ('electronic', 'manual')),
  PRIMARY KEY (snapshot_id, unit_id)
) WITHOUT ROWID;
CREATE TABLE snapshot_values (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  param_id    TEXT NOT NULL,
  -- '' for a digital parameter, else the outboard unit it belongs to
  unit_id     TEXT NOT NULL,
  -- the order the state held them in (the profile's front-panel order, for recall sheets)
  position    INTEGER NOT NULL,
  value       REAL NOT NULL,
  PRIMARY KEY (snapshot_id, param_id)
) WITHOUT ROWID;
CREATE TABLE calibrations (
  route_key       TEXT PRIMARY KEY,
  route_json      TEXT NOT NULL,
  latency_samples INTEGER NOT NULL,
  gain_db         REAL NOT NULL,
  polarity        INTEGER NOT NULL CHECK (polarity IN (-1, 1)),
  measured_at     TEXT NOT NULL
);
CREATE TABLE session (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  project_id  INTEGER REFERENCES projects(id) ON DELETE SET NULL,
  track_id    INTEGER REFERENCES tracks(id) ON DELETE SET NULL,
  snapshot_id INTEGER REFERENCES snapshots(id) ON DELETE SET NULL,
  values_json TEXT NOT NULL,
  saved_at    TEXT NOT NULL
);
`;

/**
 * Version 2: the track's measured loudness with every snapshot (for the album view).
 * Snapshots saved under v1 keep NULL: they were never measured, and inventing a value
 * would lie to the album view.
 */
export const SCHEMA_V2 = `
ALTER TABLE snapshots ADD COLUMN integrated_lufs REAL;
ALTER TABLE snapshots ADD COLUMN loudness_range_lu REAL;
ALTER TABLE snapshots ADD COLUMN true_peak_dbtp REAL;
`;

/**
 * Version 3: the identity (model, serial, firmware) of every outboard unit with the live
 * session, so a restart never writes one unit's settings into another one swapped into its
 * place. Sessions saved under v2 keep NULL (identities not recorded).
 */
export const SCHEMA_V3 = `
ALTER TABLE session ADD COLUMN units_json TEXT;
`;

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, description: 'projects, tracks, snapshots, calibrations, session', sql: SCHEMA_V1 },
  { version: 2, description: 'measured loudness per snapshot', sql: SCHEMA_V2 },
  { version: 3, description: 'unit identities with the live session', sql: SCHEMA_V3 },
]);

export const STORE_SCHEMA_VERSION = MIGRATIONS.length;
