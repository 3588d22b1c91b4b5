import type Database from 'better-sqlite3';
import { BridgeError } from '../../errors.ts';
import {
  stateValueCount,
  type Calibration,
  type OutboardUnitState,
  type RecallMode,
  type SnapshotLoudness,
  type SnapshotState,
} from './snapshot-state.ts';
import type { Snapshot, SnapshotSummary, SnapshotUnitIdentity } from './store-types.ts';

interface SnapshotRow {
  id: number;
  track_id: number;
  project_id: number;
  name: string;
  created_at: string;
  note: string;
  routing_json: string;
  surface_pages_json: string;
  calibration_json: string | null;
  value_count: number;
  integrated_lufs: number | null;
  loudness_range_lu: number | null;
  true_peak_dbtp: number | null;
}
interface UnitRow {
  snapshot_id: number;
  unit_id: string;
  model: string;
  serial: string;
  firmware: string;
  recall_mode: RecallMode;
}
interface ValueRow {
  param_id: string;
  unit_id: string;
  value: number;
}

/**
 * The snapshot rows: one `snapshots` row, its `snapshot_units` and its `snapshot_values`.
 * Callers run `insert` inside their transaction; nothing here opens one.
 */
export class SnapshotTables {
  readonly #db: Database.Database;
  readonly #insertSnapshot: Database.Statement;
  readonly #insertUnit: Database.Statement;
  readonly #insertValue: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insertSnapshot = db.prepare(
      `INSERT INTO snapshots (track_id, name, created_at, note, routing_json, surface_pages_json, calibration_json, value_count,
         integrated_lufs, loudness_range_lu, true_peak_dbtp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertUnit = db.prepare(
      'INSERT INTO snapshot_units (snapshot_id, unit_id, position, model, serial, firmware, recall_mode) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#insertValue = db.prepare('INSERT INTO snapshot_values (snapshot_id, param_id, unit_id, position, value) VALUES (?, ?, ?, ?, ?)');
  }

  /** Insert a validated state; the caller owns the transaction. Answers the new id. */
  insert(trackId: number, name: string, createdAt: string, state: SnapshotState): number {
    const l = state.loudness;
    const id = Number(
      this.#insertSnapshot.run(
        trackId,
        name,
        createdAt,
        state.note,
        JSON.stringify(state.routing),
        JSON.stringify(state.surfacePages),
        state.calibration ? JSON.stringify(state.calibration) : null,
        stateValueCount(state),
        l ? l.integratedLufs : null,
        l ? l.loudnessRangeLu : null,
        l ? l.truePeakDbtp : null,
      ).lastInsertRowid,
    );
    let position = 0;
    for (const [paramId, value] of Object.entries(state.digital)) this.#insertValue.run(id, paramId, '', position++, value);
    state.outboard.forEach((u, unitPosition) => {
      this.#insertUnit.run(id, u.unitId, unitPosition, u.model, u.serial, u.firmware, u.recallMode);
      for (const [paramId, value] of Object.entries(u.values)) this.#insertValue.run(id, paramId, u.unitId, position++, value);
    });
    return id;
  }

  read(id: number): Snapshot | null {
    const row = this.#db
      .prepare('SELECT s.*, t.project_id FROM snapshots s JOIN tracks t ON t.id = s.track_id WHERE s.id = ?')
      .get(id) as SnapshotRow | undefined;
    if (!row) return null;
    const units = this.#db.prepare('SELECT * FROM snapshot_units WHERE snapshot_id = ? ORDER BY position').all(id) as UnitRow[];
    const values = this.#db.prepare('SELECT param_id, unit_id, value FROM snapshot_values WHERE snapshot_id = ? ORDER BY position').all(id) as ValueRow[];
    if (values.length !== row.value_count) {
      // Cannot happen through this code (one transaction per save); it means the file was
      // edited or damaged outside the daemon. Refuse rather than recall a partial state.
      throw new BridgeError('E_SNAPSHOT_INVALID', `snapshot ${id} is damaged: ${values.length} of ${row.value_count} values present`, {
        details: { id, present: values.length, expected: row.value_count },
      });
    }
    const digital: Record<string, number> = {};
    const byUnit = new Map<string, Record<string, number>>();
    for (const u of units) byUnit.set(u.unit_id, {});
    for (const v of values) {
      if (v.unit_id === '') digital[v.param_id] = v.value;
      else {
        const target = byUnit.get(v.unit_id);
        if (!target) throw new BridgeError('E_SNAPSHOT_INVALID', `snapshot ${id} is damaged: values of unknown unit ${v.unit_id}`, { details: { id } });
        target[v.param_id] = v.value;
      }
    }
    const outboard: OutboardUnitState[] = units.map((u) => ({
      unitId: u.unit_id,
      model: u.model,
      serial: u.serial,
      firmware: u.firmware,
      recallMode: u.recall_mode,
      values: byUnit.get(u.unit_id) ?? {},
    }));
    const state: SnapshotState = {
      digital,
      outboard,
      routing: JSON.parse(row.routing_json) as SnapshotState['routing'],
      surfacePages: JSON.parse(row.surface_pages_json) as Record<string, string>,
      calibration: row.calibration_json === null ? null : (JSON.parse(row.calibration_json) as Calibration),
      note: row.note,
      loudness: loudnessOf(row),
    };
    return { id: row.id, projectId: row.project_id, trackId: row.track_id, name: row.name, createdAt: row.created_at, state };
  }

  /** Summaries (no values) of every snapshot of a project, by track id, oldest first. */
  summariesOfProject(projectId: number): Map<number, SnapshotSummary[]> {
    const rows = this.#db
      .prepare(
        `SELECT s.id, s.track_id, s.name, s.created_at, s.note, s.value_count, s.integrated_lufs, s.loudness_range_lu, s.true_peak_dbtp
         FROM snapshots s JOIN tracks t ON t.id = s.track_id WHERE t.project_id = ? ORDER BY s.track_id, s.id`,
      )
      .all(projectId) as SnapshotRow[];
    const unitRows = this.#db
      .prepare(
        `SELECT u.* FROM snapshot_units u JOIN snapshots s ON s.id = u.snapshot_id JOIN tracks t ON t.id = s.track_id
         WHERE t.project_id = ? ORDER BY u.snapshot_id, u.position`,
      )
      .all(projectId) as UnitRow[];
    const unitsBySnapshot = new Map<number, SnapshotUnitIdentity[]>();
    for (const u of unitRows) {
      const list = unitsBySnapshot.get(u.snapshot_id) ?? [];
      list.push({ unitId: u.unit_id, model: u.model, serial: u.serial, firmware: u.firmware, recallMode: u.recall_mode });
      unitsBySnapshot.set(u.snapshot_id, list);
    }
    const out = new Map<number, SnapshotSummary[]>();
    for (const r of rows) {
      const list = out.get(r.track_id) ?? [];
      list.push({
        id: r.id,
        trackId: r.track_id,
        name: r.name,
        createdAt: r.created_at,
        note: r.note,
        valueCount: r.value_count,
        loudness: loudnessOf(r),
        units: unitsBySnapshot.get(r.id) ?? [],
      });
      out.set(r.track_id, list);
    }
    return out;
  }

  /** Snapshots whose stored value rows do not add up to what was written (should be none). */
  incomplete(): { id: number; expected: number; actual: number }[] {
    return this.#db
      .prepare(
        `SELECT s.id AS id, s.value_count AS expected, count(v.param_id) AS actual
         FROM snapshots s LEFT JOIN snapshot_values v ON v.snapshot_id = s.id
         GROUP BY s.id HAVING count(v.param_id) != s.value_count`,
      )
      .all() as { id: number; expected: number; actual: number }[];
  }
}

function loudnessOf(r: Pick<SnapshotRow, 'integrated_lufs' | 'loudness_range_lu' | 'true_peak_dbtp'>): SnapshotLoudness | null {
  if (r.integrated_lufs === null || r.true_peak_dbtp === null) return null;
  return { integratedLufs: r.integrated_lufs, loudnessRangeLu: r.loudness_range_lu ?? 0, truePeakDbtp: r.true_peak_dbtp };
}
