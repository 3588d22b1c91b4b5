import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { DaemonPart } from '../../daemon.ts';
import type { MeterFeed, MeterSnapshot } from '../../engine/meter-snapshot.ts';
import type { Logger } from '../../logger.ts';
import type { ParamChange, ParamStore } from '../../params/param-store.ts';
import { paramList, type StateView } from '../api-routes.ts';
import { AccessPolicy } from '../auth.ts';
import type { HttpServer } from '../http-server.ts';
import { createStaticHandler } from '../static.ts';
import { pairingBanner, pairingUrl } from '../tablet-pairing.ts';
import { loadOrCreateToken } from '../tablet-token.ts';
import { MeterFrameEncoder, sectionMask } from './meter-frame.ts';
import { CLOSE, MAX_FPS, METER_SECTIONS, PROTOCOL_VERSION, WS_PATH, parseClientMessage, type ClientMessage, type ServerMessage } from './protocol.ts';
import { RecallSheetPush } from './recall-sheet-push.ts';
import { availability, type TabletActions } from './tablet-actions.ts';
import { TabletClient } from './tablet-client.ts';
import { TabletRequests, refOf, sendError } from './tablet-requests.ts';

export interface TabletServerDeps {
  readonly http: HttpServer;
  readonly store: ParamStore;
  readonly stateView: () => StateView;
  /** Calls back whenever the session state may have changed; returns unsubscribe. */
  readonly watchState: (onChange: () => void) => () => void;
  /** The pairing token lives in `<dataDir>/token`. */
  readonly dataDir: string;
  /** The configured listen host: loopback means no token, anything else means token mode. */
  readonly listenHost: string;
  readonly log: Logger;
}

export interface TabletServerOptions {
  /** The meters to fan out; can also be attached later with `setMeterFeed`. */
  readonly meters?: MeterFeed;
  /** What the tablet can ask for; can also be given later with `setActions`. */
  readonly actions?: Partial<TabletActions>;
  /** Require the token on loopback too (tests; a shared machine). */
  readonly requireToken?: boolean;
  /** Ping period; a client that has not answered the previous ping is terminated. Default 10 s. */
  readonly heartbeatMs?: number;
  /** A connection must authenticate with `hello` within this time. Default 5 s. */
  readonly helloTimeoutMs?: number;
  /** Meter frames are skipped while more than this is queued for a client. Default 64 KiB. */
  readonly frameDropBytes?: number;
  /** A client with more than this queued is terminated. Default 4 MiB. */
  readonly maxBufferedBytes?: number;
  /** Inbound messages larger than this are refused with E_WS_TOO_LARGE. Default 4 KiB. */
  readonly maxMessageBytes?: number;
  readonly maxClients?: number;
  /** Clock (epoch ms) for frame pacing and the frames' publish stamp. */
  readonly now?: () => number;
  /** Where the pairing URL and QR code are printed in token mode; default stderr when it is a terminal, null for nowhere. */
  readonly terminal?: NodeJS.WritableStream | null;
  /** The page's folder. Default src/server/web. */
  readonly webRoot?: string;
}

/** Beyond this ws itself closes the connection (1009): nothing that big is ever parsed. */
const HARD_MAX_PAYLOAD = 64 * 1024;

const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/', import.meta.url));

/**
 * The tablet side of the daemon: `/ws` (protocol v1, docs/protocol.md), the page's static
 * files, and the access policy (token / Host / Origin) in front of the whole HTTP server.
 *
 * Fan-out: each published meter snapshot is encoded once per section mask; every client
 * whose frame is due gets the shared buffer, unless its socket is backed up, in which case
 * the frame is skipped (latest wins). Parameter changes go to every tablet except the one
 * that caused them. Nothing a client sends can throw past its own message handler.
 */
