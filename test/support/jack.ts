import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool, type ToolCheck } from './require-tool.ts';

/** The project's ALSA config with the `type jack` PCMs (loop2, loop8) and a default PCM. */
export const JACK_ALSA_CONFIG = fileURLToPath(new URL('../../config/alsa/jack-loopback.conf', import.meta.url));

/**
 * Can this machine run a private JACK server for real-time PortAudio tests? jackd and the ALSA
 * jack plugin must be installed and SCHED_FIFO must be allowed (`-R`: without it half the runs
 * drop or repeat buffers). Missing pieces skip the tests with the reason, except under CI=true,
 * where they fail (CI installs jackd2 and libasound2-plugins).
 */
export function requireJack(): ToolCheck {
  const jackd = requireTool('jackd', 'apt-get install jackd2 libasound2-plugins');
  if (!jackd.ok) return jackd;
  const lsp = requireTool('jack_lsp', 'apt-get install jackd2');
  if (!lsp.ok) return lsp;
  const plugin = ['/usr/lib/x86_64-linux-gnu/alsa-lib', '/usr/lib/aarch64-linux-gnu/alsa-lib', '/usr/lib/alsa-lib', '/usr/lib64/alsa-lib'].some((d) => {
    try {
      return readdirSync(d).includes('libasound_module_pcm_jack.so');
    } catch {
      return false;
    }
  });
  const rt = spawnSync('chrt', ['-f', '10', 'true'], { stdio: 'ignore' }).status === 0;
  const missing = !plugin ? 'the ALSA jack plugin (apt-get install libasound2-plugins)' : !rt ? 'real-time scheduling (chrt -f fails: run as root or grant CAP_SYS_NICE)' : '';
  if (missing && process.env.CI === 'true') throw new Error(`CI=true but ${missing} is missing`);
  return missing ? { ok: false, reason: `skipped: ${missing} is missing` } : { ok: true, reason: '' };
}

export interface JackServer {
  readonly name: string;
  readonly pid: number;
  readonly sampleRate: number;
  readonly period: number;
  /** Environment for a client of this server (and the ALSA config that reaches it). */
  readonly env: NodeJS.ProcessEnv;
  /** Kill this server by its pid (TERM, then KILL), wait until it is reaped, clean its /dev/shm files. */
  stop(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
}

export interface JackOptions {
  readonly sampleRate?: number;
  readonly period?: number;
  /** Reuse a name (restart "the same device"); default: a new unique one. */
  readonly name?: string;
}

function clientEnv(name: string): NodeJS.ProcessEnv {
  return { JACK_DEFAULT_SERVER: name, JACK_NO_START_SERVER: '1', JACK_NO_AUDIO_RESERVATION: '1', ALSA_CONFIG_PATH: JACK_ALSA_CONFIG };
}

/** Remove a named server's (and its clients') shared-memory files: stale ones make the next start fail. */
export function cleanJackShm(name: string): void {
  let files: string[];
  try {
    files = readdirSync('/dev/shm');
  } catch {
    return;
  }
  for (const f of files) {
    if (f.startsWith(`jack_${name}_`) || (f.startsWith('jack_sem.') && f.includes(`_${name}_`))) rmSync(path.join('/dev/shm', f), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

function listPorts(env: NodeJS.ProcessEnv): Promise<string[]> {
  return new Promise((resolve) => {
    execFile('jack_lsp', [], { env: { ...process.env, ...env }, timeout: 2000 }, (err, stdout) => resolve(err ? [] : stdout.split('\n').filter(Boolean)));
  });
}

/**
 * Start a private JACK2 server (dummy driver, 8 loopback ports, real-time) under a unique name,
 * and wait until its loopback ports exist. Whatever is played on loopback:playback_N comes back
 * on loopback:capture_N one period later.
 */
export async function startJack(options: JackOptions = {}): Promise<JackServer> {
  const sampleRate = options.sampleRate ?? 48000;
  const period = options.period ?? 256;
  const name = options.name ?? `hbtest${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hb-jackd-'));
  const logFile = path.join(dir, 'jackd.log');
  cleanJackShm(name);
  const fd = openSync(logFile, 'w');
  const env = clientEnv(name);
  const child = spawn('jackd', ['-n', name, '-R', '-P', '70', '-L', '8', '-d', 'dummy', '-r', String(sampleRate), '-p', String(period), '-C', '0', '-P', '0'], {
    detached: true, // its own session: a signal to the test's process group does not reach it
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  const pid = child.pid as number;
  let exited = false;
  child.once('exit', () => (exited = true));
  const readLog = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async (): Promise<void> => {
    if (!exited && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitFor(() => exited || !alive(pid), 3000))) {
        process.kill(pid, 'SIGKILL');
        await waitFor(() => exited || !alive(pid), 5000);
      }
    }
    cleanJackShm(name);
    rmSync(dir, { recursive: true, force: true });
  };
  const ready = await waitFor(async () => !exited && (await listPorts(env)).includes('loopback:capture_8'), 10_000, 40);
  if (!ready) {
    const log = readLog();
    await stop();
    throw new Error(`jackd ${name} did not come up: ${log.split('\n').slice(-5).join(' | ')}`);
  }
  return { name, pid, sampleRate, period, env, stop, log: readLog };
}
