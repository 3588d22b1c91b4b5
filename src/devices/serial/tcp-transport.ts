import { connect, type Socket } from 'node:net';
import { BridgeError } from '../../errors.ts';
import type { PortHandle, PortOpener, PortOpenOptions } from './binding.ts';

/** `tcp://host:port` (a ser2net-style serial-to-TCP server). The baud rate is the server's business. */
export function parseTcpUrl(url: string): { host: string; port: number } | undefined {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(url);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

export class TcpTransport implements PortOpener {
  readonly #connectTimeoutMs: number;

  constructor(options: { connectTimeoutMs?: number } = {}) {
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  }

  async open(path: string, _options: PortOpenOptions): Promise<PortHandle> {
    const target = parseTcpUrl(path);
    if (!target) throw new BridgeError('E_SERIAL_OPEN', `${path}: not a tcp://host:port URL`, { details: { path } });
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    socket.on('error', () => {}); // errors reach the caller through the promises below
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new BridgeError('E_SERIAL_OPEN', `${path}: connect timed out`, { details: { path } }));
      }, this.#connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new BridgeError('E_SERIAL_OPEN', `${path}: cannot connect (${err.message})`, { details: { path }, cause: err }));
      });
    });
    return new TcpPortHandle(path, socket);
  }
}

class TcpPortHandle implements PortHandle {
  readonly path: string;
  readonly #socket: Socket;
  readonly #chunks: Buffer[] = [];
  #waiter: { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void } | undefined;
  #ended: BridgeError | undefined;
  #closedLocally = false;
  #writing = false;

  constructor(path: string, socket: Socket) {
    this.path = path;
    this.#socket = socket;
    socket.on('data', (d: Buffer) => {
      const w = this.#waiter;
      if (w) {
        this.#waiter = undefined;
        w.resolve(d);
      } else {
        this.#chunks.push(d);
        // A reader that stopped reading must not make us buffer without bound.
        if (this.#chunks.length > 1024) socket.pause();
      }
    });
    socket.once('close', () => {
      this.#ended ??= this.#closedLocally
        ? new BridgeError('E_SERIAL_CLOSED', `${path}: port closed`, { details: { path, canceled: true } })
        : new BridgeError('E_DEVICE_DISCONNECTED', `${path}: connection closed by the server`, { details: { path } });
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.reject(this.#ended);
    });
  }

  get isOpen(): boolean {
    return this.#ended === undefined && !this.#closedLocally;
  }

  read(): Promise<Uint8Array> {
    if (this.#waiter) return Promise.reject(new TypeError('TcpPortHandle: a read is already pending'));
    const next = this.#chunks.shift();
    if (next) {
      if (this.#chunks.length < 512) this.#socket.resume();
      return Promise.resolve(next);
    }
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#writing) throw new TypeError('TcpPortHandle: overlapping write');
    if (this.#ended || this.#closedLocally) throw this.#ended ?? new BridgeError('E_SERIAL_CLOSED', `${this.path}: port closed`, { details: { path: this.path, canceled: true } });
    this.#writing = true;
    try {
      await new Promise<void>((resolve, reject) => {
        this.#socket.write(data, (err) => {
          if (err) reject(new BridgeError('E_DEVICE_DISCONNECTED', `${this.path}: write failed (${err.message})`, { details: { path: this.path }, cause: err }));
          else resolve();
        });
      });
    } finally {
      this.#writing = false;
    }
  }

  async close(): Promise<void> {
    if (this.#closedLocally) return;
    this.#closedLocally = true;
    if (this.#socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.destroy();
    });
  }
}
