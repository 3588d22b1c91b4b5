import { createConnection, type Socket } from 'node:net';

export type ControlReply = Record<string, unknown> & { ok: boolean };

/**
 * A client of a firmware-sim control socket (a unit's or a surface's): one command line out,
 * one JSON line back, in order. One connection, opened on first use, kept until close().
 */
export class ControlSocket {
  readonly path: string;
  #socket: Socket | undefined;
  #buffered = '';
  readonly #pending: { resolve: (r: ControlReply) => void; reject: (e: Error) => void }[] = [];

  constructor(socketPath: string) {
    this.path = socketPath;
  }

  /** Send one command; resolves with its JSON answer, rejects if the answer says `ok: false`. */
  async send(line: string): Promise<ControlReply> {
    const reply = await this.raw(line);
    if (!reply.ok) throw new Error(`${this.path}: "${line}" failed: ${String(reply.error)}`);
    return reply;
  }

  /** Send one command; resolves with its JSON answer whatever it says. */
  async raw(line: string): Promise<ControlReply> {
    const socket = await this.#connect();
    return new Promise<ControlReply>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      socket.write(line + '\n');
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  async #connect(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const socket = createConnection(this.path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    socket.on('error', (err) => this.#failAll(err));
    socket.on('close', () => this.#failAll(new Error(`${this.path}: control socket closed`)));
    socket.on('data', (d: Buffer) => {
      this.#buffered += d.toString('utf8');
      let nl: number;
      while ((nl = this.#buffered.indexOf('\n')) >= 0) {
        const text = this.#buffered.slice(0, nl);
        this.#buffered = this.#buffered.slice(nl + 1);
        const waiter = this.#pending.shift();
        if (!waiter) continue;
        try {
          waiter.resolve(JSON.parse(text) as ControlReply);
        } catch (err) {
          waiter.reject(err instanceof Error ? err : new Error(String(err)));
        }
      }
    });
    this.#socket = socket;
    return socket;
  }

  #failAll(err: Error): void {
    for (const w of this.#pending.splice(0)) w.reject(err);
  }
}
