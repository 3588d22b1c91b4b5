import type { Calibration, SnapshotLoudness, SnapshotState } from '../store/snapshot-state.ts';
import type { RecallableUnit } from './recallable-unit.ts';
import { withDeadline } from './with-deadline.ts';

export interface CaptureInput {
  /** The ParamStore (every value, digital and outboard). */
  params: { values(prefix?: string): Record<string, number> };
  /** The outboard units present now. */
  units: readonly RecallableUnit[];
  routing: { insertUnits: readonly string[] };
  surfacePages?: Readonly<Record<string, string>>;
  calibration: Calibration | null;
  loudness: SnapshotLoudness | null;
  note?: string;
  signal?: AbortSignal;
  unitTimeoutMs?: number;
}

export interface CaptureProblem {
  readonly unitId: string;
  readonly code: 'E_RECALL_UNIT_ABSENT';
  readonly message: string;
}

/**
 * The complete current state, ready for `SnapshotStore.saveSnapshot`. Parameter values come
 * from the ParamStore (which mirrors every unit's read-back); each unit contributes its
 * identity, asked now. A unit that does not answer cannot be saved with an identity: it is
 * left out of the state and listed in `problems` (the API answers them as warnings), so a
 * later recall reports it instead of writing values to whatever is plugged in then.
 */
export async function captureSnapshotState(input: CaptureInput): Promise<{ state: SnapshotState; problems: CaptureProblem[] }> {
  const all = input.params.values();
  const digital: Record<string, number> = {};
  for (const [id, v] of Object.entries(all)) if (!id.startsWith('outboard.')) digital[id] = v;
  const problems: CaptureProblem[] = [];
  const identities = await Promise.all(
    input.units.map(async (u) => {
      try {
        return await withDeadline((s) => u.identity({ signal: s }), input.unitTimeoutMs ?? 5_000, input.signal, `${u.id} identity`);
      } catch (err) {
        input.signal?.throwIfAborted();
        problems.push({ unitId: u.id, code: 'E_RECALL_UNIT_ABSENT', message: `${u.id} was not saved: ${err instanceof Error ? err.message : String(err)}` });
        return null;
      }
    }),
  );
  const outboard: SnapshotState['outboard'] = [];
  input.units.forEach((u, i) => {
    const id = identities[i];
    if (!id) return;
    outboard.push({ unitId: u.id, model: id.model, serial: id.serial, firmware: id.firmware, recallMode: u.recallMode, values: input.params.values(`outboard.${u.id}.`) });
  });
  return {
    state: {
      digital,
      outboard,
      routing: { insertUnits: [...input.routing.insertUnits] },
      surfacePages: { ...(input.surfacePages ?? {}) },
      calibration: input.calibration,
      note: input.note ?? '',
      loudness: input.loudness,
    },
    problems,
  };
}
