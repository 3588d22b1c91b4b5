import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isNode, isPair, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { formatProblem, type ConfigProblem } from '../../config/load-config.ts';
import { knownKeysAt, suggest } from '../../config/schema-keys.ts';
import { BridgeError, isBridgeError } from '../../errors.ts';
import { defineParam, PARAM_KINDS, TAPERS } from '../../params/param-spec.ts';
import { PROTOCOL_VERSION } from './protocol.ts';

/**
 * A unit profile (config/gear/<name>.yaml): what the host knows about one model of unit: its
 * parameters (ranges, units, exact detents), their protocol addresses, its timing, how it is recalled.
 * Validated like the main config: every problem, with file:line:column, in one E_GEAR_PROFILE.
 */
const NAME = /^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9][A-Za-z0-9]*)*$/;

export const gearParameterSchema = z.strictObject({
  /** Becomes `outboard.<unitId>.<name>`; dots group (`ch1.band2.gainDb`). */
  name: z.string().regex(NAME, 'dot-separated camelCase name such as ch1.band2.gainDb'),
  /** Protocol address, 0x01..0xEF (section 3). */
  address: z.number().int().min(0x01).max(0xef),
  label: z.string().min(1),
  kind: z.enum(PARAM_KINDS),
  unit: z.string().default(''),
  /** continuous only */
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  /** stepped: the exact detent values, ascending; sent as the position index. */
  steps: z.array(z.number().finite()).min(2).optional(),
  /** choice: labels; the value is the index. */
  choices: z.array(z.string().min(1)).min(2).optional(),
  default: z.number().finite(),
  taper: z.enum(TAPERS).optional(),
  /** continuous only: raw = round(value * wireScale). */
  wireScale: z.number().positive().optional(),
});

export const gearMeterSchema = z.strictObject({
  name: z.string().regex(NAME),
  /** 0xF0..0xFE (read-only meters, section 3). */
  address: z.number().int().min(0xf0).max(0xfe),
  label: z.string().min(1),
  unit: z.string().default(''),
  wireScale: z.number().positive().default(1),
});

export const gearTimingSchema = z.strictObject({
  baudRate: z.number().int().positive().default(115200),
  maxCommandsPerSecond: z.number().positive().max(10_000).default(200),
  maxInFlight: z.number().int().min(1).max(16).default(2),
  /** The unit's input buffer; documentation for people sizing maxInFlight. */
  rxBufferBytes: z.number().int().positive().default(256),
  responseTimeoutMs: z.number().int().min(5).max(10_000).default(100),
  retries: z.number().int().min(0).max(10).default(3),
  /** Power-up to boot banner. */
  bootMs: z.number().int().min(0).max(60_000).default(500),
});

export const gearProfileSchema = z.strictObject({
  format: z.literal(1),
  /** Must equal `model=` in the unit's identity. */
  model: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -'),
  vendor: z.string().min(1),
  label: z.string().min(1),
  protocol: z.literal(PROTOCOL_VERSION),
  /** electronic: the driver sets it; manual: hand-set, the unit only reports (recall sheet). */
  recall: z.enum(['electronic', 'manual']),
  timing: gearTimingSchema.prefault({}),
  parameters: z.array(gearParameterSchema).min(1).max(239),
  meters: z.array(gearMeterSchema).default([]),
});

export type GearProfile = z.infer<typeof gearProfileSchema>;
export type GearParameter = z.infer<typeof gearParameterSchema>;
export type GearMeter = z.infer<typeof gearMeterSchema>;
export type GearTiming = z.infer<typeof gearTimingSchema>;

export interface LoadedGearProfile {
  /** File name without `.yaml`: what `outboard[].profile` names. */
  readonly name: string;
  readonly file: string;
  readonly profile: GearProfile;
}

/** `<dir>/<name>.yaml`, parsed and validated. */
export async function loadGearProfile(dir: string, name: string): Promise<LoadedGearProfile> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new BridgeError('E_GEAR_PROFILE', `profile name "${name}" must be a file name (letters, digits, . _ -)`, { details: { name } });
  }
  const file = path.join(dir, `${name}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BridgeError('E_GEAR_PROFILE', `${file}: cannot read gear profile (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      details: { file, name },
      cause: err,
    });
  }
  return { name, file, profile: parseGearProfile(text, file) };
}

export function parseGearProfile(text: string, file: string): GearProfile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): ConfigProblem => {
      const p = lc.linePos(e.pos[0]);
      return { file, line: p.line, column: p.col, path: '', message: e.message.split('\n')[0] ?? e.message };
    });
    throw profileError(file, problems);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const result = gearProfileSchema.safeParse(raw);
  const problems: ConfigProblem[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(issueProblem(issue, doc, lc, file, raw));
    // Still check the parameters that are well-formed on their own: every problem in one pass.
    problems.push(...semanticProblems(wellFormedParameters(raw), [], doc, lc, file));
  } else {
    problems.push(...semanticProblems(result.data.parameters.map((value, index) => ({ index, value })), result.data.meters, doc, lc, file));
  }
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw profileError(file, problems);
  }
  return result.data as GearProfile;
}

function profileError(file: string, problems: ConfigProblem[]): BridgeError {
  return new BridgeError('E_GEAR_PROFILE', problems.map(formatProblem).join('\n'), { details: { file, problems } });
}

