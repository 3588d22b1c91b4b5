import { z } from 'zod';
import { BridgeError } from '../errors.ts';

/**
 * The parameter model. Every controllable thing, digital or outboard, is one of these.
 * Values are always numbers: a toggle is 0/1, a choice is the index into `choices`,
 * a stepped control is one of its detent values (in the control's unit, e.g. dB or Hz).
 */
export const PARAM_KINDS = ['continuous', 'stepped', 'toggle', 'choice'] as const;
export type ParamKind = (typeof PARAM_KINDS)[number];

/**
 * linear: position proportional to value.
 * log: position proportional to log(value) (frequencies, times; min must be > 0).
 * db: a fader law for dB values: more travel near the top of the range,
 *     value = max - (max - min) * (1 - n)^2.
 */
export const TAPERS = ['linear', 'log', 'db'] as const;
export type Taper = (typeof TAPERS)[number];

/** Ids are dot-separated camelCase segments: `eq.band2.gainDb`, `outboard.eq1.lowFreqHz`. */
export const PARAM_ID_PATTERN = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)+$/;

export const paramSpecSchema = z
  .object({
    id: z.string().regex(PARAM_ID_PATTERN, 'dot-separated id such as eq.band2.gainDb'),
    label: z.string().min(1),
    kind: z.enum(PARAM_KINDS),
    unit: z.string(),
    min: z.number().finite(),
    max: z.number().finite(),
    default: z.number().finite(),
    taper: z.enum(TAPERS).default('linear'),
    /** stepped: the exact detent values, strictly ascending, first = min, last = max. */
    steps: z.array(z.number().finite()).readonly().optional(),
    /** choice: the labels; the value is the index. */
    choices: z.array(z.string()).readonly().optional(),
    /** Grouping for pages and the tablet, e.g. `eq.band2`. */
    group: z.string().optional(),
    /**
     * continuous: the smallest step the target can represent (an outboard unit's wire
     * resolution, e.g. 0.1 dB). Values are stored rounded to min + k * resolution, so the
     * store never holds a value the unit would answer differently (fine ticks keep adding up).
     */
    resolution: z.number().positive().finite().optional(),
  })
  .strict();

export type ParamSpecInput = z.input<typeof paramSpecSchema>;

export interface ParamSpec {
  readonly id: string;
  readonly label: string;
  readonly kind: ParamKind;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  readonly default: number;
  readonly taper: Taper;
  readonly steps?: readonly number[];
  readonly choices?: readonly string[];
  readonly group?: string;
  readonly resolution?: number;
}

/**
 * Validate and normalise a parameter description into a frozen ParamSpec.
 * Toggles and choices get their implicit steps ([0,1] / [0..n-1]) so that
 * every discrete kind quantises through the same path.
 */
export function defineParam(input: ParamSpecInput): ParamSpec {
  const parsed = paramSpecSchema.safeParse(input);
  if (!parsed.success) {
    const id = typeof input.id === 'string' ? input.id : '?';
    throw new BridgeError('E_PARAM_SPEC', `parameter ${id}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
      details: { id },
    });
  }
  const p = parsed.data;
  const fail = (why: string): never => {
    throw new BridgeError('E_PARAM_SPEC', `parameter ${p.id}: ${why}`, { details: { id: p.id } });
  };
  let steps: readonly number[] | undefined = p.steps;
  let min = p.min;
  let max = p.max;
  switch (p.kind) {
    case 'toggle':
      steps = [0, 1];
      min = 0;
      max = 1;
      break;
    case 'choice': {
      if (!p.choices || p.choices.length < 2) fail('a choice needs at least two choices');
      const n = p.choices?.length ?? 0;
      steps = Array.from({ length: n }, (_, i) => i);
      min = 0;
      max = n - 1;
      break;
    }
    case 'stepped': {
      if (!steps || steps.length < 2) return fail('a stepped control needs at least two detent values');
      for (let i = 1; i < steps.length; i++) {
        if (!((steps[i] as number) > (steps[i - 1] as number))) fail('detent values must be strictly ascending');
      }
      min = steps[0] as number;
      max = steps[steps.length - 1] as number;
      break;
    }
    case 'continuous':
      if (steps) fail('a continuous control has no detent list (use kind: stepped)');
      break;
  }
  if (p.resolution !== undefined && p.kind !== 'continuous') fail('only a continuous control has a resolution');
  if (!(max > min)) fail(`max (${max}) must be greater than min (${min})`);
  if (p.taper === 'log' && min <= 0) fail('a log taper needs min > 0');
  if (p.default < min || p.default > max) fail(`default ${p.default} is outside ${min}..${max}`);
  if (steps && !steps.includes(p.default)) fail(`default ${p.default} is not one of the detent values`);
  const spec: ParamSpec = {
    id: p.id,
    label: p.label,
    kind: p.kind,
    unit: p.unit,
    min,
    max,
    default: p.default,
    taper: p.taper,
    ...(steps ? { steps: Object.freeze([...steps]) } : {}),
    ...(p.choices ? { choices: Object.freeze([...p.choices]) } : {}),
    ...(p.group !== undefined ? { group: p.group } : {}),
    ...(p.resolution !== undefined ? { resolution: p.resolution } : {}),
  };
  return Object.freeze(spec);
}

export function isDiscrete(spec: ParamSpec): spec is ParamSpec & { steps: readonly number[] } {
  return spec.steps !== undefined;
}
