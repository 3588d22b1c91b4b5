import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BridgeError, type BridgeErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** Parsed JSON body (POST/PUT); throws E_HTTP_BAD_REQUEST on malformed JSON. */
  readonly body: () => Promise<unknown>;
}

/** Returns the JSON answer (or a promise of it); may also write `res` itself. */
export type RouteHandler = (ctx: RouteContext) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/** A hook that runs before routing (authentication, Host/Origin checks). Return false when it answered. */
export type RequestGuard = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

const STATUS_BY_CODE: Partial<Record<BridgeErrorCode, number>> = {
  E_PARAM_UNKNOWN: 404,
  E_HTTP_NOT_FOUND: 404,
  E_STORE_NOT_FOUND: 404,
  E_PARAM_RANGE: 422,
  E_PARAM_TYPE: 422,
  E_IMPORT_INVALID: 422,
  E_HTTP_BAD_REQUEST: 400,
  E_HTTP_TOO_LARGE: 413,
  E_HTTP_UNAUTHORIZED: 401,
  E_HTTP_FORBIDDEN: 403,
  E_CALIBRATION_BUSY: 409,
  E_RECALL_BUSY: 409,
  E_TRANSPORT_STATE: 409,
  E_STORE_CONFLICT: 409,
  E_RECALL_AB_TRACKS: 409,
  E_SNAPSHOT_INVALID: 422,
  E_STORE_WRITE: 503,
  // A measurement that ran but gave no usable result (nothing patched, only noise).
  E_CALIBRATION_NO_SIGNAL: 422,
  E_CALIBRATION_NOISY: 422,
  // The audio side cannot do it now (no interface, device gone, worker down).
  E_AUDIO_BACKEND: 503,
  E_AUDIO_DEVICE: 503,
  E_AUDIO_STREAM: 503,
  E_ENGINE_WORKER: 503,
};

export function httpStatusFor(code: BridgeErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/**
 * node:http with a tiny router: `/api/params/:id` patterns, JSON in and out,
 * BridgeErrors mapped to status codes with `{ error: { code, message, details } }`.
 * Other modules (WebSocket, static page) attach through `server` and `addGuard`.
 */
export class HttpServer {
  readonly server: Server;
  readonly #routes: Route[] = [];
  readonly #guards: RequestGuard[] = [];
  readonly #log: Logger;
  #fallback: ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean) | undefined;
  readonly #closers: (() => Promise<void>)[] = [];

  constructor(log: Logger) {
    this.#log = log;
    this.server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.#log.error({ err }, 'http handler failed');
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'E_HTTP_BAD_REQUEST', message: 'internal error' } });
        else res.destroy();
      });
    });
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  route(method: string, path: string, handler: RouteHandler): void {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:([A-Za-z]+)/g, (_m, k: string) => {
          keys.push(k);
          return '/([^/]+)';
        }) +
        '$',
    );
    this.#routes.push({ method, pattern, keys, handler });
  }

  addGuard(guard: RequestGuard): void {
    this.#guards.push(guard);
  }

  /** Static files and anything else that is not an API route. */
  setFallback(fn: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean): void {
    this.#fallback = fn;
  }

  /**
   * Runs at the start of `close()`. Upgraded sockets (WebSockets) are not HTTP connections any
   * more, so `closeAllConnections` does not end them and `server.close` would wait for them:
   * whoever took them over closes them here.
   */
  addCloser(fn: () => Promise<void>): void {
    this.#closers.push(fn);
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.server.on('error', (err) => this.#log.error({ err }, 'http server error'));
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    await Promise.allSettled(this.#closers.map((fn) => fn()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const g of this.#guards) if (!g(req, res, url)) return;
    const method = req.method ?? 'GET';
    let pathMatched = false;
    for (const r of this.#routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1] ?? '');
      });
      try {
        const result = await r.handler({ req, res, url, params, body: () => readJson(req) });
        if (!res.headersSent && !res.writableEnded) sendJson(res, 200, result ?? { ok: true });
      } catch (err) {
        if (err instanceof BridgeError) {
          if (!res.headersSent) sendJson(res, httpStatusFor(err.code), { error: err.toJSON() });
        } else throw err;
      }
      return;
    }
    if (pathMatched) {
      sendJson(res, 405, { error: { code: 'E_HTTP_BAD_REQUEST', message: `${method} not allowed on ${url.pathname}` } });
      return;
    }
    if (this.#fallback?.(req, res, url)) return;
    sendJson(res, 404, { error: { code: 'E_HTTP_NOT_FOUND', message: `no such endpoint: ${url.pathname}` } });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BridgeError('E_HTTP_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BridgeError('E_HTTP_BAD_REQUEST', 'request body is not valid JSON');
  }
}
