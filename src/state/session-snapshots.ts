import { BridgeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ParamStore } from '../params/param-store.ts';
import { captureSnapshotState, type CaptureProblem } from './recall/capture-state.ts';
import { LiveRecallSheets } from './recall/live-recall-sheets.ts';
import type { RecallableUnit } from './recall/recallable-unit.ts';
import { recallSnapshot, type RecallReport } from './recall/recall-snapshot.ts';
import { diffSnapshots, type SnapshotDiffEntry } from './recall/snapshot-diff.ts';
import type { Calibration, SnapshotLoudness } from './store/snapshot-state.ts';
import type { SnapshotStore } from './store/snapshot-store.ts';

export interface SessionSnapshotsDeps {
  readonly store: SnapshotStore;
  readonly params: ParamStore;
  readonly log: Logger;
  /** The outboard units present now (adapters over the outboard driver). */
  readonly units: () => readonly RecallableUnit[];
  readonly loudness: () => SnapshotLoudness | null;
  readonly calibration: () => Calibration | null;
  readonly insertUnits: () => readonly string[];
  readonly surfacePages: () => Readonly<Record<string, string>>;
  readonly unitTimeoutMs?: number;
}

/**
 * What `recallApply` hands to `recallVerify`: the one recall in flight. Recall sets and then
 * verifies in a single pass (recallSnapshot); the session machine shows the two phases as two
 * states, so the apply step resolves at the phase change and the verify step awaits the rest.
 */
export interface RecallHandoff {
  readonly pending: Promise<RecallReport>;
  readonly abort: (reason: unknown) => void;
}

/** Saving the current state as a snapshot, and recall split into the machine's two phases. */
export class SessionSnapshots {
  /** The recall sheets of the last recall (hand-set units), live: the tablet shows them. */
  readonly sheets: LiveRecallSheets;
  readonly #d: SessionSnapshotsDeps;

  constructor(deps: SessionSnapshotsDeps) {
    this.#d = deps;
    const params = deps.params;
    this.sheets = new LiveRecallSheets({
      watch: (listener) => params.watch(listener),
      specOf: (id) => (params.has(id) ? params.spec(id) : undefined),
      current: (id) => (params.has(id) ? params.get(id) : undefined),
    });
  }

  /**
   * Save everything as a new snapshot of `project`/`track` (created when they do not exist
   * yet, so a new album starts with its first save). Units that did not answer their identity
   * query are left out and listed in `problems`.
   */
  async save(input: { project: string; track: string; name: string; note?: string | undefined }): Promise<{ id: number; problems: CaptureProblem[] }> {
    const { store } = this.#d;
    const existing = store.listProjects().find((p) => p.name === input.project);
    const projectId = existing?.id ?? store.createProject(input.project);
    const project = store.getProject(projectId);
    if (!project.tracks.some((t) => t.name === input.track)) store.addTrack(projectId, input.track);
    const { state, problems } = await captureSnapshotState({
      params: this.#d.params,
      units: this.#d.units(),
      routing: { insertUnits: this.#d.insertUnits() },
      surfacePages: this.#d.surfacePages(),
      calibration: this.#d.calibration(),
      loudness: this.#d.loudness(),
      ...(input.note !== undefined ? { note: input.note } : {}),
      ...(this.#d.unitTimeoutMs !== undefined ? { unitTimeoutMs: this.#d.unitTimeoutMs } : {}),
    });
    const id = store.saveSnapshot({ project: projectId, track: input.track, name: input.name, state });
    this.#d.log.info({ id, project: input.project, track: input.track, name: input.name, problems: problems.length }, 'snapshot saved');
    return { id, problems };
  }

  /** Phase 1: start the recall; resolves when it moves on to verifying (or has finished). */
  apply(snapshotId: string, signal: AbortSignal): Promise<RecallHandoff> {
    const id = Number(snapshotId);
    if (!Number.isInteger(id) || id <= 0) return Promise.reject(new BridgeError('E_STORE_NOT_FOUND', `no snapshot ${snapshotId}`));
    const snapshot = this.#d.store.getSnapshot(id);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    return new Promise<RecallHandoff>((resolve, reject) => {
      let handedOff = false;
      const handOff = (): void => {
        if (handedOff) return;
        handedOff = true;
        // From here on the verify step owns the cancellation.
        signal.removeEventListener('abort', onAbort);
        resolve({ pending, abort: (reason) => controller.abort(reason) });
      };
      const pending = recallSnapshot(
        snapshot,
        { params: this.#d.params, units: new Map(this.#d.units().map((u) => [u.id, u])), log: this.#d.log },
        {
          signal: controller.signal,
          ...(this.#d.unitTimeoutMs !== undefined ? { unitTimeoutMs: this.#d.unitTimeoutMs } : {}),
          onPhase: (phase) => {
            if (phase === 'verifying') queueMicrotask(handOff);
          },
        },
      );
      pending.then(
        (report) => {
          // Every finished recall replaces the sheets (none: the snapshot has no hand-set unit).
          this.sheets.show(report);
          queueMicrotask(handOff);
        },
        (err: unknown) => {
          if (handedOff) return;
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Phase 2: wait for the verification report. */
  async verify(handoff: RecallHandoff, signal: AbortSignal): Promise<RecallReport> {
    const onAbort = (): void => handoff.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await handoff.pending;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  diff(a: number, b: number): SnapshotDiffEntry[] {
    return diffSnapshots(this.#d.store.getSnapshot(a).state, this.#d.store.getSnapshot(b).state);
  }
}
