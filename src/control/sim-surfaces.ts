import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import { BridgeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { dieWithParent, hasTool } from '../process/child-command.ts';

/**
 * For the simulated studio (`npm start`): run a firmware-sim surface process for every MIDI
 * surface configured with `match: sim`. Each listens on `<socketDir>/<id>.sock` (an extender on
 * `<id>-ext.sock`) as the network MIDI port `sim:<id>` (`sim:<id>-ext`), and takes scripted moves
 * on `<socketDir>/<id>.ctl` (line commands, firmware-sim/surfaces/commands.ts). The daemon reaches
 * them with `createNetMidiBinding({ socketDir })`, usually composed with the native binding.
 * firmware-sim shares no code with src/: it is started as its own program.
 */
export interface SimSurfaceProcesses {
  readonly socketDir: string;
  /** The control socket of a simulated surface (for the tablet engineer's tests). */
  controlSocket(surfaceId: string): string;
  stop(): Promise<void>;
}

const SURFACE_BIN = fileURLToPath(new URL('../../firmware-sim/bin/surface.ts', import.meta.url));

export async function startSimSurfaces(options: { surfaces: readonly SurfaceConfig[]; socketDir: string; log: Logger; readyTimeoutMs?: number }): Promise<SimSurfaceProcesses> {
  await mkdir(options.socketDir, { recursive: true });
  const children: ChildProcess[] = [];
  const setpriv = hasTool('setpriv');
  const start = async (id: string, type: string, name: string): Promise<void> => {
    const args = ['--import', 'tsx', SURFACE_BIN, '--type', type, '--listen', path.join(options.socketDir, `${id}.sock`), '--name', name, '--control', path.join(options.socketDir, `${id}.ctl`)];
    // Dies with the daemon, even when it is killed by SIGKILL.
    const cmd = dieWithParent(process.execPath, args, setpriv);
    const child = spawn(cmd.command, cmd.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    child.stderr?.on('data', (d: Buffer) => options.log.warn({ sim: id, stderr: d.toString().trim() }, 'simulated surface stderr'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BridgeError('E_DEVICE_UNAVAILABLE', `simulated surface ${id} did not start`)), options.readyTimeoutMs ?? 15_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new BridgeError('E_DEVICE_UNAVAILABLE', `simulated surface ${id} exited with code ${String(code)}`));
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.includes('"event":"ready"')) {
          clearTimeout(timer);
          options.log.info({ sim: id, name }, 'simulated surface ready');
          resolve();
        }
      });
    });
  };
  try {
    for (const s of options.surfaces) {
      if (s.match !== 'sim') continue;
      if (s.type === 'mcu') {
        await start(s.id, 'mcu', `sim:${s.id}`);
        if (s.extender !== undefined) await start(`${s.id}-ext`, 'mcu-ext', `sim:${s.id}-ext`);
      } else if (s.type === 'midi') await start(s.id, 'cc', `sim:${s.id}`);
      else options.log.warn({ surface: s.id, type: s.type }, 'no simulated surface for this type (HID sims run in tests only)');
    }
  } catch (err) {
    for (const c of children) c.kill('SIGTERM');
    throw err;
  }
  return {
    socketDir: options.socketDir,
    controlSocket: (id) => path.join(options.socketDir, `${id}.ctl`),
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
