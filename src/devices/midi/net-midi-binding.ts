import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { BridgeError } from '../../errors.ts';
import type { MidiBinding, MidiInputPort, MidiOutputPort, MidiPortList } from './binding.ts';

/**
 * "Network MIDI": a MIDI port carried over a local stream socket, RTP-MIDI in spirit but
 * minimal. It lets a firmware-sim surface run as its own process (`firmware-sim/bin/surface.ts
 * --listen …`) and appear to the daemon as an ordinary MIDI port.
 *
 * Wire format (one connection = one bidirectional port):
 *   device -> host, first line:  `HBMIDI/1 <port name>\n`   (ASCII, at most 200 bytes)
 *   then, both directions:       raw MIDI 1.0 bytes (running status allowed, any chunking).
 * The device (the sim) listens; the host connects. Closing the connection is an unplug.
 *
 * Endpoints are a unix socket path (contains `/`), `host:port`, or a bare TCP port on
 * 127.0.0.1; `socketDir` adds every `*.sock` in a folder at each `list()`, so a sim started later
 * is found by the regular port poll, exactly like a USB device plugged in later.
 */
export const NET_MIDI_HELLO = 'HBMIDI/1';

export interface NetMidiOptions {
  endpoints?: readonly string[];
  socketDir?: string;
  connectTimeoutMs?: number;
}

interface Conn {
  readonly endpoint: string;
  readonly socket: net.Socket;
  name: string | undefined;
  readonly dataListeners: Set<(bytes: Uint8Array) => void>;
  readonly closeListeners: Set<(reason: string) => void>;
  closed: boolean;
}

export function createNetMidiBinding(options: NetMidiOptions): MidiBinding {
  return new NetMidiBinding(options);
}

class NetMidiBinding implements MidiBinding {
  readonly kind = 'net';
  readonly #opts: NetMidiOptions;
  readonly #conns = new Map<string, Conn>();
  readonly #pending = new Map<string, Promise<void>>();
  #closed = false;

  constructor(options: NetMidiOptions) {
    this.#opts = options;
  }

  async #endpoints(): Promise<string[]> {
    const list = [...(this.#opts.endpoints ?? [])];
    if (this.#opts.socketDir) {
      try {
        for (const f of await readdir(this.#opts.socketDir)) if (f.endsWith('.sock')) list.push(path.join(this.#opts.socketDir, f));
      } catch {
        // The folder appears when the first sim starts.
      }
    }
    return [...new Set(list)];
  }

  async list(): Promise<MidiPortList> {
    if (this.#closed) return { inputs: [], outputs: [] };
    const endpoints = await this.#endpoints();
    await Promise.allSettled(endpoints.filter((e) => !this.#conns.has(e)).map((e) => this.#connect(e)));
    const names = [...this.#conns.values()].filter((c) => !c.closed && c.name !== undefined).map((c) => c.name as string);
    return { inputs: names, outputs: names };
  }

  #connect(endpoint: string): Promise<void> {
    const existing = this.#pending.get(endpoint);
    if (existing) return existing;
    const p = new Promise<void>((resolve) => {
      const socket = parseEndpoint(endpoint);
      const conn: Conn = { endpoint, socket, name: undefined, dataListeners: new Set(), closeListeners: new Set(), closed: false };
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => socket.destroy(new Error('no hello')), this.#opts.connectTimeoutMs ?? 1000);
      timer.unref();
      socket.on('error', () => {
        // ECONNREFUSED / ENOENT: the sim is not running (yet). The poll retries.
      });
      socket.on('close', () => {
        clearTimeout(timer);
        const wasOpen = this.#conns.get(endpoint) === conn;
        if (wasOpen) this.#conns.delete(endpoint);
        conn.closed = true;
        if (wasOpen) for (const l of conn.closeListeners) l('connection closed');
        resolve();
      });
      socket.on('data', (chunk: Buffer) => {
        if (conn.name === undefined) {
          head = Buffer.concat([head, chunk]);
          const nl = head.indexOf(0x0a);
          if (nl < 0) {
            if (head.length > 200) socket.destroy();
            return;
          }
          const line = head.subarray(0, nl).toString('ascii');
          if (!line.startsWith(NET_MIDI_HELLO + ' ')) {
            socket.destroy();
            return;
          }
          clearTimeout(timer);
          conn.name = line.slice(NET_MIDI_HELLO.length + 1).trim();
          this.#conns.set(endpoint, conn);
          resolve();
          const rest = head.subarray(nl + 1);
          if (rest.length > 0) for (const l of conn.dataListeners) l(new Uint8Array(rest));
          return;
        }
        for (const l of conn.dataListeners) l(new Uint8Array(chunk));
      });
    }).finally(() => this.#pending.delete(endpoint));
    this.#pending.set(endpoint, p);
    return p;
  }

  #byName(name: string): Conn {
    for (const c of this.#conns.values()) if (!c.closed && c.name === name) return c;
    throw new BridgeError('E_DEVICE_NOT_FOUND', `network MIDI port "${name}" is not present`, { details: { name } });
  }

  async openInput(name: string): Promise<MidiInputPort> {
    await Promise.resolve();
    const conn = this.#byName(name);
    const mine = new Set<(bytes: Uint8Array) => void>();
    return {
      name,
      onData: (l) => {
        mine.add(l);
        conn.dataListeners.add(l);
      },
      onClose: (l) => void conn.closeListeners.add(l),
      close: () => {
        for (const l of mine) conn.dataListeners.delete(l);
        return Promise.resolve();
      },
    };
  }

  async openOutput(name: string): Promise<MidiOutputPort> {
    await Promise.resolve();
    const conn = this.#byName(name);
    let open = true;
    return {
      name,
      send: (bytes) => {
        if (open && !conn.closed) conn.socket.write(bytes);
      },
      onClose: (l) => void conn.closeListeners.add(l),
      close: () => {
        open = false;
        return Promise.resolve();
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#pending.values()]);
    const closing = [...this.#conns.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.socket.once('close', () => resolve());
          c.socket.destroy();
        }),
    );
    this.#conns.clear();
    await Promise.all(closing);
  }
}

function parseEndpoint(endpoint: string): net.Socket {
  if (endpoint.includes('/')) return net.createConnection({ path: endpoint });
  const m = /^(?:(.+):)?(\d+)$/.exec(endpoint);
  if (!m) throw new BridgeError('E_DEVICE_NOT_FOUND', `network MIDI endpoint "${endpoint}" is neither a socket path nor host:port`);
  return net.createConnection({ host: m[1] ?? '127.0.0.1', port: Number(m[2]) });
}
