import { BridgeError } from '../../errors.ts';
import type { Snapshot } from '../store/store-types.ts';
import { recallSnapshot, type RecallDeps, type RecallOptions, type RecallReport } from './recall-snapshot.ts';
import { diffSnapshots, type SnapshotDiffEntry } from './snapshot-diff.ts';

export type AbSide = 'a' | 'b';

export interface SnapshotAbOptions {
  unitTimeoutMs?: number;
  allowChangedUnits?: boolean;
}

/**
 * A/B between two snapshots of the same track. The first switch recalls the chosen
 * snapshot completely; later switches set the whole digital chain (cheap, atomic) but send
 * the outboard units only what must move: the parameters where the two snapshots differ,
 * plus any whose current value (the ParamStore mirrors each unit) is not the target, so a
 * knob touched between switches is put back too.
 */
export class SnapshotAB {
  readonly a: Snapshot;
  readonly b: Snapshot;
  /** What the tablet shows: every value that differs between a and b. */
  readonly diff: readonly SnapshotDiffEntry[];
  readonly #deps: RecallDeps;
  readonly #options: SnapshotAbOptions;
  #active: AbSide | null = null;
  #busy = false;

  constructor(a: Snapshot, b: Snapshot, deps: RecallDeps, options: SnapshotAbOptions = {}) {
    if (a.trackId !== b.trackId) {
      throw new BridgeError('E_RECALL_AB_TRACKS', `A/B needs two snapshots of the same track (snapshot ${a.id} is on track ${a.trackId}, ${b.id} on ${b.trackId})`, {
        details: { a: a.id, b: b.id, trackA: a.trackId, trackB: b.trackId },
      });
    }
    this.a = a;
    this.b = b;
    this.diff = diffSnapshots(a.state, b.state);
    this.#deps = deps;
    this.#options = options;
  }

  /** The side applied last (null before the first switch, or after a failed one). */
  get active(): AbSide | null {
    return this.#active;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Switch to the other side (to a on the first press). */
  toggle(options: Pick<RecallOptions, 'signal' | 'onPhase'> = {}): Promise<RecallReport> {
    return this.select(this.#active === 'a' ? 'b' : 'a', options);
  }

  async select(side: AbSide, options: Pick<RecallOptions, 'signal' | 'onPhase'> = {}): Promise<RecallReport> {
    if (this.#busy) throw new BridgeError('E_RECALL_BUSY', 'an A/B switch is still running', { details: { a: this.a.id, b: this.b.id } });
    this.#busy = true;
    const target = side === 'a' ? this.a : this.b;
    const outboardIds = this.#active === null ? undefined : this.#outboardToSend(target);
    this.#active = null;
    try {
      const report = await recallSnapshot(target, this.#deps, {
        ...this.#options,
        ...options,
        ...(outboardIds ? { outboardIds } : {}),
      });
      this.#active = side;
      return report;
    } finally {
      this.#busy = false;
    }
  }

  #outboardToSend(target: Snapshot): Set<string> {
    const ids = new Set<string>();
    for (const d of this.diff) if (d.unitId !== null) ids.add(d.id);
    const params = this.#deps.params;
    for (const unit of target.state.outboard) {
      for (const [id, value] of Object.entries(unit.values)) {
        if (!params.has(id) || params.get(id) !== value) ids.add(id);
      }
    }
    return ids;
  }
}
