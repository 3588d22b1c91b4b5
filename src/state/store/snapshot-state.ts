import { z } from 'zod';
import { PARAM_ID_PATTERN } from '../../params/param-spec.ts';

/**
 * The complete state a snapshot holds, as one validated shape. The same schema guards
 * `saveSnapshot` (a caller bug never reaches the database), the export file (a snapshot
 * travels between rooms exactly as stored) and import (a hostile file is refused).
 *
 * Limits are generous for a mastering room but bounded, so that a malicious import cannot
 * make the daemon allocate without limit.
 */
export const STATE_LIMITS = {
  maxValues: 20_000,
  maxUnits: 64,
  maxNameLength: 200,
  maxNoteLength: 20_000,
  maxIdentityLength: 120,
} as const;

/** Outboard and surface ids: camelCase, the same rule as the outboard config section. */
export const UNIT_ID_PATTERN = /^[a-z][a-zA-Z0-9]*$/;
const SURFACE_ID_PATTERN = /^[a-z][a-zA-Z0-9-]*$/;

export const RECALL_MODES = ['electronic', 'manual'] as const;
export type RecallMode = (typeof RECALL_MODES)[number];

const paramIdSchema = z.string().max(STATE_LIMITS.maxNameLength).regex(PARAM_ID_PATTERN, 'a parameter id such as eq.band2.gainDb');
const unitIdSchema = z.string().max(64).regex(UNIT_ID_PATTERN, 'a camelCase unit id such as eq1');
const identityText = z.string().min(1).max(STATE_LIMITS.maxIdentityLength);

const valuesSchema = z
  .record(paramIdSchema, z.number())
  .refine((v) => Object.keys(v).length <= STATE_LIMITS.maxValues, `at most ${STATE_LIMITS.maxValues} values`);

export const outboardUnitStateSchema = z
  .strictObject({
    unitId: unitIdSchema,
    model: identityText,
    serial: identityText,
    firmware: identityText,
    recallMode: z.enum(RECALL_MODES),
    /** Full parameter ids (`outboard.<unitId>.<param>`) -> value, as the ParamStore names them. */
    values: valuesSchema,
  })
  .superRefine((unit, ctx) => {
    const prefix = `outboard.${unit.unitId}.`;
    for (const id of Object.keys(unit.values)) {
      if (!id.startsWith(prefix)) {
        ctx.addIssue({ code: 'custom', path: ['values', id], message: `an ${unit.unitId} parameter id must start with ${prefix}` });
      }
    }
  });
export type OutboardUnitState = z.infer<typeof outboardUnitStateSchema>;

/** Measured with BS.1770 / EBU Tech 3342 when the snapshot was saved. */
export const snapshotLoudnessSchema = z.strictObject({
  integratedLufs: z.number().min(-200).max(30),
  loudnessRangeLu: z.number().min(0).max(200),
  truePeakDbtp: z.number().min(-200).max(30),
});
export type SnapshotLoudness = z.infer<typeof snapshotLoudnessSchema>;

const channelList = z.array(z.number().int().min(1).max(64)).min(1).max(8);

/** The audio path a calibration belongs to: a latency is only valid for this exact path. */
export const calibrationRouteSchema = z.strictObject({
  interface: z.string().max(STATE_LIMITS.maxNameLength),
  sendChannels: channelList,
  returnChannels: channelList,
  sampleRateHz: z.number().int().min(8000).max(768_000),
  blockSize: z.number().int().min(1).max(65_536),
});
export type CalibrationRoute = z.infer<typeof calibrationRouteSchema>;

export const calibrationSchema = z.strictObject({
  route: calibrationRouteSchema,
  /** Round trip of the insert (interface out -> analog -> interface in), compensated to the sample. */
  latencySamples: z.number().int().min(0).max(1_000_000),
  gainDb: z.number().min(-96).max(96),
  polarity: z.union([z.literal(1), z.literal(-1)]),
});
export type Calibration = z.infer<typeof calibrationSchema>;

