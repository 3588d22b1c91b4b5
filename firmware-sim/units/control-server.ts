import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { runControlCommand } from './control-commands.ts';
import type { SimUnit } from './sim-unit.ts';

/**
 * The unit's control channel on a Unix socket: line commands in, JSON lines out. `watch` turns the
 * connection into a stream of state changes (every value, each time), for the audio side that runs
 * this unit's analog model.
 */
export class ControlServer {
  readonly #unit: SimUnit;
  readonly #path: string;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  constructor(unit: SimUnit, path: string) {
    this.#unit = unit;
    this.#path = path;
  }

  async listen(): Promise<void> {
    rmSync(this.#path, { force: true });
    const server = createServer((s) => this.#accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {});
    this.#server = server;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.#path, { force: true });
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => {});
    let buffered = '';
    let chain = Promise.resolve();
    const unwatch: (() => void)[] = [];
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        chain = chain.then(async () => {
          if (line.trim() === 'watch') {
            unwatch.push(watchUnit(this.#unit, (o) => socket.write(JSON.stringify(o) + '\n')));
            socket.write(JSON.stringify({ ok: true, values: this.#unit.firmware.values() }) + '\n');
            return;
          }
          const reply = await runControlCommand(this.#unit, line);
          if (!socket.destroyed) socket.write(JSON.stringify(reply) + '\n');
        });
      }
    });
    socket.once('close', () => {
      this.#sockets.delete(socket);
      for (const u of unwatch) u();
    });
  }
}

/** Subscribe to a unit's changes, power and plug events; returns the unsubscribe function. */
export function watchUnit(unit: SimUnit, send: (o: Record<string, unknown>) => void): () => void {
  const onChange = (c: { name: string; value: number; raw: number; source: string }): void =>
    send({ event: 'change', name: c.name, value: c.value, raw: c.raw, source: c.source, values: unit.firmware.values() });
  const onPower = (p: string): void => send({ event: 'power', power: p });
  const onPlug = (p: { event: string; port: string | undefined }): void => send({ event: p.event, port: p.port ?? null });
  unit.on('change', onChange);
  unit.on('power', onPower);
  unit.on('plug', onPlug);
  return () => {
    unit.off('change', onChange);
    unit.off('power', onPower);
    unit.off('plug', onPlug);
  };
}
