import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../src/config/load-config.ts';
import { Daemon, type DaemonOptions } from '../../../src/daemon.ts';
import { silentLogger } from '../../../src/logger.ts';
import { ControlSocket } from './control-socket.ts';

const REPO_CONFIG = fileURLToPath(new URL('../../../config/', import.meta.url));

export interface StudioOptions {
  /** Config body after `version`, `dataDir` and `server` (outboard, sim, surfaces, audio...). */
  readonly yaml: string;
  /** Extra or replaced gear profiles: file name (without .yaml) -> YAML text. */
  readonly gear?: Readonly<Record<string, string>>;
  /** Surface maps written to `<configDir>/surfaces/<name>.yaml`. */
  readonly maps?: Readonly<Record<string, string>>;
  /**
   * Floor for every profile's `timing.responseTimeoutMs` in the copied gear (default 500 ms). The
   * stock 60-80 ms are right for a unit on a quiet host; this machine has 2 cores shared by
   * parallel test files and a browser, and a stalled event loop must not read as a dead unit.
   */
  readonly responseTimeoutFloorMs?: number;
  /** Reuse a data dir (a restart); it is then not removed by cleanup(). */
  readonly dataDir?: string;
  /** Runs after construction, before start (register the parameters of parts not built here). */
  readonly setup?: (daemon: Daemon) => void;
  readonly daemon?: Partial<DaemonOptions>;
}

export interface Studio {
  readonly daemon: Daemon;
  /** Temp root: `config/` (gear, surfaces, the config file) and `data/`. */
  readonly root: string;
  readonly configDir: string;
  readonly dataDir: string;
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  /** ws://127.0.0.1:<port>/ws */
  readonly wsUrl: string;
  /** The control socket of the simulated unit with this serial (docs/outboard-protocol.md section 12). */
  unit(serial: string): ControlSocket;
  /** The control socket of a simulated surface (firmware-sim/surfaces/commands.ts). */
  surface(id: string): ControlSocket;
  /** Stop the daemon (and with it every firmware-sim process), close the sockets, remove the temp dirs. */
  cleanup(): Promise<void>;
}

/**
 * A temporary studio: a config folder holding a copy of the repository's gear profiles (plus any
 * replaced here), the test's surface maps and a config file; a data dir; a real Daemon built from
 * that config on 127.0.0.1:0, started (firmware-sim units and surfaces are its own child processes).
 */
export async function startStudio(options: StudioOptions): Promise<Studio> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hb-itest-'));
  const configDir = path.join(root, 'config');
  const dataDir = options.dataDir ?? path.join(root, 'data');
  const sockets: ControlSocket[] = [];
  let daemon: Daemon | undefined;
  const cleanup = async (): Promise<void> => {
    for (const s of sockets) s.close();
    await daemon?.stop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    const gearDir = path.join(configDir, 'gear');
    await cp(path.join(REPO_CONFIG, 'gear'), gearDir, { recursive: true });
    await mkdir(path.join(configDir, 'surfaces'), { recursive: true });
    for (const [name, text] of Object.entries(options.gear ?? {})) await writeFile(path.join(gearDir, `${name}.yaml`), text);
    const floor = options.responseTimeoutFloorMs ?? 500;
    for (const file of await readdir(gearDir)) {
      const text = await readFile(path.join(gearDir, file), 'utf8');
      await writeFile(path.join(gearDir, file), text.replace(/responseTimeoutMs: (\d+)/g, (_m, ms: string) => `responseTimeoutMs: ${Math.max(Number(ms), floor)}`));
    }
    for (const [name, text] of Object.entries(options.maps ?? {})) await writeFile(path.join(configDir, 'surfaces', `${name}.yaml`), text);
    const file = path.join(configDir, 'studio.yaml');
    const text = `version: 1\ndataDir: ${JSON.stringify(dataDir)}\nserver:\n  host: 127.0.0.1\n  port: 0\n${options.yaml}`;
    await writeFile(file, text);
    daemon = new Daemon(parseConfig(text, file), { log: silentLogger(), tablet: { terminal: null }, ...options.daemon });
    options.setup?.(daemon);
    await daemon.start();
  } catch (err) {
    await cleanup();
    throw err;
  }
  const d = daemon;
  const port = Number(new URL(d.url).port);
  const open = (file: string): ControlSocket => {
    const s = new ControlSocket(file);
    sockets.push(s);
    return s;
  };
  return {
    daemon: d,
    root,
    configDir,
    dataDir,
    url: `http://127.0.0.1:${port}/`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    unit: (serial) => {
      const u = d.outboard.studio?.units.find((x) => x.serial === serial);
      if (!u) throw new Error(`no simulated unit ${serial} in this studio`);
      return open(u.control);
    },
    surface: (id) => {
      const sims = d.surfaces.sims;
      if (!sims) throw new Error('no simulated surfaces in this studio');
      return open(sims.controlSocket(id));
    },
    cleanup,
  };
}

/** An HTTP call to the daemon's API (JSON in, JSON out). */
export async function api(studio: Pick<Studio, 'url'>, method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(p, studio.url), {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Poll `read` until `accept` holds, with a generous deadline that only turns a hang into a
 * readable failure (no timed assertion: nothing is asserted about how long it took).
 */
export async function eventually<T>(what: string, read: () => T | Promise<T>, accept: (v: T) => boolean = Boolean, deadlineMs = 15_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: T;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > until) throw new Error(`never happened within ${deadlineMs} ms: ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
