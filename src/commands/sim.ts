import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { OutboardUnitConfig } from '../config/sections/outboard.ts';
import type { z } from 'zod';
import type { simSectionSchema } from '../config/sections/sim.ts';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { dieWithParent, hasTool } from '../process/child-command.ts';

/**
 * firmware-sim runs as its own process (it shares no code with src/): this file only spawns it.
 * `hybrid-bridge sim unit ...` passes its arguments through; the daemon uses startSimulatedUnits.
 */
const UNIT_BIN = fileURLToPath(new URL('../../firmware-sim/bin/unit.ts', import.meta.url));

export interface SimCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Control commands typed by the user (default: none). */
  stdin?: NodeJS.ReadableStream;
  /** Abort stops the unit (SIGTERM). */
  signal?: AbortSignal;
}

export type SimConfig = z.infer<typeof simSectionSchema>;

const SIM_USAGE = `usage: hybrid-bridge sim unit --model eq|comp|switcher|passive --serial SN (--pty PATH | --tcp HOST:PORT)
                         [--baud N] [--state-file F] [--control SOCKET] [--script FILE] [--seed N]
Runs one simulated outboard unit until interrupted; prints one JSON line per event (the first is
"ready", with the port to open). Control commands: docs/outboard-protocol.md section 12.
`;

/** The node arguments that run a firmware-sim program under tsx, whatever the working directory. */
export function simUnitCommand(args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), UNIT_BIN, ...args] };
}

/** `hybrid-bridge sim unit ...`: runs one unit in the foreground; returns its exit code. */
export async function simCommand(args: readonly string[], io: SimCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(SIM_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'unit') {
    io.stderr.write(`hybrid-bridge sim: unknown subcommand "${sub}"\n${SIM_USAGE}`);
    return 2;
  }
  const { command, args: argv } = simUnitCommand(rest);
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.pipe(io.stdout, { end: false });
  child.stderr.pipe(io.stderr, { end: false });
  if (io.stdin) io.stdin.pipe(child.stdin);
  else child.stdin.end();
  child.stdin.on('error', () => {});
  const onAbort = (): void => void child.kill('SIGTERM');
  io.signal?.addEventListener('abort', onAbort, { once: true });
  const code = await new Promise<number>((resolve) => {
    child.once('error', (err) => {
      io.stderr.write(`hybrid-bridge sim: cannot start firmware-sim (${err.message})\n`);
      resolve(1);
    });
    child.once('exit', (c, sig) => resolve(c ?? (sig === 'SIGTERM' || sig === 'SIGINT' ? 0 : 1)));
  });
  io.signal?.removeEventListener('abort', onAbort);
  if (io.stdin) io.stdin.unpipe(child.stdin);
  return code;
}

export interface SimulatedUnit {
  readonly serial: string;
  readonly model: string;
  readonly transport: 'pty' | 'tcp';
  /** Where the unit is reachable now (changes when the simulation replugs it). */
  readonly port: string | undefined;
  /** Its control socket (docs/outboard-protocol.md section 12). */
  readonly control: string;
  readonly stateFile: string;
  readonly pid: number | undefined;
}

export interface SimulatedStudio {
  readonly units: readonly SimulatedUnit[];
  /** The unit's current port, for OutboardManager's `resolvePort` (`outboard[].port: sim`). */
  resolvePort(unit: Pick<OutboardUnitConfig, 'serial'>): string[];
  /** SIGTERM every unit and wait for it (SIGKILL after 3 s). */
  stop(): Promise<void>;
}

interface RunningUnit {
  serial: string;
  model: string;
  transport: 'pty' | 'tcp';
  port: string | undefined;
  control: string;
  stateFile: string;
  child: ChildProcess;
}

/**
 * Start the units of config `sim.units` (one firmware-sim process each) and learn their ports.
 * Files (pty symlinks, control sockets, state files) go into `dir`. Rejects with E_DEVICE_UNAVAILABLE
 * if a unit does not come up within `startTimeoutMs` (the others are stopped).
 */
export async function startSimulatedUnits(
  sim: SimConfig,
  options: { log: Logger; dir: string; startTimeoutMs?: number },
): Promise<SimulatedStudio> {
  await mkdir(options.dir, { recursive: true });
  const running: RunningUnit[] = [];
  // Looked up once for every unit (a shell per lookup).
  const setpriv = hasTool('setpriv');
  const started = await Promise.allSettled(sim.units.map((u) => startOne(u, { ...options, setpriv }, running)));
  const failed = started.find((s) => s.status === 'rejected');
  const studio: SimulatedStudio = {
    get units() {
      return running.map((r) => ({
        serial: r.serial,
        model: r.model,
        transport: r.transport,
        port: r.port,
        control: r.control,
        stateFile: r.stateFile,
        pid: r.child.pid,
      }));
    },
    resolvePort: (unit) => running.filter((r) => r.serial === unit.serial && r.port !== undefined).map((r) => r.port as string),
    stop: () => stopAll(running),
  };
  if (failed) {
    await studio.stop();
    throw failed.reason;
  }
  return studio;
}

async function startOne(
  u: SimConfig['units'][number],
  options: { log: Logger; dir: string; startTimeoutMs?: number; setpriv: boolean },
  running: RunningUnit[],
): Promise<void> {
  const base = path.join(options.dir, u.serial);
  const control = `${base}.ctl`;
  const stateFile = `${base}.state.json`;
  const args = ['--model', u.model, '--serial', u.serial, '--control', control, '--state-file', stateFile];
  args.push(...(u.transport === 'pty' ? ['--pty', `${base}.pty`] : ['--tcp', '127.0.0.1:0']));
  const unit = simUnitCommand(args);
  // The daemon's simulated units die with it, even when it is killed by SIGKILL.
  const { command, args: argv } = dieWithParent(unit.command, unit.args, options.setpriv);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const r: RunningUnit = { serial: u.serial, model: u.model, transport: u.transport, port: undefined, control, stateFile, child };
  running.push(r);
  const log = options.log.child({ sim: u.serial });
  createInterface({ input: child.stderr }).on('line', (line) => log.warn(`firmware-sim: ${line}`));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new BridgeError('E_DEVICE_UNAVAILABLE', `simulated unit ${u.serial} did not start within ${options.startTimeoutMs ?? 15_000} ms`, { details: { serial: u.serial } }));
    }, options.startTimeoutMs ?? 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let ev: { event?: string; port?: string | null };
      try {
        ev = JSON.parse(line) as typeof ev;
      } catch {
        return;
      }
      if (ev.event === 'ready' || ev.event === 'plugged') r.port = ev.port ?? undefined;
      if (ev.event === 'unplugged') r.port = undefined;
      if (ev.event === 'ready') {
        clearTimeout(timer);
        log.info({ port: r.port }, 'simulated unit ready');
        resolve();
      } else if (ev.event === 'plugged' || ev.event === 'unplugged') log.info({ port: r.port }, `simulated unit ${ev.event}`);
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new BridgeError('E_DEVICE_UNAVAILABLE', `cannot start simulated unit ${u.serial}: ${err.message}`, { details: { serial: u.serial }, cause: err }));
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      r.port = undefined;
      log.info({ code, signal: sig }, 'simulated unit exited');
      reject(new BridgeError('E_DEVICE_UNAVAILABLE', `simulated unit ${u.serial} exited (${String(code ?? sig)})`, { details: { serial: u.serial } }));
    });
  });
}

async function stopAll(running: readonly RunningUnit[]): Promise<void> {
  await Promise.all(
    running.map(async (r) => {
      const c = r.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }),
  );
}
