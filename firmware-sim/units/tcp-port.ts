import { createServer, type Server, type Socket } from 'node:net';
import type { UnitPort } from './unit-port.ts';

/**
 * A serial-to-TCP server in the style of ser2net: one client at a time (a second connection is
 * closed at once, as ser2net does with a port in use), raw bytes both ways. Unplugging closes the
 * client and stops listening.
 */
export class TcpPort implements UnitPort {
  readonly kind = 'tcp';
  readonly #host: string;
  readonly #port: number;
  #server: Server | undefined;
  #client: Socket | undefined;
  #address: string | undefined;
  #lastPort: number | undefined;
  onData: (chunk: Uint8Array) => void = () => {};
  onLost: (reason: string) => void = () => {};

  constructor(hostPort: string) {
    const { host, port } = parseHostPort(hostPort);
    this.#host = host;
    this.#port = port;
  }

  get address(): string | undefined {
    return this.#address;
  }

  async plug(target?: string): Promise<string> {
    if (this.#server) return this.#address as string;
    const { host, port } = target ? parseHostPort(target) : { host: this.#host, port: this.#actualPort() };
    const server = createServer((socket) => this.#accept(socket));
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const addr = server.address();
    const actual = typeof addr === 'object' && addr ? addr.port : port;
    this.#lastPort = actual;
    this.#address = `tcp://${host}:${actual}`;
    return this.#address;
  }

  /** Replug keeps the port number it got the first time (an ephemeral `:0` is resolved once). */
  #actualPort(): number {
    return this.#lastPort ?? this.#port;
  }

  #accept(socket: Socket): void {
    socket.on('error', () => {});
    if (this.#client) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.#client = socket;
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.once('close', () => {
      if (this.#client === socket) this.#client = undefined;
    });
  }

  async unplug(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#address = undefined;
    this.#client?.destroy();
    this.#client = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  write(bytes: Uint8Array): void {
    this.#client?.write(bytes);
  }
}

export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s);
  if (!m) throw new Error(`expected HOST:PORT, got "${s}"`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}
