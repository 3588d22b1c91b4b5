import type { SessionUnit } from './store/snapshot-state.ts';
import type { StoredSession } from './store/store-types.ts';

/** The parameter lookups the restore needs (the ParamStore satisfies it). */
export interface RestoreTarget {
  has(id: string): boolean;
  spec(id: string): { readonly min: number; readonly max: number };
}

/**
 * One outboard unit's part of the restore.
 * - restored: the unit configured now is the one the session was saved with; its values go back.
 * - changed: another unit stands under this id now (serial, model or firmware differ): its
 *   values are NOT written (they belong to the other unit); `code` E_RECALL_UNIT_CHANGED.
 * - unchecked: the session did not record which unit it was (saved before schema v3, or by a
 *   daemon that did not know its units): restored as before, and said so.
 */
export interface RestoreUnitReport {
  readonly unitId: string;
  readonly status: 'restored' | 'changed' | 'unchecked';
  /** As saved with the session (null: not recorded). */
  readonly saved: SessionUnit | null;
  /** As configured / answering now (null: the unit is not configured any more). */
  readonly now: SessionUnit | null;
  /** Values of this unit in the saved session. */
  readonly values: number;
  readonly code?: 'E_RECALL_UNIT_CHANGED';
  readonly reason?: string;
}

/** What the daemon did with the live session at start (shown on the tablet and in the API). */
export interface RestoreReport {
  readonly savedAt: string;
  /** Values put back into the ParamStore. */
  readonly restored: number;
  /** Values dropped because the parameter no longer exists or is out of its range now. */
  readonly unknown: number;
  /** Values not written because their unit was swapped (sum over `changed` units). */
  readonly withheld: number;
  readonly units: readonly RestoreUnitReport[];
}

/** Unit id of an `outboard.<unitId>.<param>` id, or null for a digital parameter. */
function unitOf(id: string): string | null {
  if (!id.startsWith('outboard.')) return null;
  const end = id.indexOf('.', 9);
  return end < 0 ? null : id.slice(9, end);
}

function identityChanges(saved: SessionUnit, now: SessionUnit): string[] {
  const out: string[] = [];
  if (saved.model !== now.model) out.push(`model ${saved.model} -> ${now.model}`);
  if (saved.serial !== now.serial) out.push(`serial ${saved.serial} -> ${now.serial}`);
  // The firmware is known only once a unit has answered: compared when both sides know it.
  if (saved.firmware !== null && now.firmware !== null && saved.firmware !== now.firmware) out.push(`firmware ${saved.firmware} -> ${now.firmware}`);
  return out;
}

/**
 * Decide what of a saved live session goes back into the ParamStore: every value whose
 * parameter still exists and is in range, except the values of an outboard unit that is not
 * the one they were saved from (another serial number, model or firmware under the same id):
 * those would be written into the wrong unit by its driver. Nothing is dropped without being
 * listed in the report.
 */
export function planRestore(saved: StoredSession, params: RestoreTarget, unitsNow: readonly SessionUnit[] | null): { values: Record<string, number>; report: RestoreReport } {
  const savedUnits = new Map((saved.units ?? []).map((u) => [u.unitId, u]));
  const nowUnits = new Map((unitsNow ?? []).map((u) => [u.unitId, u]));
  const counts = new Map<string, number>();
  for (const id of Object.keys(saved.values)) {
    const unitId = unitOf(id);
    if (unitId !== null) counts.set(unitId, (counts.get(unitId) ?? 0) + 1);
  }
  const units: RestoreUnitReport[] = [];
  const withheldUnits = new Set<string>();
  for (const [unitId, n] of counts) {
    const was = savedUnits.get(unitId) ?? null;
    const now = nowUnits.get(unitId) ?? null;
    if (was === null || unitsNow === null) {
      units.push({ unitId, status: 'unchecked', saved: was, now, values: n, reason: 'the session did not record which unit this was (saved by an older version)' });
      continue;
    }
    if (now === null) {
      // Not configured any more: its parameters are gone from the store and fall under `unknown`.
      units.push({ unitId, status: 'restored', saved: was, now, values: n, reason: 'not configured now' });
      continue;
    }
    const changes = identityChanges(was, now);
    if (changes.length > 0) {
      withheldUnits.add(unitId);
      units.push({
        unitId,
        status: 'changed',
        saved: was,
        now,
        values: n,
        code: 'E_RECALL_UNIT_CHANGED',
        reason: `${unitId} is not the unit the session was saved with (${changes.join(', ')}): its ${n} saved values were not written to it`,
      });
      continue;
    }
    units.push({ unitId, status: 'restored', saved: was, now, values: n });
  }

  const values: Record<string, number> = {};
  let unknown = 0;
  let withheld = 0;
  for (const [id, v] of Object.entries(saved.values)) {
    const unitId = unitOf(id);
    if (unitId !== null && withheldUnits.has(unitId)) {
      withheld++;
      continue;
    }
    if (params.has(id) && v >= params.spec(id).min && v <= params.spec(id).max) values[id] = v;
    else unknown++;
  }
  return { values, report: { savedAt: saved.savedAt, restored: Object.keys(values).length, unknown, withheld, units } };
}
