import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * The device side of the "network MIDI" transport (the daemon's net-midi-binding.ts is the
 * host side; they share no code, only the wire format):
 *   device -> host, first line:  `HBMIDI/1 <port name>\n`
 *   then both directions:        raw MIDI bytes.
 * One host at a time: a new connection replaces the previous one (a re-plug).
 */
export const HELLO = 'HBMIDI/1';

export interface SimMidiDevice {
  connect(send: (bytes: number[]) => void): void;
  receive(bytes: Uint8Array): void;
}

export class NetMidiServer {
  readonly name: string;
  readonly #device: SimMidiDevice;
  #server: Server | undefined;
  #host: Socket | undefined;
  #path: string | undefined;
  readonly #onConnect = new Set<() => void>();

  constructor(name: string, device: SimMidiDevice) {
    this.name = name;
    this.#device = device;
    device.connect((bytes) => {
      if (this.#host && !this.#host.destroyed) this.#host.write(Buffer.from(bytes));
    });
  }

  /** Called when a host connects (e.g. a Logic Control announces itself then). */
  onConnect(l: () => void): void {
    this.#onConnect.add(l);
  }

  get connected(): boolean {
    return this.#host !== undefined && !this.#host.destroyed;
  }

  /** Listen on a unix socket path (contains `/`), `host:port` or a bare TCP port. Returns the address. */
  async listen(endpoint: string): Promise<string> {
    const server = createServer((s) => this.#accept(s));
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (endpoint.includes('/')) {
        rmSync(endpoint, { force: true });
        this.#path = endpoint;
        server.listen(endpoint, () => resolve());
      } else {
        const m = /^(?:(.+):)?(\d+)$/.exec(endpoint);
        if (!m) {
          reject(new Error(`--listen: "${endpoint}" is neither a socket path nor [host:]port`));
          return;
        }
        server.listen(Number(m[2]), m[1] ?? '127.0.0.1', () => resolve());
      }
    });
    this.#server = server;
    const addr = server.address();
    return typeof addr === 'string' ? addr : addr ? `${addr.address}:${addr.port}` : endpoint;
  }

  #accept(socket: Socket): void {
    this.#host?.destroy();
    this.#host = socket;
    socket.on('error', () => {});
    socket.write(`${HELLO} ${this.name}\n`);
    socket.on('data', (d: Buffer) => {
      if (this.#host === socket) this.#device.receive(new Uint8Array(d));
    });
    socket.on('close', () => {
      if (this.#host === socket) this.#host = undefined;
    });
    for (const l of this.#onConnect) l();
  }

  /** Drop the host connection (an unplug) without closing the listener. */
  dropHost(): void {
    this.#host?.destroy();
    this.#host = undefined;
  }

  async close(): Promise<void> {
    this.#host?.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.#path) rmSync(this.#path, { force: true });
  }
}
