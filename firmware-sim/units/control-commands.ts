import { readFile } from 'node:fs/promises';
import type { SimUnit } from './sim-unit.ts';

export type ControlReply = Record<string, unknown> & { ok: boolean };

/**
 * The bench technician's language (docs/outboard-protocol.md section 12): one command per line,
 * one JSON answer. `watch` is handled by the transport that owns the connection.
 */
export async function runControlCommand(unit: SimUnit, line: string): Promise<ControlReply> {
  const words = line.trim().split(/\s+/).filter((w) => w.length > 0);
  const [cmd, ...args] = words;
  try {
    switch (cmd) {
      case undefined:
        return { ok: true };
      case 'state':
        return { ok: true, ...unit.state() };
      case 'panel':
        return { ok: true, change: unit.panel(need(args[0], 'NAME'), num(args[1], 'VALUE')) };
      case 'turn':
        return { ok: true, change: unit.turn(need(args[0], 'NAME'), num(args[1], 'STEPS')) };
      case 'input-level':
        unit.setInputLevel(num(args[0], 'DBFS'));
        return { ok: true };
      case 'fault':
        return fault(unit, args);
      case 'garbage':
        unit.garbage(Math.max(0, Math.min(65536, Math.trunc(num(args[0], 'N')))));
        return { ok: true };
      case 'power-cycle':
        unit.powerCycle(args[0] === 'reset');
        return { ok: true };
      case 'unplug':
        await unit.unplug();
        return { ok: true };
      case 'replug':
        return { ok: true, port: await unit.replug(args[0]) };
      case 'wait':
        await new Promise((r) => setTimeout(r, Math.max(0, num(args[0], 'MS'))));
        return { ok: true };
      case 'script':
        return await runScript(unit, need(args[0], 'FILE'));
      default:
        return { ok: false, error: `unknown command "${cmd}"` };
    }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function fault(unit: SimUnit, args: string[]): ControlReply {
  const [kind, a, b] = args;
  switch (kind) {
    case 'drop':
    case 'corrupt': {
      if (a !== 'rx' && a !== 'tx' && a !== 'both') throw new Error('direction must be rx, tx or both');
      unit.setLineFault(kind, a, num(b, 'P'));
      return { ok: true };
    }
    case 'stall':
      unit.stall(num(a, 'MS'));
      return { ok: true };
    case 'clear':
      unit.clearFaults();
      return { ok: true };
    default:
      throw new Error('fault drop|corrupt rx|tx|both P, fault stall MS, fault clear');
  }
}

/** A script: one command per line, `#` starts a comment; stops at the first failing command. */
export async function runScript(unit: SimUnit, file: string): Promise<ControlReply> {
  const text = await readFile(file, 'utf8');
  let n = 0;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const reply = await runControlCommand(unit, line);
    if (!reply.ok) return { ok: false, error: `${file}:${i + 1}: ${String(reply.error)}` };
    n++;
  }
  return { ok: true, commands: n };
}

function need(s: string | undefined, what: string): string {
  if (s === undefined) throw new Error(`missing ${what}`);
  return s;
}

function num(s: string | undefined, what: string): number {
  const v = Number(need(s, what));
  if (!Number.isFinite(v)) throw new Error(`${what} must be a number, got "${s}"`);
  return v;
}
