import type { DaemonPart } from '../daemon.ts';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ParamStore } from '../params/param-store.ts';
import { planRestore, type RestoreReport } from './session-restore.ts';
import type { SessionUnit } from './store/snapshot-state.ts';
import { SnapshotStore } from './store/snapshot-store.ts';

export type { RestoreReport, RestoreUnitReport } from './session-restore.ts';

export interface StorePartOptions {
  readonly file: string;
  readonly params: ParamStore;
  readonly log: Logger;
  /** Debounce for writing the live session after parameter changes. */
  readonly sessionSaveDelayMs?: number;
  /**
   * The outboard units now (`liveUnitIdentities(outboard.manager.units())`): saved with the
   * session, and compared at restore so a swapped unit is not written the old unit's values.
   * Without it the session records no units and restores every value unchecked (reported so).
   */
  readonly units?: () => readonly SessionUnit[];
}

/**
 * The snapshot store as a daemon part: opens (and migrates) the SQLite file, restores the
 * live session (current project/track and every parameter value still known), keeps the
 * session saved as parameters move, and writes it one last time on stop.
 */
export class StorePart implements DaemonPart {
  readonly name = 'store';
  readonly #o: StorePartOptions;
  #store: SnapshotStore | undefined;
  #unwatch: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #current: { projectId: number | null; trackId: number | null; snapshotId: number | null } = { projectId: null, trackId: null, snapshotId: null };
  #units: (() => readonly SessionUnit[]) | undefined;
  #restore: RestoreReport | null = null;

  constructor(options: StorePartOptions) {
    this.#o = options;
    this.#units = options.units;
  }

  /** Give the unit identities after construction (before start), like the `units` option. */
  setUnitIdentities(units: () => readonly SessionUnit[]): void {
    this.#units = units;
  }

  /** What the start did with the saved live session (null: there was none). */
  get restoreReport(): RestoreReport | null {
    return this.#restore;
  }

  /** The store while it is open (undefined before start and after stop). */
  get openStore(): SnapshotStore | undefined {
    return this.#store;
  }

  get store(): SnapshotStore {
    if (!this.#store) throw new BridgeError('E_STORE_OPEN', 'the snapshot store is not open');
    return this.#store;
  }

  /** The project/track/snapshot the engineer is on (kept with the session). */
  setCurrent(current: { projectId: number | null; trackId: number | null; snapshotId: number | null }): void {
    this.#current = { ...current };
    this.#scheduleSave();
  }

  get current(): { projectId: number | null; trackId: number | null; snapshotId: number | null } {
    return { ...this.#current };
  }

  async start(): Promise<void> {
    const { log, params } = this.#o;
    this.#store = await SnapshotStore.open(this.#o.file, { log });
    if (this.#store.migratedFrom !== null) {
      log.info({ from: this.#store.migratedFrom, backup: this.#store.backupFile }, 'snapshot store migrated');
    }
    const saved = this.#store.loadSession();
    if (saved) {
      // Only what still exists, is still in range, and belongs to the same physical unit.
      const { values, report } = planRestore(saved, params, this.#units ? this.#units() : null);
      params.setMany(values, 'session');
      this.#current = { projectId: saved.projectId, trackId: saved.trackId, snapshotId: saved.snapshotId };
      this.#restore = report;
      for (const u of report.units) {
        if (u.status === 'changed') log.warn({ unitId: u.unitId, code: u.code, saved: u.saved, now: u.now }, `session restore: ${u.reason ?? ''}`);
        else if (u.status === 'unchecked') log.warn({ unitId: u.unitId, values: u.values }, `session restore: ${u.unitId} restored unchecked: ${u.reason ?? ''}`);
      }
      log.info({ restored: report.restored, unknown: report.unknown, withheld: report.withheld, savedAt: saved.savedAt }, 'session restored');
    }
    this.#unwatch = params.watch(() => this.#scheduleSave());
  }

  async stop(): Promise<void> {
    this.#unwatch?.();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#store) return;
    this.#saveNow();
    this.#store.close();
    this.#store = undefined;
  }

  #scheduleSave(): void {
    if (!this.#store || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#saveNow();
    }, this.#o.sessionSaveDelayMs ?? 1000);
    this.#timer.unref();
  }

  #saveNow(): void {
    try {
      this.#store?.saveSession({ ...this.#current, values: this.#o.params.values(), units: this.#units ? [...this.#units()] : null });
    } catch (err) {
      this.#o.log.error({ err }, 'could not save the session');
    }
  }
}
