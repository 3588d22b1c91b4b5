import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ToClients = { cmd: 'subscribe' } | { cmd: 'report' } | { cmd: 'exit' };
export interface ClientsReport {
  /** Flat (seq, serverMs, receiptMs) triples: every frame every client received since the last subscribe/report. */
  readonly samples: number[];
  /** Frames received per client. */
  readonly frames: number[];
}
export type FromClients = { ready: true } | { subscribed: true } | { report: ClientsReport };

export interface TabletClientsOptions {
  /** ws://host:port/ws of the daemon. */
  readonly url: string;
  readonly clients: number;
  readonly fps: number;
  /** Run the child under `nice <renice...>` (e.g. ['-n', '10'] to undo a raised priority it would inherit). */
  readonly renice?: readonly string[];
}

/**
 * N WebSocket tablets in a child process (bench/support/tablet-clients-child.ts), driven from the
 * benchmark: connected at start, `subscribe()` to every meter section, `report()` of the frames
 * received since, `exit()`.
 */
export class TabletClients {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  static async start(o: TabletClientsOptions): Promise<TabletClients> {
    const script = fileURLToPath(new URL('./tablet-clients-child.ts', import.meta.url));
    const args = [script, '--url', o.url, '--clients', String(o.clients), '--fps', String(o.fps)];
    const child = o.renice
      ? fork(args[0] as string, args.slice(1), { execPath: 'nice', execArgv: [...o.renice, process.execPath, '--import', 'tsx'] })
      : fork(args[0] as string, args.slice(1), { execArgv: ['--import', 'tsx'] });
    child.on('error', () => undefined); // a client process that died must not take the benchmark down
    const c = new TabletClients(child);
    await c.#next('ready');
    return c;
  }

  async subscribe(): Promise<void> {
    this.#child.send({ cmd: 'subscribe' } satisfies ToClients);
    await this.#next('subscribed');
  }

  async report(): Promise<ClientsReport> {
    this.#child.send({ cmd: 'report' } satisfies ToClients);
    return (await this.#next('report')).report;
  }

  exit(): void {
    if (this.#child.connected) this.#child.send({ cmd: 'exit' } satisfies ToClients);
  }

  #next<K extends string>(key: K): Promise<Extract<FromClients, Record<K, unknown>>> {
    return new Promise((resolve) => {
      const on = (m: FromClients): void => {
        if (key in m) {
          this.#child.off('message', on);
          resolve(m as Extract<FromClients, Record<K, unknown>>);
        }
      };
      this.#child.on('message', on);
    });
  }
}
