import { mkdir, open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BridgeError } from './errors.ts';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'hybrid-bridge');
}

/**
 * The daemon's data directory, held with a lock file (`daemon.lock`, containing the pid)
 * so that two daemons never write the same snapshots. A lock left by a dead process
 * (crash, SIGKILL) is taken over; a live one is refused with the owner's pid.
 */
export class DataDir {
  readonly path: string;
  #locked = false;

  constructor(dir: string) {
    this.path = path.resolve(dir);
  }

  get lockFile(): string {
    return path.join(this.path, 'daemon.lock');
  }

  file(...parts: string[]): string {
    return path.join(this.path, ...parts);
  }

  async acquire(pid: number = process.pid): Promise<void> {
    try {
      await mkdir(this.path, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new BridgeError('E_DATA_DIR', `cannot create data directory ${this.path}: ${(err as Error).message}`, {
        details: { path: this.path },
        cause: err,
      });
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(this.lockFile, 'wx', 0o600);
        await fh.writeFile(`${pid}\n`);
        await fh.close();
        this.#locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new BridgeError('E_DATA_DIR', `cannot write lock file ${this.lockFile}: ${(err as Error).message}`, { cause: err });
        }
      }
      const owner = await readLockPid(this.lockFile);
      if (owner !== undefined && owner !== pid && isAlive(owner)) {
        throw new BridgeError(
          'E_DATA_DIR_LOCKED',
          `data directory ${this.path} is in use by another hybrid-bridge daemon (pid ${owner}); stop it or start this one with --data-dir`,
          { details: { path: this.path, pid: owner } },
        );
      }
      // Stale lock from a process that no longer exists: take it over.
      await rm(this.lockFile, { force: true });
    }
    throw new BridgeError('E_DATA_DIR_LOCKED', `could not take the lock ${this.lockFile}`, { details: { path: this.path } });
  }

  async release(): Promise<void> {
    if (!this.#locked) return;
    this.#locked = false;
    await rm(this.lockFile, { force: true });
  }
}

async function readLockPid(file: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
