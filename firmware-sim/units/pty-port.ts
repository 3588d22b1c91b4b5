import { spawn, type ChildProcess } from 'node:child_process';
import type { UnitPort } from './unit-port.ts';

/**
 * A pseudo-terminal made by socat. socat holds the pty master and relays it to its stdio, which is the
 * unit's side (its UART pins); the host opens the pty slave through the symlink at `path`. Unplugging
 * kills socat: the pty disappears and the host's open file gets EIO, exactly like a USB adapter pulled
 * out. Replugging makes a new pty, by default under a new path (`<path>.1`, `<path>.2`, ...).
 */
export class PtyPort implements UnitPort {
  readonly kind = 'pty';
  readonly #basePath: string;
  #child: ChildProcess | undefined;
  #address: string | undefined;
  #plugs = 0;
  onData: (chunk: Uint8Array) => void = () => {};
  onLost: (reason: string) => void = () => {};

  constructor(path: string) {
    this.#basePath = path;
  }

  get address(): string | undefined {
    return this.#address;
  }

  async plug(target?: string): Promise<string> {
    if (this.#child) return this.#address as string;
    const path = target ?? (this.#plugs === 0 ? this.#basePath : `${this.#basePath}.${this.#plugs}`);
    this.#plugs++;
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${path}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdin?.on('error', () => {}); // EPIPE after socat died: the unplug path reports it
    await new Promise<void>((resolve, reject) => {
      let text = '';
      const onErr = (d: Buffer): void => {
        text += d.toString();
        // socat is ready once it reports its transfer loop.
        if (text.includes('starting data transfer loop')) {
          child.stderr?.off('data', onErr);
          resolve();
        }
      };
      child.stderr?.on('data', onErr);
      child.once('error', (err) => reject(new Error(`cannot start socat: ${err.message} (apt-get install socat)`)));
      child.once('exit', (code) => reject(new Error(`socat exited (${String(code)}) before the pty was ready: ${text.trim()}`)));
    });
    child.stderr?.resume();
    child.stdout?.on('data', (d: Buffer) => this.onData(d));
    child.once('exit', () => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#address = undefined;
      this.onLost('socat exited');
    });
    this.#address = path;
    return path;
  }

  async unplug(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    this.#address = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  write(bytes: Uint8Array): void {
    this.#child?.stdin?.write(bytes);
  }
}
