import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/require-tool.ts';

const BIN = path.resolve('bin/hybrid-bridge.js');
const setpriv = requireTool('setpriv', 'apt-get install util-linux');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hb-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

/** Start the daemon and resolve once it logs `ready`. */
function startDaemon(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8');
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: string) => {
      err += d;
      const m = /ready: serving (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`daemon exited early (${String(code)}): ${err}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, ready, exited, stderr: () => err };
}

describe('hybrid-bridge config check', () => {
  it('prints all three mistakes with file:line and exits 2', async () => {
    const f = path.join(dir, 'three.yaml');
    await writeFile(f, ['version: 1', 'server:', '  prot: 8080', 'engine:', '  blockSize: 3', 'audio:', '  backend: coreaudio', ''].join('\n'));
    const r = run(['config', 'check', f]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^${f}:3:3  server\\.prot  unknown key "prot", did you mean "port"\\?`));
    expect(lines[1]).toMatch(new RegExp(`^${f}:5:14  engine\\.blockSize  .+\\(>= 16\\)$`));
    expect(lines[2]).toMatch(new RegExp(`^${f}:7:12  audio\\.backend  `));
    expect(lines[3]).toBe(`3 problem(s) in ${f}`);
  });

  it('exits 0 on the shipped configs', () => {
    for (const f of ['config/default.yaml', 'config/examples/studio.yaml']) {
      const r = run(['config', 'check', f]);
      expect(r.stdout).toContain(`${f}: ok`);
      expect(r.status).toBe(0);
    }
  });
});

describe('hybrid-bridge devices', () => {
  it('prints one line per bus (with the reason where a bus cannot run) and exits 0', () => {
    const r = run(['devices']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').filter((l) => /^[A-Z]/.test(l));
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['MIDI', 'HID', 'SERIAL', 'AUDIO']);
    for (const l of lines) expect(l).not.toMatch(/\bat .+:\d+:\d+\)?$/); // no stack traces
    // No ALSA sequencer on a machine without a sound card: MIDI says why.
    if (!spawnSync('sh', ['-c', 'test -e /dev/snd/seq']).status) return;
    expect(lines[0]).toMatch(/^MIDI\s+unavailable: .*sequencer/);
  });

  it('answers JSON with --json', () => {
    const r = run(['devices', '--json']);
    const reports = JSON.parse(r.stdout) as { bus: string; available: boolean; reason: string }[];
    expect(reports.map((x) => x.bus)).toEqual(['midi', 'hid', 'serial', 'audio']);
    for (const x of reports) if (!x.available) expect(x.reason.length).toBeGreaterThan(0);
  });
});

describe('hybrid-bridge start', () => {
  it('reaches ready, refuses a second daemon on the same data dir, and stops on SIGINT', async () => {
    const data = path.join(dir, 'data');
    const a = startDaemon(['--port', '0', '--data-dir', data, '--log-level', 'info']);
    const url = await a.ready;
    const state = (await (await fetch(new URL('/api/state', url))).json()) as { state: unknown };
    expect(state.state).toMatchObject({ ready: { health: 'healthy' } });

    const b = run(['start', '--port', '0', '--data-dir', data]);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain(`E_DATA_DIR_LOCKED`);
    expect(b.stderr).toContain(`pid ${String(a.child.pid)}`);

    a.child.kill('SIGINT');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(a.stderr()).toMatch(/"msg":"stopped"/);
  });

  it.skipIf(!setpriv.ok)(`killed by SIGKILL, takes its simulated units and surfaces with it ${setpriv.reason}`, async () => {
    const a = startDaemon(['--port', '0', '--data-dir', path.join(dir, 'data-kill'), '--log-level', 'info']);
    await a.ready;
    const children = (spawnSync('pgrep', ['-P', String(a.child.pid)], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean).map(Number);
    // Four firmware-sim units and two simulated surfaces (config/default.yaml).
    expect(children.length).toBeGreaterThanOrEqual(6);
    a.child.kill('SIGKILL');
    await a.exited;
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && children.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    expect(children.filter(alive)).toEqual([]);
  });

  it('refuses an invalid config before starting anything (exit 2)', async () => {
    const f = path.join(dir, 'bad.yaml');
    await writeFile(f, 'version: 1\nserver: { port: -1 }\n');
    const r = run(['start', '--config', f, '--data-dir', path.join(dir, 'never')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${f}:2:`);
    expect(r.stderr).toContain('refusing to start');
    expect(spawnSync('test', ['-e', path.join(dir, 'never')]).status).toBe(1);
  });

  it('takes host/port/data dir from the environment', async () => {
    const data = path.join(dir, 'envdata');
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: { ...process.env, HYBRID_BRIDGE_PORT: '0', HYBRID_BRIDGE_DATA_DIR: data },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8');
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: string) => {
        err += d;
        if (err.includes('ready: serving')) resolve();
      }),
    );
    expect(err).toContain(`"dataDir":"${data}"`);
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('npx hybrid-bridge', () => {
  it('runs from the repo root with no build step', () => {
    const r = spawnSync('npx', ['--no-install', 'hybrid-bridge', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toContain('Usage: hybrid-bridge');
    expect(r.stdout).toContain('devices');
  });
});
