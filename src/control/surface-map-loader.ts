import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { formatProblem, type ConfigProblem } from '../config/load-config.ts';
import { knownKeysAt, suggest } from '../config/schema-keys.ts';
import { BridgeError } from '../errors.ts';
import { controlHelp, controlKind, type ControlKind } from './control-ids.ts';
import { surfaceMapSchema, userLayerSchema, type BindingInput, type SurfaceMap, type UserLayer } from './surface-map-schema.ts';

/**
 * Loading surface maps and learn user layers with `file:line:column  path  message` errors, the
 * same reporting as the main config (load-config.ts `formatProblem`). All problems are
 * collected and thrown together as one `E_SURFACE_MAP`.
 */

export interface LoadedSurfaceMap {
  readonly file: string;
  readonly map: SurfaceMap;
  /** `file:line` of every binding, by its dotted path (`bindings.2`, `pages.0.strips.3`), for logs. */
  readonly where: ReadonlyMap<string, string>;
}

/** Resolve `map: xtouch` against the maps folder (`<mapsDir>/xtouch.yaml`); paths pass through. */
export function resolveMapFile(mapsDir: string, map: string): string {
  if (map.endsWith('.yaml') || map.endsWith('.yml')) return path.isAbsolute(map) ? map : path.resolve(mapsDir, map);
  return path.resolve(mapsDir, `${map}.yaml`);
}

export async function loadSurfaceMap(file: string, expectedType?: string): Promise<LoadedSurfaceMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BridgeError('E_SURFACE_MAP', `${file}: cannot read surface map (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { details: { file } });
  }
  return parseSurfaceMap(text, file, expectedType);
}

export function parseSurfaceMap(text: string, file: string, expectedType?: string): LoadedSurfaceMap {
  const { doc, lc, raw } = parseYaml(text, file);
  const result = surfaceMapSchema.safeParse(raw);
  const problems: ConfigProblem[] = [];
  const at = (p: (string | number)[], message: string, expected?: string): void => {
    problems.push({ file, ...positionOf(doc, lc, p), path: p.join('.'), message, ...(expected ? { expected } : {}) });
  };
  // Control ids are checked on the raw document too, so one run reports every problem.
  checkControls(raw, at);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...issueProblems(surfaceMapSchema, issue, doc, lc, file));
    throw mapError(file, problems);
  }
  const map = result.data;
  if (expectedType !== undefined && map.type !== expectedType) at(['type'], `the map is for a "${map.type}" surface but the surface is configured as "${expectedType}"`);
  const where = new Map<string, string>();
  map.bindings.forEach((_b, i) => where.set(`bindings.${i}`, `${file}:${positionOf(doc, lc, ['bindings', i]).line}`));
  const pageIds = new Set(map.pages.map((pg) => pg.id));
  map.pages.forEach((pg, i) => {
    pg.bindings?.forEach((_b, j) => where.set(`pages.${i}.bindings.${j}`, `${file}:${positionOf(doc, lc, ['pages', i, 'bindings', j]).line}`));
    if (pg.strips && map.type !== 'mcu') at(['pages', i, 'strips'], '"strips" are for mcu surfaces; use "bindings"');
    pg.strips?.forEach((_s, j) => where.set(`pages.${i}.strips.${j}`, `${file}:${positionOf(doc, lc, ['pages', i, 'strips', j]).line}`));
  });
  const checkPageTarget = (b: BindingInput, p: (string | number)[]): void => {
    if (b.action === 'page' && b.target !== undefined && !pageIds.has(b.target)) at([...p, 'target'], `no page "${b.target}" in this map`, [...pageIds].join(', '));
  };
  map.bindings.forEach((b, i) => checkPageTarget(b, ['bindings', i]));
  map.pages.forEach((pg, i) => pg.bindings?.forEach((b, j) => checkPageTarget(b, ['pages', i, 'bindings', j])));
  if (problems.length > 0) throw mapError(file, problems);
  return { file, map, where };
}

/** Best-effort walk of the raw document: every binding whose control is a string is checked for the map's type. */
function checkControls(raw: unknown, at: (p: (string | number)[], message: string, expected?: string) => void): void {
  if (typeof raw !== 'object' || raw === null) return;
  const r = raw as Record<string, unknown>;
  const type = typeof r.type === 'string' ? r.type : undefined;
  if (!type) return;
  const hidFields = new Map<string, ControlKind>();
  const fields = (r.hid as { fields?: unknown } | undefined)?.fields;
  if (Array.isArray(fields)) {
    for (const f of fields as { name?: unknown; kind?: unknown }[]) {
      if (typeof f.name === 'string') hidFields.set(f.name, f.kind === 'button' ? 'button' : f.kind === 'absolute' ? 'absolute' : 'relative');
    }
  }
  const check = (list: unknown, base: (string | number)[]): void => {
    if (!Array.isArray(list)) return;
    list.forEach((b: unknown, i) => {
      if (typeof b !== 'object' || b === null || typeof (b as { control?: unknown }).control !== 'string') return;
      checkBindingControl(type, b as BindingInput, hidFields, (message, expected) => at([...base, i, 'control'], message, expected));
    });
  };
  check(r.bindings, ['bindings']);
  if (Array.isArray(r.pages)) r.pages.forEach((pg: unknown, i) => check((pg as { bindings?: unknown } | null)?.bindings, ['pages', i, 'bindings']));
}

/** Validate a binding's control against the surface type. Exported for learn (which writes bindings). */
export function checkBindingControl(
  type: string,
  b: BindingInput,
  hidFields: ReadonlyMap<string, ControlKind> | undefined,
  fail: (message: string, expected?: string) => void,
): void {
  const kind = controlKind(type, b.control, hidFields);
  if (!kind) {
    fail(`"${b.control}" is not a control of a ${type} surface`, controlHelp(type));
    return;
  }
  if (b.param === undefined) return;
  const mode = b.mode;
  if (mode === undefined) return;
  if (kind === 'relative' && mode !== 'relative') fail(`"${b.control}" is a relative control: mode must be relative`);
  if (kind === 'absolute' && mode !== 'absolute') fail(`"${b.control}" is an absolute control: mode must be absolute`);
}

export async function loadUserLayer(file: string): Promise<UserLayer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BridgeError('E_SURFACE_MAP', `${file}: cannot read learn layer (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { details: { file } });
  }
  const { doc, lc, raw } = parseYaml(text, file);
  const result = userLayerSchema.safeParse(raw);
  if (!result.success) {
    const problems: ConfigProblem[] = [];
    for (const issue of result.error.issues) problems.push(...issueProblems(userLayerSchema, issue, doc, lc, file));
    throw mapError(file, problems);
  }
  return result.data;
}