export const snapshotStateSchema = z
  .strictObject({
    /** Every digital parameter (everything in the ParamStore that is not `outboard.*`). */
    digital: valuesSchema,
    outboard: z.array(outboardUnitStateSchema).max(STATE_LIMITS.maxUnits),
    /** The insert routing: the outboard units in the hardware insert, in signal order. */
    routing: z.strictObject({ insertUnits: z.array(unitIdSchema).max(STATE_LIMITS.maxUnits) }),
    /** Surface id -> the mapping page it was on. */
    surfacePages: z.record(z.string().max(64).regex(SURFACE_ID_PATTERN, 'a surface id'), z.string().min(1).max(STATE_LIMITS.maxNameLength)),
    /** The calibration the snapshot was made with (null: the insert was not calibrated). */
    calibration: calibrationSchema.nullable(),
    note: z.string().max(STATE_LIMITS.maxNoteLength),
    /** Null when nothing was measured (silence, or a snapshot saved before schema v2). */
    loudness: snapshotLoudnessSchema.nullable(),
  })
  .superRefine((state, ctx) => {
    for (const id of Object.keys(state.digital)) {
      if (id.startsWith('outboard.')) {
        ctx.addIssue({ code: 'custom', path: ['digital', id], message: 'outboard parameters belong to their unit under outboard[]' });
      }
    }
    const seen = new Set<string>();
    state.outboard.forEach((u, i) => {
      if (seen.has(u.unitId)) ctx.addIssue({ code: 'custom', path: ['outboard', i, 'unitId'], message: `unit ${u.unitId} appears twice` });
      seen.add(u.unitId);
    });
    let count = Object.keys(state.digital).length;
    for (const u of state.outboard) count += Object.keys(u.values).length;
    if (count > STATE_LIMITS.maxValues) {
      ctx.addIssue({ code: 'custom', path: [], message: `${count} values in total, at most ${STATE_LIMITS.maxValues}` });
    }
  });
export type SnapshotState = z.infer<typeof snapshotStateSchema>;

/**
 * Which physical unit an outboard unit id stood for when the live session was saved: its
 * `outboard.<unitId>.*` values are restored only into that same unit (a swapped unit is
 * reported, not written).
 */
export const sessionUnitSchema = z.strictObject({
  unitId: unitIdSchema,
  model: identityText,
  serial: identityText,
  /** Null when the unit had not answered yet (the firmware is known only once it is online). */
  firmware: identityText.nullable(),
});
export type SessionUnit = z.infer<typeof sessionUnitSchema>;

/** The live session the daemon resumes after a restart. */
export const sessionStateSchema = z.strictObject({
  projectId: z.number().int().positive().nullable(),
  trackId: z.number().int().positive().nullable(),
  /** The snapshot last recalled or saved (what "A/B" and "revert" refer to). */
  snapshotId: z.number().int().positive().nullable(),
  /** Every parameter value (digital and outboard) at the time of the save. */
  values: valuesSchema,
  /** The outboard units the values belong to; null: not recorded (a session saved before schema v3). */
  units: z.array(sessionUnitSchema).max(STATE_LIMITS.maxUnits).nullable().default(null),
});
export type SessionState = z.infer<typeof sessionStateSchema>;
/** What `saveSession` accepts: `units` may be left out (not recorded). */
export type SessionStateInput = z.input<typeof sessionStateSchema>;

/** Number of parameter values a state holds (digital plus every unit's). */
export function stateValueCount(state: SnapshotState): number {
  let n = Object.keys(state.digital).length;
  for (const u of state.outboard) n += Object.keys(u.values).length;
  return n;
}

/**
 * Loudness for a snapshot from the meters' live levels. Integrated loudness of silence is
 * -Infinity (BS.1770 gating leaves no block), which is "not measured", not a number to store.
 */
export function snapshotLoudnessFrom(levels: {
  readonly integratedLufs: number;
  readonly loudnessRangeLu: number;
  readonly truePeakDbtp: number;
}): SnapshotLoudness | null {
  const { integratedLufs, loudnessRangeLu, truePeakDbtp } = levels;
  if (!Number.isFinite(integratedLufs) || !Number.isFinite(truePeakDbtp)) return null;
  const parsed = snapshotLoudnessSchema.safeParse({
    integratedLufs,
    loudnessRangeLu: Number.isFinite(loudnessRangeLu) ? loudnessRangeLu : 0,
    truePeakDbtp,
  });
  return parsed.success ? parsed.data : null;
}

/** Stable text key of a route, used as the calibrations table's primary key. */
export function routeKey(route: CalibrationRoute): string {
  return `${route.interface}|send=${route.sendChannels.join(',')}|return=${route.returnChannels.join(',')}|${route.sampleRateHz}Hz|${route.blockSize}`;
}

/** `a.b.0.c: message` lines for a zod error, at most `max` of them. */
export function describeIssues(error: z.ZodError, max = 5): { text: string; issues: { path: string; message: string }[] } {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
  const shown = issues.slice(0, max).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > max) shown.push(`and ${issues.length - max} more`);
  return { text: shown.join('; '), issues };
}
