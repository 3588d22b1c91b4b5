import { isBridgeError, type BridgeErrorCode } from '../../errors.ts';
import type { WriteOutcome } from './latest-wins-queue.ts';
import type { UnitParam } from './profile-params.ts';

/**
 * set: written and acknowledged with the target value, but the read-back failed;
 * verified: the unit reports the target value after the recall (read back);
 * mismatched: the unit reports another value (a knob moved meanwhile, a newer write won, a unit quirk);
 * failed: no confirmed write (timeouts, NAK), `code` says why.
 */
export type RecallStatus = 'set' | 'verified' | 'mismatched' | 'failed';

export interface ParamRecallResult {
  readonly name: string;
  readonly id: string;
  readonly target: number;
  /** What the unit reports at the end (absent when unknown). */
  readonly actual?: number;
  readonly status: RecallStatus;
  readonly code?: BridgeErrorCode;
  readonly message?: string;
}

export interface UnitRecallResult {
  readonly unitId: string;
  /** Every parameter verified. */
  readonly ok: boolean;
  readonly durationMs: number;
  /** `manual`: a hand-set unit, nothing written; results compare its switches with the targets. */
  readonly mode: 'electronic' | 'manual';
  readonly results: readonly ParamRecallResult[];
}

/** What the recall needs from the unit driver. */
export interface RecallContext {
  readonly unitId: string;
  readonly manual: boolean;
  now(): number;
  /** Through the latest-wins queue: resolves with the value the unit acknowledged. */
  write(name: string, value: number): Promise<WriteOutcome<number>>;
  /** Read every parameter back (DUMP). */
  readBack(): Promise<ReadonlyMap<string, number>>;
  /** The last value the unit reported for a parameter. */
  reported(name: string): number | undefined;
}

type PassOutcome = { kind: 'ack'; value: number } | { kind: 'superseded' } | { kind: 'error'; code: BridgeErrorCode; message: string };

/**
 * Whole-unit recall: write every target (pipelined through the write queue, in address order), read
 * the unit back, re-send what did not stick once, read back again, and report per parameter.
 * `targets` must already be quantised to what the unit can hold.
 */
export async function recallUnit(ctx: RecallContext, params: readonly UnitParam[], targets: ReadonlyMap<string, number>): Promise<UnitRecallResult> {
  const start = ctx.now();
  const chosen = params.filter((p) => targets.has(p.name));
  if (ctx.manual) {
    const back = await ctx.readBack().catch(() => undefined);
    const results = chosen.map((p): ParamRecallResult => {
      const target = targets.get(p.name) as number;
      const actual = back?.get(p.name) ?? ctx.reported(p.name);
      return {
        name: p.name,
        id: p.id,
        target,
        ...(actual !== undefined ? { actual } : {}),
        status: actual === target ? 'verified' : 'mismatched',
      };
    });
    return { unitId: ctx.unitId, ok: results.every((r) => r.status === 'verified'), durationMs: ctx.now() - start, mode: 'manual', results };
  }

  const outcome = new Map<string, PassOutcome>();
  await writePass(ctx, chosen, targets, outcome);
  let back = await ctx.readBack().catch(() => undefined);
  if (back) {
    const again = chosen.filter((p) => outcome.get(p.name)?.kind === 'ack' && back?.get(p.name) !== targets.get(p.name));
    if (again.length > 0) {
      await writePass(ctx, again, targets, outcome);
      back = (await ctx.readBack().catch(() => undefined)) ?? back;
    }
  }
  const results = chosen.map((p): ParamRecallResult => {
    const target = targets.get(p.name) as number;
    const o = outcome.get(p.name) as PassOutcome;
    const actual = back?.get(p.name) ?? ctx.reported(p.name);
    const base = { name: p.name, id: p.id, target, ...(actual !== undefined ? { actual } : {}) };
    if (o.kind === 'error') return { ...base, status: 'failed', code: o.code, message: o.message };
    if (o.kind === 'superseded') return { ...base, status: actual === target ? 'verified' : 'mismatched', message: 'a newer write replaced the recall value' };
    if (back) return { ...base, status: back.get(p.name) === target ? 'verified' : 'mismatched' };
    return { ...base, status: o.value === target ? 'set' : 'mismatched' };
  });
  return { unitId: ctx.unitId, ok: results.every((r) => r.status === 'verified'), durationMs: ctx.now() - start, mode: 'electronic', results };
}

async function writePass(ctx: RecallContext, params: readonly UnitParam[], targets: ReadonlyMap<string, number>, outcome: Map<string, PassOutcome>): Promise<void> {
  const settled = await Promise.allSettled(params.map((p) => ctx.write(p.name, targets.get(p.name) as number)));
  settled.forEach((s, i) => {
    const name = (params[i] as UnitParam).name;
    if (s.status === 'rejected') {
      const err: unknown = s.reason;
      outcome.set(name, {
        kind: 'error',
        code: isBridgeError(err) ? err.code : 'E_OUTBOARD_MISMATCH',
        message: err instanceof Error ? err.message : String(err),
      });
    } else if (s.value.status === 'superseded') outcome.set(name, { kind: 'superseded' });
    else outcome.set(name, { kind: 'ack', value: s.value.result });
  });
}