function wellFormedParameters(raw: unknown): { index: number; value: GearParameter }[] {
  const list = (raw as { parameters?: unknown } | null)?.parameters;
  if (!Array.isArray(list)) return [];
  const out: { index: number; value: GearParameter }[] = [];
  list.forEach((item: unknown, index) => {
    const r = gearParameterSchema.safeParse(item);
    if (r.success) out.push({ index, value: r.data });
  });
  return out;
}

/** What zod cannot see: per-kind fields, unique names and addresses, and the ParamSpec rules. */
function semanticProblems(
  parameters: readonly { index: number; value: GearParameter }[],
  meters: readonly GearMeter[],
  doc: Document,
  lc: LineCounter,
  file: string,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const at = (keyPath: (string | number)[], message: string): void => {
    out.push({ file, ...locate(doc, lc, keyPath, false), path: keyPath.join('.'), message });
  };
  const names = new Map<string, number>();
  const addresses = new Map<number, number>();
  for (const { index: i, value: q } of parameters) {
    const base = ['parameters', i];
    const before = out.length;
    const prevName = names.get(q.name);
    if (prevName !== undefined) at([...base, 'name'], `duplicate parameter name "${q.name}" (also parameters.${prevName})`);
    names.set(q.name, i);
    const prevAddr = addresses.get(q.address);
    if (prevAddr !== undefined) at([...base, 'address'], `duplicate address 0x${q.address.toString(16).toUpperCase()} (also parameters.${prevAddr})`);
    addresses.set(q.address, i);
    const has = (k: 'min' | 'max' | 'steps' | 'choices' | 'wireScale'): boolean => q[k] !== undefined;
    if (q.kind === 'continuous') {
      if (!has('min') || !has('max')) at(base, 'a continuous parameter needs min and max');
      if (has('steps') || has('choices')) at(base, 'a continuous parameter has no steps or choices');
    } else {
      if (has('wireScale')) at([...base, 'wireScale'], 'wireScale is for continuous parameters (discrete ones are sent as the position index)');
      if (has('min') || has('max')) at(base, `a ${q.kind} parameter takes its range from its ${q.kind === 'stepped' ? 'steps' : 'positions'}, not min/max`);
      if (q.kind === 'stepped' && !has('steps')) at(base, 'a stepped parameter needs its steps (the exact detent values)');
      if (q.kind === 'choice' && !has('choices')) at(base, 'a choice parameter needs its choices');
      if (q.kind !== 'stepped' && has('steps')) at([...base, 'steps'], `steps are for stepped parameters, not ${q.kind}`);
      if (q.kind !== 'choice' && has('choices')) at([...base, 'choices'], `choices are for choice parameters, not ${q.kind}`);
    }
    if (out.length === before) {
      try {
        defineParam({
          id: `outboard.profile.${q.name}`,
          label: q.label,
          kind: q.kind,
          unit: q.unit,
          min: q.min ?? 0,
          max: q.max ?? 1,
          default: q.default,
          ...(q.taper ? { taper: q.taper } : {}),
          ...(q.steps ? { steps: q.steps } : {}),
          ...(q.choices ? { choices: q.choices } : {}),
        });
      } catch (err) {
        if (!isBridgeError(err)) throw err;
        at(base, err.message.replace(/^parameter outboard\.profile\.[^:]+: /, ''));
      }
    }
  }
  const meterAddr = new Set<number>();
  meters.forEach((m, i) => {
    if (meterAddr.has(m.address)) at(['meters', i, 'address'], 'duplicate meter address');
    meterAddr.add(m.address);
  });
  return out;
}

function issueProblem(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, file: string, raw: unknown): ConfigProblem {
  const keyPath = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(gearProfileSchema, keyPath);
    const key = issue.keys[0] ?? '';
    const guess = suggest(key, known);
    return {
      file,
      ...locate(doc, lc, [...keyPath, key], true),
      path: [...keyPath, key].join('.'),
      message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${guess ? `, did you mean "${guess}"?` : ''}`,
      expected: `one of: ${known.join(', ')}`,
    };
  }
  const missing = issue.code === 'invalid_type' && valueAt(raw, keyPath) === undefined;
  return { file, ...locate(doc, lc, keyPath, false), path: keyPath.join('.'), message: missing ? 'required key is missing' : issue.message };
}

function valueAt(raw: unknown, keyPath: readonly (string | number)[]): unknown {
  let cur = raw;
  for (const k of keyPath) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/**
 * Line and column of `keyPath` in the YAML document: the key itself when `wantKey` (an unknown key),
 * else its value; falls back to the nearest ancestor that exists (a missing key: its parent).
 */
function locate(doc: Document, lc: LineCounter, keyPath: readonly (string | number)[], wantKey: boolean): { line: number; column: number } {
  if (wantKey && keyPath.length > 0) {
    const parent = keyPath.length === 1 ? doc.contents : doc.getIn(keyPath.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((it) => isPair(it) && isNode(it.key) && (it.key as { value?: unknown }).value === keyPath[keyPath.length - 1]);
      const range = pair && isNode(pair.key) ? pair.key.range : undefined;
      if (range) return pos(lc, range[0]);
    }
  }
  for (let n = keyPath.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true);
    if (isNode(node) && node.range) return pos(lc, node.range[0]);
  }
  return { line: 1, column: 1 };
}

function pos(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}
