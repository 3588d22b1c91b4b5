import { engineSectionSchema, type EngineSection } from '../config/sections/engine.ts';
import { chainSpecOf, createChain } from '../engine/chain-factory.ts';
import type { ParamSpec } from '../params/param-spec.ts';
import { formatValue } from '../params/taper.ts';

export interface ParamsCommandOptions {
  json: boolean;
  /** The engine section of the loaded config (chain order, bands); default: the built-in defaults. */
  engineConfig?: EngineSection;
}

export interface ParamsCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `hybrid-bridge params [--json]`: every parameter of the digital chain with its range, unit and
 * default (the ids `process --set` and the API take). `--json` prints one array of ParamSpec.
 */
export function paramsCommand(opts: ParamsCommandOptions, io: ParamsCommandIo): Promise<number> {
  const engine = opts.engineConfig ?? engineSectionSchema.parse({});
  const params = createChain(chainSpecOf(engine)).params;
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(params, null, 2)}\n`);
    return Promise.resolve(0);
  }
  const rows = params.map((p) => [p.id, p.kind, range(p), p.unit, formatValue(p, p.default)]);
  const head = ['id', 'kind', 'range', 'unit', 'default'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => `${r.map((v, c) => v.padEnd(widths[c] ?? 0)).join('  ').trimEnd()}\n`;
  io.stdout.write(line(head));
  for (const r of rows) io.stdout.write(line(r));
  io.stdout.write(`${params.length} parameters\n`);
  return Promise.resolve(0);
}

function range(p: ParamSpec): string {
  if (p.kind === 'toggle') return 'off/on';
  if (p.choices) return p.choices.join('|');
  if (p.steps) return p.steps.join('|');
  return `${p.min} .. ${p.max}${p.taper === 'linear' ? '' : ` (${p.taper})`}`;
}
