import type { SnapshotState } from '../store/snapshot-state.ts';

export interface SnapshotDiffEntry {
  readonly id: string;
  /** null for a digital parameter. */
  readonly unitId: string | null;
  /** The value in snapshot a (null: a does not have this parameter). */
  readonly a: number | null;
  readonly b: number | null;
}

/**
 * Every parameter value that differs between two snapshots, digital and outboard, as a list:
 * digital first (in a's order, then b's extra ids), then per unit. Values are compared
 * exactly: both were stored from the ParamStore, already quantised, so any difference is a
 * real one.
 */
export function diffSnapshots(a: SnapshotState, b: SnapshotState): SnapshotDiffEntry[] {
  const out: SnapshotDiffEntry[] = [];
  diffValues(a.digital, b.digital, null, out);
  const unitIds = [...a.outboard.map((u) => u.unitId), ...b.outboard.map((u) => u.unitId).filter((id) => !a.outboard.some((u) => u.unitId === id))];
  for (const unitId of unitIds) {
    const ua = a.outboard.find((u) => u.unitId === unitId);
    const ub = b.outboard.find((u) => u.unitId === unitId);
    diffValues(ua?.values ?? {}, ub?.values ?? {}, unitId, out);
  }
  return out;
}

function diffValues(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>, unitId: string | null, out: SnapshotDiffEntry[]): void {
  for (const [id, va] of Object.entries(a)) {
    const vb = Object.hasOwn(b, id) ? (b[id] as number) : null;
    if (vb === null || va !== vb) out.push({ id, unitId, a: va, b: vb });
  }
  for (const [id, vb] of Object.entries(b)) {
    if (!Object.hasOwn(a, id)) out.push({ id, unitId, a: null, b: vb });
  }
}