export class TabletServer implements DaemonPart {
  readonly name = 'tablet';
  readonly auth: AccessPolicy;
  readonly #deps: TabletServerDeps;
  readonly #log: Logger;
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<TabletClient>();
  readonly #encoder = new MeterFrameEncoder();
  readonly #requests: TabletRequests;
  readonly #now: () => number;
  readonly #heartbeatMs: number;
  readonly #helloTimeoutMs: number;
  readonly #frameDropBytes: number;
  readonly #maxBufferedBytes: number;
  readonly #maxMessageBytes: number;
  readonly #maxClients: number;
  readonly #terminal: NodeJS.WritableStream | undefined;
  #actions: Partial<TabletActions>;
  #meters: MeterFeed | undefined;
  #unsubscribeMeters: (() => void) | undefined;
  readonly #cleanups: (() => void)[] = [];
  #heartbeat: NodeJS.Timeout | undefined;
  #token: string | undefined;
  #lastStateText = '';
  #statePending = false;
  #paramsPending = false;
  #running = false;
  readonly #sheets = new RecallSheetPush((text) => {
    for (const c of this.#clients) if (c.authenticated) c.sendText(text);
  });

  constructor(deps: TabletServerDeps, options: TabletServerOptions = {}) {
    this.#deps = deps;
    this.#log = deps.log;
    this.#actions = { ...(options.actions ?? {}) };
    this.#meters = options.meters;
    this.#now = options.now ?? (() => performance.timeOrigin + performance.now());
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
    this.#helloTimeoutMs = options.helloTimeoutMs ?? 5_000;
    this.#frameDropBytes = options.frameDropBytes ?? 64 * 1024;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#maxMessageBytes = options.maxMessageBytes ?? 4 * 1024;
    this.#maxClients = options.maxClients ?? 64;
    if (this.#maxBufferedBytes <= this.#frameDropBytes) {
      throw new TypeError(`maxBufferedBytes (${this.#maxBufferedBytes}) must be above frameDropBytes (${this.#frameDropBytes})`);
    }
    if (this.#maxMessageBytes > HARD_MAX_PAYLOAD) throw new TypeError(`maxMessageBytes must be at most ${HARD_MAX_PAYLOAD}`);
    this.#terminal = options.terminal === null ? undefined : (options.terminal ?? (process.stderr.isTTY ? process.stderr : undefined));

    this.auth = new AccessPolicy({
      listenHost: deps.listenHost,
      ...(options.requireToken !== undefined ? { requireToken: options.requireToken } : {}),
      port: () => {
        const a = deps.http.server.address();
        return typeof a === 'object' && a !== null ? a.port : undefined;
      },
    });
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false });
    this.#wss.on('error', (err) => this.#log.error({ err }, 'websocket server error'));
    this.#requests = new TabletRequests(deps.store, () => this.#actions, this.#log, () => this.#scheduleState());

    deps.http.addGuard(this.auth.guard());
    deps.http.setFallback(createStaticHandler(options.webRoot ?? DEFAULT_WEB_ROOT));
    deps.http.addCloser(() => this.#closeClients());
    deps.http.server.on('upgrade', this.#onUpgrade);
  }

  /** Attach (or replace, or detach) the meter feed: the engine's, or a synthetic one. */
  setMeterFeed(feed: MeterFeed | undefined): void {
    this.#unsubscribeMeters?.();
    this.#unsubscribeMeters = undefined;
    this.#meters = feed;
    if (this.#running && feed) this.#unsubscribeMeters = feed.subscribe(this.#onSnapshot);
  }

  /** Add implementations as the parts providing them come up; `undefined` removes one. */
  setActions(actions: { readonly [K in keyof TabletActions]?: TabletActions[K] | undefined }): void {
    const next: Partial<TabletActions> = { ...this.#actions };
    for (const [k, v] of Object.entries(actions) as [keyof TabletActions, unknown][]) {
      if (v === undefined) delete next[k];
      else (next as Record<string, unknown>)[k] = v;
    }
    this.#actions = next;
    if (this.#running) this.#sheets.follow(next.watchRecallSheets);
    this.#scheduleState(true);
  }

  get tokenRequired(): boolean {
    return this.auth.tokenRequired;
  }

  /** The URL a tablet opens (with the token in token mode); undefined before the server listens. */
  pairingUrl(): string | undefined {
    const a = this.#deps.http.server.address();
    if (typeof a !== 'object' || a === null) return undefined;
    return pairingUrl(this.#deps.listenHost, a.port, this.auth.tokenRequired ? this.#token : undefined);
  }

  stats(): { clients: number; authenticated: number; framesSent: number; framesDropped: number } {
    let authenticated = 0;
    let framesSent = 0;
    let framesDropped = 0;
    for (const c of this.#clients) {
      if (c.authenticated) authenticated++;
      framesSent += c.framesSent;
      framesDropped += c.framesDropped;
    }
    return { clients: this.#clients.size, authenticated, framesSent, framesDropped };
  }

  async start(): Promise<void> {
    const { store } = this.#deps;
    this.#token = await loadOrCreateToken(`${this.#deps.dataDir}/token`, this.#log);
    this.auth.setToken(this.#token);
    this.#running = true;
    this.#cleanups.push(store.watch(this.#onParamChanges));
    const onRegistry = (): void => this.#scheduleParams();
    store.on('registry', onRegistry);
    this.#cleanups.push(() => store.off('registry', onRegistry));
    this.#cleanups.push(this.#deps.watchState(() => this.#scheduleState()));
    if (this.#meters) this.#unsubscribeMeters = this.#meters.subscribe(this.#onSnapshot);
    this.#sheets.follow(this.#actions.watchRecallSheets);
    this.#cleanups.push(() => this.#sheets.stop());
    this.#heartbeat = setInterval(() => this.#beat(), this.#heartbeatMs);
    this.#heartbeat.unref();
    const server = this.#deps.http.server;
    const announce = (): void => this.#announce();
    if (server.listening) announce();
    else {
      server.once('listening', announce);
      this.#cleanups.push(() => server.off('listening', announce));
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#unsubscribeMeters?.();
    this.#unsubscribeMeters = undefined;
    while (this.#cleanups.length > 0) this.#cleanups.pop()?.();
    await this.#closeClients();
    this.#deps.http.server.off('upgrade', this.#onUpgrade);
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #announce(): void {
    const url = this.pairingUrl();
    if (url === undefined) return;
    if (!this.auth.tokenRequired) {
      this.#log.info({ url }, `tablet page: ${url}`);
      return;
    }
    this.#log.info({ tokenFile: `${this.#deps.dataDir}/token` }, 'tablets need the pairing token (printed on the terminal, or read the token file)');
    const out = this.#terminal;
    if (!out) return;
    pairingBanner(url, this.#deps.listenHost).then(
      (text) => out.write(text),
      (err: unknown) => this.#log.warn({ err }, 'could not draw the pairing QR code'),
    );
  }

  // ---- connections ----

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== WS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    if (!this.#running) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const d = this.auth.checkHeaders(req);
    if (!d.ok) return rejectUpgrade(socket, d.status, d.status === 401 ? 'Unauthorized' : 'Forbidden');
    if (this.#clients.size >= this.#maxClients) return rejectUpgrade(socket, 503, 'Service Unavailable');
    const upgradeToken = this.auth.tokenFrom(req, url);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req, upgradeToken));
  };

  #onConnection(ws: WebSocket, req: IncomingMessage, upgradeToken: string | undefined): void {
    const client = new TabletClient(randomBytes(4).toString('hex'), ws, req.socket.remoteAddress ?? '?', {
      frameDropBytes: this.#frameDropBytes,
      maxBufferedBytes: this.#maxBufferedBytes,
    });
    this.#clients.add(client);
    const helloTimer = setTimeout(() => {
      if (!client.authenticated) ws.close(CLOSE.helloTimeout, 'hello timeout');
    }, this.#helloTimeoutMs);
    helloTimer.unref();
    ws.on('error', (err) => this.#log.debug({ err, client: client.id }, 'tablet socket error'));
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.#clients.delete(client);
      client.abortLearns();
      client.closed.abort();
      if (client.authenticated) this.#log.info({ client: client.id, name: client.name, dropped: client.framesDropped }, 'tablet disconnected');
    });
    ws.on('message', (data, isBinary) => {
      client.alive = true;
      try {
        this.#onMessage(client, data, isBinary, upgradeToken);
      } catch (err) {
        // A bug in a handler answers this one client; the daemon and the other tablets go on.
        sendError(client, err, { type: 'unknown' }, this.#log);
      }
    });
  }

  #onMessage(client: TabletClient, data: RawData, isBinary: boolean, upgradeToken: string | undefined): void {
    const size = rawSize(data);
    const gate = (): boolean => {
      // In token mode an unauthenticated client learns nothing but the close code.
      if (!client.authenticated && this.auth.tokenRequired) {
        client.ws.close(CLOSE.unauthorized, 'unauthorized');
        return false;
      }
      return true;
    };
    if (isBinary) {
      if (gate()) client.send({ type: 'error', code: 'E_WS_BAD_MESSAGE', message: 'binary messages are not accepted (send JSON text)' });
      return;
    }
    if (size > this.#maxMessageBytes) {
      if (gate()) client.send({ type: 'error', code: 'E_WS_TOO_LARGE', message: `message of ${size} bytes refused (at most ${this.#maxMessageBytes})` });
      return;
    }
    const parsed = parseClientMessage(rawText(data));
    if (!parsed.ok) {
      if (gate()) {
        client.send({
          type: 'error',
          code: 'E_WS_BAD_MESSAGE',
          message: `invalid message: ${parsed.reason}`,
          ...refOf(parsed.ref),
          ...(parsed.request !== undefined ? { request: parsed.request } : {}),
        });
      }
      return;
    }
    const msg = parsed.message;
    if (msg.type === 'hello') {
      this.#hello(client, msg, upgradeToken);
      return;
    }
    if (!client.authenticated) {
      if (gate()) client.send({ type: 'error', code: 'E_WS_BAD_MESSAGE', message: 'send hello first', request: msg.type, ...refOf(msg.ref) });
      return;
    }
    if (msg.type === 'subscribe') {
      this.#subscribe(client, msg);
      return;
    }
    if (msg.type === 'ping') {
      client.send({ type: 'pong', ...refOf(msg.ref) });
      return;
    }
    this.#requests.handle(client, msg);
  }

  #hello(client: TabletClient, msg: Extract<ClientMessage, { type: 'hello' }>, upgradeToken: string | undefined): void {
    if (client.authenticated) {
      client.send({ type: 'error', code: 'E_WS_BAD_MESSAGE', message: 'hello was already accepted', request: 'hello', ...refOf(msg.ref) });
      return;
    }
    if (this.auth.tokenRequired && !this.auth.tokenMatches(msg.token ?? upgradeToken)) {
      this.#log.warn({ remote: client.remote }, 'tablet refused: wrong or missing pairing token');
      client.ws.close(CLOSE.unauthorized, 'unauthorized');
      return;
    }
    if (msg.protocol !== PROTOCOL_VERSION) {
      client.send({
        type: 'error',
        code: 'E_WS_PROTOCOL_VERSION',
        message: `protocol ${msg.protocol} is not supported; this daemon speaks ${PROTOCOL_VERSION}`,
        request: 'hello',
        ...refOf(msg.ref),
      });
      client.ws.close(CLOSE.protocolVersion, 'unsupported protocol version');
      return;
    }
    client.authenticated = true;
    client.name = msg.client ?? '';
    this.#log.info({ client: client.id, name: client.name, remote: client.remote }, 'tablet connected');
    client.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      clientId: client.id,
      tokenRequired: this.auth.tokenRequired,
      meters: { sections: METER_SECTIONS, maxFps: MAX_FPS, available: this.#meters !== undefined },
    });
    client.sendText(this.#stateText());
    client.send(this.#paramsMessage());
    const sheets = this.#sheets.greeting;
    if (sheets !== undefined) client.sendText(sheets);
  }

  #subscribe(client: TabletClient, msg: Extract<ClientMessage, { type: 'subscribe' }>): void {
    client.meterMask = sectionMask(msg.meters);
    client.frameIntervalMs = 1000 / msg.fps;
    client.nextFrameDueMs = 0;
    client.layoutId = 0;
    client.send({
      type: 'result',
      request: 'subscribe',
      ...refOf(msg.ref),
      data: { meters: msg.meters, fps: msg.fps, available: this.#meters !== undefined },
    });
  }

  // ---- fan-out ----

  readonly #onSnapshot = (snapshot: MeterSnapshot): void => {
    let wanted = false;
    for (const c of this.#clients) if (c.authenticated && c.meterMask !== 0) wanted = true;
    if (!wanted) return;
    const now = this.#now();
    this.#encoder.use(snapshot, now);
    const layout = this.#encoder.layout;
    if (!layout) return;
    let layoutText: string | undefined;
    for (const c of this.#clients) {
      if (!c.authenticated || !c.frameDue(now)) continue;
      if (c.layoutId !== layout.layoutId) {
        layoutText ??= JSON.stringify({ type: 'meters.layout', ...layout } satisfies ServerMessage);
        c.sendText(layoutText);
        c.layoutId = layout.layoutId;
      }
      c.sendFrame(this.#encoder.frame(c.meterMask), now);
    }
  };

  readonly #onParamChanges = (changes: readonly ParamChange[], source: string): void => {
    const first = changes[0];
    if (!first) return;
    const msg: ServerMessage =
      changes.length === 1
        ? { type: 'param', id: first.id, value: first.value, source }
        : { type: 'param.batch', source, changes: changes.map((c) => ({ id: c.id, value: c.value })) };
    const text = JSON.stringify(msg);
    // Never echoed to the tablet that made the change.
    for (const c of this.#clients) if (c.authenticated && c.source !== source) c.sendText(text);
  };

  #paramsMessage(): ServerMessage {
    return { type: 'params', params: paramList(this.#deps.store) };
  }

  #stateText(): string {
    const v = this.#deps.stateView();
    const msg: ServerMessage = { type: 'state', state: v.state, devices: v.devices, actions: availability(this.#actions) };
    return JSON.stringify(msg);
  }

  /** Coalesces bursts (a rescan reporting ten devices) into one `state`, sent only when it differs. */
  #scheduleState(force = false): void {
    if (force) this.#lastStateText = '';
    if (this.#statePending) return;
    this.#statePending = true;
    setImmediate(() => {
      this.#statePending = false;
      if (!this.#running) return;
      const text = this.#stateText();
      if (text === this.#lastStateText) return;
      this.#lastStateText = text;
      for (const c of this.#clients) if (c.authenticated) c.sendText(text);
    });
  }

  #scheduleParams(): void {
    if (this.#paramsPending) return;
    this.#paramsPending = true;
    setImmediate(() => {
      this.#paramsPending = false;
      if (!this.#running) return;
      const text = JSON.stringify(this.#paramsMessage());
      for (const c of this.#clients) if (c.authenticated) c.sendText(text);
    });
  }

  #beat(): void {
    for (const c of this.#clients) {
      if (!c.alive) {
        this.#log.info({ client: c.id }, 'tablet did not answer the ping: closing');
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  /** Close every socket with 1001; whoever has not finished the closing handshake soon is cut. */
  async #closeClients(): Promise<void> {
    if (this.#clients.size === 0) return;
    const all = [...this.#clients];
    const closed = all.map((c) => new Promise<void>((resolve) => (c.ws.readyState === c.ws.CLOSED ? resolve() : c.ws.once('close', () => resolve()))));
    for (const c of all) c.ws.close(CLOSE.goingAway, 'daemon stopping');
    const timer = setTimeout(() => {
      for (const c of all) c.ws.terminate();
    }, 250);
    await Promise.all(closed);
    clearTimeout(timer);
  }
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString('utf8');
}

