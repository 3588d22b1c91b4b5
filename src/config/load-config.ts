import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { BridgeError } from '../errors.ts';
import { configSchema, type Config } from './schema.ts';
import { knownKeysAt, suggest } from './schema-keys.ts';

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path to the key, e.g. `outboard.0.baudRate`; empty for the whole document. */
  path: string;
  message: string;
  expected?: string;
}

/** `file:line:column  path  what is wrong  (what was expected)` */
export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return `${where}  ${p.path || '(document)'}  ${p.message}${p.expected ? `  (${p.expected})` : ''}`;
}

export interface ConfigOverrides {
  host?: string | undefined;
  port?: number | undefined;
  dataDir?: string | undefined;
  logLevel?: string | undefined;
}

/**
 * Environment overrides, applied on top of the file (and below command-line flags):
 * HYBRID_BRIDGE_HOST, HYBRID_BRIDGE_PORT, HYBRID_BRIDGE_DATA_DIR, HYBRID_BRIDGE_LOG_LEVEL.
 */
export function envOverrides(env: NodeJS.ProcessEnv): ConfigOverrides {
  const out: ConfigOverrides = {};
  if (env.HYBRID_BRIDGE_HOST) out.host = env.HYBRID_BRIDGE_HOST;
  if (env.HYBRID_BRIDGE_PORT) out.port = Number(env.HYBRID_BRIDGE_PORT);
  if (env.HYBRID_BRIDGE_DATA_DIR) out.dataDir = env.HYBRID_BRIDGE_DATA_DIR;
  if (env.HYBRID_BRIDGE_LOG_LEVEL) out.logLevel = env.HYBRID_BRIDGE_LOG_LEVEL;
  return out;
}

export interface LoadedConfig {
  readonly file: string;
  /** Folder of the config file: relative paths in it (gear profiles, surface maps, WAVs) resolve from here. */
  readonly baseDir: string;
  readonly config: Readonly<Config>;
}

/**
 * Read, parse and validate a config file. Every problem is collected (not just the first)
 * and thrown as one BridgeError `E_CONFIG_INVALID` whose `details.problems` lists them.
 */
export async function loadConfig(file: string, overrides: ConfigOverrides = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BridgeError('E_CONFIG_NOT_FOUND', `${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      details: { file },
      cause: err,
    });
  }
  return parseConfig(text, file, overrides);
}

export function parseConfig(text: string, file: string, overrides: ConfigOverrides = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    problems.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message });
  }
  if (problems.length > 0) {
    throw new BridgeError('E_CONFIG_PARSE', problems.map(formatProblem).join('\n'), { details: { file, problems } });
  }
  const raw: unknown = doc.toJS() ?? {};
  applyOverrides(raw, overrides);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...toProblems(issue, doc, lineCounter, file, raw));
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new BridgeError('E_CONFIG_INVALID', problems.map(formatProblem).join('\n'), { details: { file, problems } });
  }
  return Object.freeze({ file, baseDir: path.dirname(path.resolve(file)), config: deepFreeze(result.data) });
}

function applyOverrides(raw: unknown, o: ConfigOverrides): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const r = raw as Record<string, unknown>;
  if (o.host !== undefined || o.port !== undefined) {
    const server = (typeof r.server === 'object' && r.server !== null ? r.server : {}) as Record<string, unknown>;
    if (o.host !== undefined) server.host = o.host;
    if (o.port !== undefined) server.port = o.port;
    r.server = server;
  }
  if (o.dataDir !== undefined) r.dataDir = o.dataDir;
  if (o.logLevel !== undefined) r.logLevel = o.logLevel;
}

function toProblems(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, file: string, raw: unknown): ConfigProblem[] {
  const keyPath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(configSchema, keyPath);
    return issue.keys.map((key) => {
      const guess = suggest(key, known);
      const pos = position(doc, lc, [...keyPath, key], true);
      return {
        file,
        ...pos,
        path: [...keyPath, key].join('.'),
        message: `unknown key "${key}"${guess ? `, did you mean "${guess}"?` : ''}`,
        expected: known.length > 0 ? `one of: ${known.join(', ')}` : 'no keys here',
      };
    });
  }
  const pos = position(doc, lc, keyPath, false);
  const missing = issue.code === 'invalid_type' && getAt(raw, keyPath) === undefined;
  return [
    {
      file,
      ...pos,
      path: keyPath.join('.'),
      message: missing ? 'required key is missing' : issue.message,
      ...(expectedOf(issue) ? { expected: expectedOf(issue) as string } : {}),
    },
  ];
}

function expectedOf(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `${issue.origin === 'array' ? 'at least' : issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'too_big':
      return `${issue.origin === 'array' ? 'at most' : issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'invalid_format':
      return issue.format === 'regex' ? `matching ${issue.pattern ?? 'the pattern'}` : issue.format;
    default:
      return undefined;
  }
}

function getAt(raw: unknown, keyPath: readonly (string | number)[]): unknown {
  let cur = raw;
  for (const k of keyPath) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** The line/column of the deepest node along `keyPath` that exists (the key itself when asked). */
function position(doc: Document, lc: LineCounter, keyPath: readonly (string | number)[], wantKey: boolean): { line: number; column: number } {
  let node: unknown = doc.contents;
  let offset = (doc.contents)?.range?.[0] ?? 0;
  for (let i = 0; i < keyPath.length; i++) {
    const k = keyPath[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === k);
      if (!pair) break;
      const last = i === keyPath.length - 1;
      const keyRange = (pair.key as YamlNode | null)?.range;
      const valRange = (pair.value as YamlNode | null)?.range;
      offset = (last && wantKey ? keyRange?.[0] : (valRange?.[0] ?? keyRange?.[0])) ?? offset;
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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
