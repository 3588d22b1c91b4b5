import type Database from 'better-sqlite3';
import { routeKey, type Calibration, type CalibrationRoute } from './snapshot-state.ts';
import type { StoredCalibration } from './store-types.ts';

interface CalibrationRow {
  route_json: string;
  latency_samples: number;
  gain_db: number;
  polarity: number;
  measured_at: string;
}

/** The `calibrations` table: one row per route (its key is `routeKey(route)`). No transactions here. */
export class CalibrationTable {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Insert or replace the route's calibration (the input is already validated). */
  upsert(c: Calibration, measuredAtIso: string): void {
    this.#db
      .prepare(
        `INSERT INTO calibrations (route_key, route_json, latency_samples, gain_db, polarity, measured_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (route_key) DO UPDATE SET route_json = excluded.route_json, latency_samples = excluded.latency_samples,
           gain_db = excluded.gain_db, polarity = excluded.polarity, measured_at = excluded.measured_at`,
      )
      .run(routeKey(c.route), JSON.stringify(c.route), c.latencySamples, c.gainDb, c.polarity, measuredAtIso);
  }

  get(route: CalibrationRoute): StoredCalibration | null {
    const row = this.#db.prepare('SELECT * FROM calibrations WHERE route_key = ?').get(routeKey(route)) as CalibrationRow | undefined;
    return row ? fromRow(row) : null;
  }

  list(): StoredCalibration[] {
    return (this.#db.prepare('SELECT * FROM calibrations ORDER BY route_key').all() as CalibrationRow[]).map(fromRow);
  }
}

function fromRow(row: CalibrationRow): StoredCalibration {
  return {
    route: JSON.parse(row.route_json) as CalibrationRoute,
    latencySamples: row.latency_samples,
    gainDb: row.gain_db,
    polarity: row.polarity === -1 ? -1 : 1,
    measuredAt: row.measured_at,
  };
}
