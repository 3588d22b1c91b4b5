import { isBridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { ParamSpec } from '../../params/param-spec.ts';
import type { OutboardUnitState, SnapshotState } from '../store/snapshot-state.ts';
import { classifyParam } from './classify-param.ts';
import { buildRecallSheet, type RecallSheet } from './recall-sheet.ts';
import type {
  RecallableUnit,
  RecallParamResult,
  RecallParamTarget,
  UnitIdentity,
  UnitParamResult,
  UnitRecallReport,
} from './recallable-unit.ts';
import { withDeadline } from './with-deadline.ts';

export interface RecallDeps {
  /** The ParamStore. */
  params: RecallParamTarget;
  /** The outboard units present now, by id (adapters over the OutboardManager). */
  units: ReadonlyMap<string, RecallableUnit>;
  log?: Logger;
}

export type RecallPhase = 'recalling' | 'verifying';

export interface RecallOptions {
  signal?: AbortSignal;
  /** Per unit call (identity, recall, read). Default 15 s: a whole-unit recall over 9600 baud is seconds. */
  unitTimeoutMs?: number;
  /**
   * Write units that answer with another serial/model/firmware anyway (the engineer chose
   * "recall anyway"). They are still reported as `changed`, and the status stays `mismatch`.
   */
  allowChangedUnits?: boolean;
  /** Send and verify only these outboard parameter ids (A/B switching); digital is always complete. */
  outboardIds?: ReadonlySet<string>;
  /** Called as recall moves on: the session machine's `recalling` -> `verifying`. */
  onPhase?: (phase: RecallPhase) => void;
}

export interface RecallReport {
  readonly snapshotId: number | null;
  /** verified: every parameter matched or adjusted and every unit is the one saved. */
  readonly status: 'verified' | 'mismatch';
  /** Digital first, then each electronic unit's, in snapshot order. */
  readonly params: readonly RecallParamResult[];
  readonly units: readonly UnitRecallReport[];
  /** One per hand-set unit: what the engineer sets by hand. */
  readonly sheets: readonly RecallSheet[];
  /** Units present now that the snapshot does not mention (left as they are). */
  readonly unitsNotInSnapshot: readonly string[];
  readonly counts: { readonly matched: number; readonly adjusted: number; readonly mismatched: number; readonly failed: number };
  readonly durationMs: number;
}

/** The snapshot shape recall needs (a stored `Snapshot` satisfies it). */
export interface RecallableSnapshot {
  readonly id?: number;
  readonly state: SnapshotState;
}

const DEFAULT_UNIT_TIMEOUT_MS = 15_000;

interface UnitPlan {
  readonly saved: OutboardUnitState;
  readonly values: Record<string, number>;
  readonly unit: RecallableUnit | undefined;
  actual: UnitIdentity | null;
  status: UnitRecallReport['status'] | null;
  code?: string;
  reason?: string;
  written: boolean;
  acks: Map<string, UnitParamResult>;
  readBack: Readonly<Record<string, number>> | null;
}

/**
 * Recall a snapshot: set the digital chain atomically, send every electronic unit its
 * values (all units concurrently), then read every unit back and classify each parameter.
 * A unit that is absent or changed does not stop the others; it is reported, with each of
 * its parameters listed as failed. Hand-set units get a recall sheet.
 *
 * Cancellation: when `signal` aborts, the promise rejects with the signal's reason at once
 * (pending unit calls are abandoned and told through their own signal). What was already
 * sent stays sent: a cancelled recall is partial by nature, and the ParamStore always says
 * what was applied.
 */
export async function recallSnapshot(snapshot: RecallableSnapshot, deps: RecallDeps, options: RecallOptions = {}): Promise<RecallReport> {
  const started = performance.now();
  const { signal } = options;
  const timeoutMs = options.unitTimeoutMs ?? DEFAULT_UNIT_TIMEOUT_MS;
  const state = snapshot.state;
  signal?.throwIfAborted();
  options.onPhase?.('recalling');

  const specOf = (id: string): ParamSpec | undefined => (deps.params.has(id) ? deps.params.spec(id) : undefined);
  // Verified right away: later, a surface touched during the unit I/O would read as a mismatch.
  const digital = verifyDigital(applyDigital(state.digital, deps.params, specOf), deps.params, specOf);

  const plans: UnitPlan[] = state.outboard.map((saved) => {
    const values = options.outboardIds ? pick(saved.values, options.outboardIds) : { ...saved.values };
    return { saved, values, unit: deps.units.get(saved.unitId), actual: null, status: null, written: false, acks: new Map(), readBack: null };
  });

  // Phase 1: identify and write every unit, concurrently (each on its own port).
  await Promise.all(plans.map((p) => writeUnit(p, options, timeoutMs)));
  signal?.throwIfAborted();
  options.onPhase?.('verifying');

  // Phase 2: read every written (or reporting hand-set) unit back, concurrently.
  await Promise.all(plans.map((p) => readUnit(p, signal, timeoutMs)));
  signal?.throwIfAborted();

  const params: RecallParamResult[] = digital;
  const units: UnitRecallReport[] = [];
  const sheets: RecallSheet[] = [];
  for (const p of plans) {
    if (p.saved.recallMode === 'manual') {
      // Hand-set: never verified here; its sheet (with what the unit reports, if it does) is the check.
      sheets.push(buildRecallSheet({ ...p.saved, values: p.values }, specOf, p.readBack));
    } else if (p.status !== 'untouched') {
      const unitParams = unitResults(p, specOf);
      params.push(...unitParams);
      if (p.status === null) p.status = unitParams.every((r) => r.result === 'matched' || r.result === 'adjusted') ? 'verified' : 'mismatch';
    }
    units.push({
      unitId: p.saved.unitId,
      mode: p.saved.recallMode,
      status: p.status ?? 'mismatch',
      expected: { model: p.saved.model, serial: p.saved.serial, firmware: p.saved.firmware },
      actual: p.actual,
      written: p.written,
      ...(p.code !== undefined ? { code: p.code } : {}),
      ...(p.reason !== undefined ? { reason: p.reason } : {}),
    });
  }
  syncReadBack(plans, deps, specOf);

  const counts = { matched: 0, adjusted: 0, mismatched: 0, failed: 0 };
  for (const r of params) counts[r.result]++;
  const unitTrouble = units.some((u) => u.status === 'absent' || u.status === 'changed' || u.status === 'mismatch');
  const report: RecallReport = {
    snapshotId: snapshot.id ?? null,
    status: counts.mismatched === 0 && counts.failed === 0 && !unitTrouble ? 'verified' : 'mismatch',
    params,
    units,
    sheets,
    unitsNotInSnapshot: [...deps.units.keys()].filter((id) => !state.outboard.some((u) => u.unitId === id)),
    counts,
    durationMs: performance.now() - started,
  };
  deps.log?.info(
    { snapshotId: report.snapshotId, status: report.status, ...counts, units: units.map((u) => `${u.unitId}:${u.status}`), durationMs: Math.round(report.durationMs) },
    'recall finished',
  );
  return report;
}

function verifyDigital(entries: readonly DigitalEntry[], target: RecallParamTarget, specOf: (id: string) => ParamSpec | undefined): RecallParamResult[] {
  return entries.map((d) => {
    if (d.failure) return d.failure;
    const actual = target.get(d.id);
    return { id: d.id, unitId: null, expected: d.expected, actual, ...classifyParam(d.expected, actual, specOf(d.id)) };
  });
}

interface DigitalEntry {
  id: string;
  expected: number;
  failure?: RecallParamResult;
}

/**
 * Set every digital value that this build knows, in one atomic batch (source `recall`).
 * An id that is unknown now (a processor removed from the chain) or out of the current
 * range is reported failed instead of refusing the whole batch.
 */
function applyDigital(values: Readonly<Record<string, number>>, target: RecallParamTarget, specOf: (id: string) => ParamSpec | undefined): DigitalEntry[] {
  const entries: DigitalEntry[] = [];
  const batch: Record<string, number> = {};
  for (const [id, expected] of Object.entries(values)) {
    const spec = specOf(id);
    if (!spec) {
      entries.push({ id, expected, failure: failed(id, null, expected, 'E_PARAM_UNKNOWN', 'this parameter does not exist in the current chain') });
      continue;
    }
    const slack = (spec.max - spec.min) * 1e-9;
    if (expected < spec.min - slack || expected > spec.max + slack) {
      entries.push({ id, expected, failure: failed(id, null, expected, 'E_PARAM_RANGE', `outside the current range ${spec.min}..${spec.max}`) });
      continue;
    }
    batch[id] = expected;
    entries.push({ id, expected });
  }
  try {
    target.setMany(batch, 'recall');
  } catch (err) {
    const code = isBridgeError(err) ? err.code : 'E_PARAM_RANGE';
    const reason = err instanceof Error ? err.message : String(err);
    return entries.map((e) => (e.failure ? e : { ...e, failure: failed(e.id, null, e.expected, code, reason) }));
  }
  return entries;
}

async function writeUnit(p: UnitPlan, options: RecallOptions, timeoutMs: number): Promise<void> {
  const id = p.saved.unitId;
  if (Object.keys(p.values).length === 0 && p.saved.recallMode === 'electronic') {
    p.status = 'untouched';
    return;
  }
  if (!p.unit) {
    if (p.saved.recallMode === 'manual') {
      p.status = 'manual';
      return;
    }
    p.status = 'absent';
    p.code = 'E_RECALL_UNIT_ABSENT';
    p.reason = `${id} is not connected`;
    return;
  }
  const unit = p.unit;
  try {
    p.actual = await withDeadline((s) => unit.identity({ signal: s }), timeoutMs, options.signal, `${id} identity`);
  } catch (err) {
    if (options.signal?.aborted) return;
    if (p.saved.recallMode === 'manual') {
      p.status = 'manual';
      return;
    }
    p.status = 'absent';
    p.code = 'E_RECALL_UNIT_ABSENT';
    p.reason = `${id} does not answer: ${messageOf(err)}`;
    return;
  }
  const changes = identityChanges(p.saved, p.actual);
  if (changes.length > 0) {
    p.status = 'changed';
    p.code = 'E_RECALL_UNIT_CHANGED';
    p.reason = `${id} is not the unit the snapshot was made with: ${changes.join(', ')}`;
    if (!options.allowChangedUnits || p.saved.recallMode === 'manual') return;
  }
  if (p.saved.recallMode === 'manual') {
    p.status = 'manual';
    return;
  }
  try {
    const acks = await withDeadline((s) => unit.recall(p.values, { signal: s }), timeoutMs, options.signal, `${id} recall`);
    p.written = true;
    for (const a of acks) p.acks.set(a.id, a);
  } catch (err) {
    if (options.signal?.aborted) return;
    // Nothing answered at all: every parameter failed with the driver's reason.
    const code = isBridgeError(err) ? err.code : ((err as { code?: unknown }).code as string | undefined) ?? 'E_DEVICE_UNAVAILABLE';
    for (const pid of Object.keys(p.values)) p.acks.set(pid, { id: pid, ok: false, code, reason: messageOf(err) });
    p.written = true;
  }
}

async function readUnit(p: UnitPlan, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
  const unit = p.unit;
  const readable = p.written || (p.status === 'manual' && p.actual !== null) || (p.status === 'changed' && p.actual !== null);
  if (!unit || !readable) return;
  try {
    p.readBack = await withDeadline((s) => unit.read({ signal: s }), timeoutMs, signal, `${p.saved.unitId} read-back`);
  } catch (err) {
    if (signal?.aborted) return;
    p.readBack = null;
    if (p.status !== 'manual') p.reason = `${p.saved.unitId} read-back failed: ${messageOf(err)}`;
  }
}

function unitResults(p: UnitPlan, specOf: (id: string) => ParamSpec | undefined): RecallParamResult[] {
  const unitId = p.saved.unitId;
  return Object.entries(p.values).map(([id, expected]): RecallParamResult => {
    const raw = p.readBack?.[id];
    const actual = typeof raw === 'number' ? raw : null;
    if (!p.written) {
      // Absent or changed: listed so nothing is silently skipped.
      return failed(id, unitId, expected, p.code ?? 'E_RECALL_UNIT_ABSENT', p.reason ?? 'not sent', actual);
    }
    const verdict = classifyParam(expected, actual, specOf(id), p.acks.get(id) ?? { id, ok: false, code: 'E_RECALL_UNIT_ABSENT', reason: 'the unit did not answer for this parameter' });
    return { id, unitId, expected, actual, ...verdict };
  });
}

/**
 * Put what the units reported into the ParamStore under each unit's own source
 * (`outboard:<id>`), so tablets and surfaces show the real settings and the outboard driver
 * does not echo them back to the unit.
 */
function syncReadBack(plans: readonly UnitPlan[], deps: RecallDeps, specOf: (id: string) => ParamSpec | undefined): void {
  for (const p of plans) {
    if (!p.written || !p.readBack) continue;
    const batch: Record<string, number> = {};
    for (const [id, v] of Object.entries(p.readBack)) {
      const spec = specOf(id);
      if (spec && Number.isFinite(v) && v >= spec.min && v <= spec.max) batch[id] = v;
    }
    try {
      deps.params.setMany(batch, `outboard:${p.saved.unitId}`);
    } catch (err) {
      deps.log?.warn({ unitId: p.saved.unitId, err: messageOf(err) }, 'recall: could not mirror the read-back into the parameters');
    }
  }
}

function identityChanges(saved: UnitIdentity, now: UnitIdentity): string[] {
  const out: string[] = [];
  for (const key of ['model', 'serial', 'firmware'] as const) {
    if (saved[key] !== now[key]) out.push(`${key} ${saved[key]} -> ${now[key]}`);
  }
  return out;
}

function pick(values: Readonly<Record<string, number>>, ids: ReadonlySet<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, v] of Object.entries(values)) if (ids.has(id)) out[id] = v;
  return out;
}

function failed(id: string, unitId: string | null, expected: number, code: string, reason: string, actual: number | null = null): RecallParamResult {
  return { id, unitId, expected, actual, result: 'failed', code, reason };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
