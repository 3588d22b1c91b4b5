import type { ParamSpec } from '../../params/param-spec.ts';
import type { RecallMode } from '../store/snapshot-state.ts';

export interface UnitIdentity {
  readonly model: string;
  readonly firmware: string;
  readonly serial: string;
}

/** What the unit answered for one parameter of a whole-unit recall. */
export type UnitParamResult =
  /** Accepted; `value` is what the unit says it applied (it may have snapped it to a detent). */
  | { readonly id: string; readonly ok: true; readonly value: number }
  /** Refused or lost (NAK, timeout, checksum): `code` is the driver's error code. */
  | { readonly id: string; readonly ok: false; readonly code: string; readonly reason: string };

export interface UnitCallOptions {
  /** Aborted when the recall is cancelled (the session machine left `recalling`). */
  readonly signal?: AbortSignal;
}

/**
 * The seam between recall and one outboard unit. Behavioural rules:
 * - Every method is asynchronous; none resolves synchronously.
 * - Parameter ids are full ParamStore ids (`outboard.<id>.<param>`).
 * - `identity` rejects when the unit is not reachable (offline, no answer).
 * - `recall` sends the given values (a whole-unit recall, or the subset given) and answers
 *   one result per id it was given; it rejects only when the unit could not be talked to at all.
 * - `read` answers the values the unit reports now (read back from the hardware, not a cache
 *   of what was sent: verification depends on it).
 * - A `manual` unit (hand-set stepped gear) is never sent values; `read` is called only when
 *   it reports its front panel, and may reject otherwise.
 * - An aborted `signal` should make a pending call reject promptly; recall also stops waiting.
 *
 * Adapting the outboard driver (src/devices/serial `OutboardManager`) is a few lines in the
 * composition root, e.g.
 *
 *   const recallable = (m: OutboardManager, id: string, manual: boolean): RecallableUnit => ({
 *     id,
 *     recallMode: manual ? 'manual' : 'electronic',            // the profile's `recall: manual`
 *     identity: () => m.identity(id),                         // { model, firmware, serial }
 *     recall: async (values) => (await m.recall(id, values)).map((r) =>
 *       r.ok ? { id: r.id, ok: true, value: r.value } : { id: r.id, ok: false, code: r.code, reason: r.message }),
 *     read: () => m.read(id),                                 // a fresh read-back, full ids
 *   });
 *
 * If the manager names parameters without the `outboard.<id>.` prefix, add/strip it there.
 */
export interface RecallableUnit {
  readonly id: string;
  readonly recallMode: RecallMode;
  identity(options?: UnitCallOptions): Promise<UnitIdentity>;
  recall(values: Readonly<Record<string, number>>, options?: UnitCallOptions): Promise<readonly UnitParamResult[]>;
  read(options?: UnitCallOptions): Promise<Readonly<Record<string, number>>>;
}

/**
 * Where recall sets the digital chain and looks up parameter specs: the ParamStore satisfies
 * this structurally (`src/params/param-store.ts`).
 */
export interface RecallParamTarget {
  has(id: string): boolean;
  spec(id: string): ParamSpec;
  get(id: string): number;
  /** Atomic: all or nothing; throws a BridgeError and changes nothing when any entry is bad. */
  setMany(entries: Readonly<Record<string, number>>, source: string): unknown;
}

/** A change stream in the shape of `ParamStore.watch`. Returns the unsubscribe function. */
export type ParamWatch = (listener: (changes: readonly { readonly id: string; readonly value: number }[], source: string) => void) => () => void;

export const PARAM_RESULTS = ['matched', 'adjusted', 'mismatched', 'failed'] as const;
export type ParamResult = (typeof PARAM_RESULTS)[number];

export interface RecallParamResult {
  readonly id: string;
  /** null for a digital parameter. */
  readonly unitId: string | null;
  readonly expected: number;
  /** What the chain or the unit reports after the recall; null when it could not be read. */
  readonly actual: number | null;
  /**
   * matched: equal (within float noise). adjusted: the unit or the ParamStore snapped it to
   * its nearest detent / resolution. mismatched: reads back something else. failed: refused,
   * not answered, not sent (unit absent or changed), or unknown to this build.
   */
  readonly result: ParamResult;
  readonly code?: string;
  readonly reason?: string;
}

/**
 * verified / mismatch: electronic unit, recalled and read back.
 * absent: not configured, or not answering its identity request (E_RECALL_UNIT_ABSENT).
 * changed: answers with another serial, model or firmware (E_RECALL_UNIT_CHANGED).
 * manual: hand-set; see its recall sheet.
 * untouched: nothing of this unit needed sending (A/B between snapshots that agree on it).
 */
export type UnitRecallStatus = 'verified' | 'mismatch' | 'absent' | 'changed' | 'manual' | 'untouched';

export interface UnitRecallReport {
  readonly unitId: string;
  readonly mode: RecallMode;
  readonly status: UnitRecallStatus;
  /** As saved in the snapshot. */
  readonly expected: UnitIdentity;
  /** As the unit answered now (null: it did not). */
  readonly actual: UnitIdentity | null;
  /** Whether values were sent to it (a changed unit is written only with `allowChangedUnits`). */
  readonly written: boolean;
  readonly code?: string;
  readonly reason?: string;
}
