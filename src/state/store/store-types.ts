import type { Calibration, RecallMode, SessionState, SnapshotLoudness, SnapshotState } from './snapshot-state.ts';

/** A project or track named by its id, or by its name (a track's name is unique in its project). */
export type ProjectRef = number | string;
export type TrackRef = number | string;

export interface SnapshotUnitIdentity {
  readonly unitId: string;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly recallMode: RecallMode;
}

export interface SnapshotSummary {
  readonly id: number;
  readonly trackId: number;
  readonly name: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  readonly note: string;
  readonly valueCount: number;
  readonly loudness: SnapshotLoudness | null;
  readonly units: readonly SnapshotUnitIdentity[];
}

export interface TrackSummary {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  /** 0-based running order on the album. */
  readonly position: number;
  readonly createdAt: string;
  /** Oldest first. */
  readonly snapshots: readonly SnapshotSummary[];
}

export interface ProjectSummary {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  /** In running order. */
  readonly tracks: readonly TrackSummary[];
}

export interface Snapshot {
  readonly id: number;
  readonly projectId: number;
  readonly trackId: number;
  readonly name: string;
  readonly createdAt: string;
  readonly state: SnapshotState;
}

export interface SaveSnapshotInput {
  readonly project: ProjectRef;
  readonly track: TrackRef;
  readonly name: string;
  readonly state: SnapshotState;
}

export interface StoredCalibration extends Calibration {
  /** ISO 8601, UTC. */
  readonly measuredAt: string;
}

export interface StoredSession extends SessionState {
  readonly savedAt: string;
}

export interface ImportResult {
  readonly projectId: number;
  /** The name it was stored under: the file's, or with ` (imported N)` when that name is taken. */
  readonly name: string;
  readonly tracks: number;
  readonly snapshots: number;
}
