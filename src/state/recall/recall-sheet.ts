import type { ParamSpec } from '../../params/param-spec.ts';
import { formatValue, nearestStepIndex, quantise } from '../../params/taper.ts';
import type { OutboardUnitState } from '../store/snapshot-state.ts';

export interface RecallSheetLine {
  readonly id: string;
  readonly label: string;
  readonly target: number;
  /** As the front panel is labelled: `4.5 dB`, `2.2 kHz`, `on`. */
  readonly targetText: string;
  /** For a stepped switch: the click position counted from the left stop, 1-based. */
  readonly detent: { readonly position: number; readonly of: number } | null;
  /** What the unit reports now (null: not reporting, or not known). */
  readonly current: number | null;
  readonly atTarget: boolean;
}

/** The hand-set controls of one unit with their target positions, in the snapshot's order (the profile's, as captured). */
export interface RecallSheet {
  readonly unitId: string;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  /** The unit reports its front panel: lines tick themselves; otherwise the engineer ticks them. */
  readonly reporting: boolean;
  readonly lines: readonly RecallSheetLine[];
}

export type SpecLookup = (id: string) => ParamSpec | undefined;

/** Whether a reported control position is the target (the detent nearest to it, for switches). */
export function isAtTarget(spec: ParamSpec | undefined, target: number, current: number): boolean {
  if (!Number.isFinite(current)) return false;
  const want = spec ? quantise(spec, target) : target;
  const scale = spec ? spec.max - spec.min : Math.max(Math.abs(target), 1);
  return Math.abs(current - want) <= scale * 1e-6;
}

export function buildRecallSheet(unit: OutboardUnitState, specOf: SpecLookup, current: Readonly<Record<string, number>> | null): RecallSheet {
  const lines = Object.entries(unit.values).map(([id, target]): RecallSheetLine => {
    const spec = specOf(id);
    const now = current?.[id];
    const value = typeof now === 'number' ? now : null;
    return {
      id,
      label: spec?.label ?? id.slice(`outboard.${unit.unitId}.`.length),
      target,
      targetText: spec ? formatValue(spec, target) : String(target),
      detent: spec?.kind === 'stepped' && spec.steps ? { position: nearestStepIndex(spec.steps, target) + 1, of: spec.steps.length } : null,
      current: value,
      atTarget: value !== null && isAtTarget(spec, target, value),
    };
  });
  return {
    unitId: unit.unitId,
    model: unit.model,
    serial: unit.serial,
    firmware: unit.firmware,
    reporting: current !== null,
    lines,
  };
}