/** Write the user layer atomically (temp file + rename), with a header saying what it is. */
export async function saveUserLayer(file: string, layer: UserLayer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const body = stringify(
    {
      version: 1,
      ...(layer.bindings.length > 0 ? { bindings: layer.bindings } : {}),
      ...(layer.strips.length > 0 ? { strips: layer.strips } : {}),
    },
    { lineWidth: 0 },
  );
  const text = `# Learned surface bindings (written by hybrid-bridge MIDI learn). Merged over the shipped map;\n# edit or delete entries freely, the daemon re-reads this file at start.\n${body}`;
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

/**
 * The shipped map with the user layer on top: a user binding replaces shipped bindings of the
 * same control on the same page (or the global one), learned strips replace strip slots.
 */
export function mergeUserLayer(map: SurfaceMap, layer: UserLayer | undefined): SurfaceMap {
  if (!layer) return map;
  const globalUser = layer.bindings.filter((b) => b.page === undefined);
  const pageUser = (id: string): BindingInput[] => layer.bindings.filter((b) => b.page === id);
  const userControls = new Set(globalUser.map((b) => b.control));
  const pages = map.pages.map((pg) => {
    const mine = pageUser(pg.id);
    const overridden = new Set([...mine.map((b) => b.control), ...userControls]);
    let strips = pg.strips ? [...pg.strips] : undefined;
    for (const s of layer.strips.filter((x) => x.page === pg.id)) {
      strips ??= [];
      while (strips.length < s.slot) strips.push({});
      const prev = strips[s.slot - 1] ?? {};
      strips[s.slot - 1] = s.control === 'fader' ? { ...prev, fader: s.param } : { ...prev, param: s.param };
    }
    return {
      ...pg,
      ...(strips ? { strips } : {}),
      bindings: [...(pg.bindings ?? []).filter((b) => !overridden.has(b.control)), ...mine.map(({ page: _page, ...b }) => b)],
    };
  });
  return {
    ...map,
    bindings: [...map.bindings.filter((b) => !userControls.has(b.control)), ...globalUser],
    pages,
  };
}

// ---- YAML position helpers ------------------------------------------------------------------

function parseYaml(text: string, file: string): { doc: Document; lc: LineCounter; raw: unknown } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lc.linePos(e.pos[0]);
      return { file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message };
    });
    throw mapError(file, problems);
  }
  return { doc, lc, raw: doc.toJS() ?? {} };
}

function mapError(file: string, problems: ConfigProblem[]): BridgeError {
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return new BridgeError('E_SURFACE_MAP', problems.map(formatProblem).join('\n'), { details: { file, problems } });
}

function issueProblems(schema: z.ZodType, issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, file: string): ConfigProblem[] {
  const keyPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, keyPath);
    return issue.keys.map((key) => {
      const guess = suggest(key, known);
      return {
        file,
        ...positionOf(doc, lc, [...keyPath, key], true),
        path: [...keyPath, key].join('.'),
        message: `unknown key "${key}"${guess ? `, did you mean "${guess}"?` : ''}`,
        ...(known.length > 0 ? { expected: `one of: ${known.join(', ')}` } : {}),
      };
    });
  }
  const missing = issue.code === 'invalid_type' && !hasPath(doc, keyPath);
  const expected =
    issue.code === 'invalid_value'
      ? `one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
      : issue.code === 'invalid_type'
        ? `expected ${issue.expected}`
        : undefined;
  return [{ file, ...positionOf(doc, lc, keyPath), path: keyPath.join('.'), message: missing ? 'required key is missing' : issue.message, ...(expected ? { expected } : {}) }];
}

function hasPath(doc: Document, keyPath: readonly (string | number)[]): boolean {
  return doc.hasIn(keyPath);
}

/** Line/column of the deepest existing node along `keyPath` (of the key itself when `atKey`). */
function positionOf(doc: Document, lc: LineCounter, keyPath: readonly (string | number)[], atKey = false): { line: number; column: number } {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (let i = 0; i < keyPath.length; i++) {
    const k = keyPath[i];
    const last = i === keyPath.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === k);
      if (!pair) break;
      const keyStart = (pair.key as YamlNode | null)?.range?.[0];
      const valStart = (pair.value as YamlNode | null)?.range?.[0];
      // A scalar value is reported at its key (where people look); a block at its first line.
      offset = (last && atKey) || !(isMap(pair.value) || isSeq(pair.value)) ? (keyStart ?? offset) : (valStart ?? keyStart ?? offset);
      node = pair.value;
    } else if (isSeq(node) && typeof k === 'number') {
      const item = node.items[k] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}
