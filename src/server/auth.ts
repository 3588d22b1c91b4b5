import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BridgeErrorCode } from '../errors.ts';
import { sendJson, type RequestGuard } from './http-server.ts';

/**
 * Who may talk to the daemon.
 *
 * Token mode (listening on anything but loopback, or forced): every API call and WebSocket
 * needs the pairing token (`Authorization: Bearer`, `?token=`, or the WebSocket `hello`).
 * The page's static files are public (they hold no secrets and the page must load before
 * it can present the token it kept).
 *
 * Loopback mode: no token, but a browser on another site must not reach the daemon:
 * `Host` must name loopback with our port (defeats DNS rebinding: the attacker's name
 * resolving to 127.0.0.1 still arrives with the attacker's Host) and `Origin`, when a
 * browser sends one, must be this very origin (defeats cross-site requests).
 * In both modes a present `Origin` must match `Host`.
 */
export type AccessDecision = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly code: BridgeErrorCode; readonly message: string };

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === 'localhost.';
}

export interface AccessPolicyOptions {
  /** The host the server listens on (decides the mode). */
  readonly listenHost: string;
  /** Force token mode on loopback too. */
  readonly requireToken?: boolean;
  /** The listening port, read per request (the server may listen on port 0). */
  readonly port: () => number | undefined;
}

const OK: AccessDecision = { ok: true };
const UNAUTHORIZED: AccessDecision = { ok: false, status: 401, code: 'E_HTTP_UNAUTHORIZED', message: 'pairing token required' };

export class AccessPolicy {
  readonly tokenRequired: boolean;
  readonly #port: () => number | undefined;
  #tokenDigest: Buffer | undefined;

  constructor(options: AccessPolicyOptions) {
    this.tokenRequired = options.requireToken === true || !isLoopbackHost(options.listenHost);
    this.#port = options.port;
  }

  /** Until a token is set, token mode refuses everything that needs one (fail closed). */
  setToken(token: string): void {
    this.#tokenDigest = digest(token);
  }

  /**
   * Constant-time: both sides are hashed to 32 bytes first, so neither the length nor the
   * position of the first wrong character shows in the timing.
   */
  tokenMatches(candidate: string | undefined): boolean {
    if (candidate === undefined || this.#tokenDigest === undefined) return false;
    return timingSafeEqual(digest(candidate), this.#tokenDigest);
  }

  /** The token a request carries (header first, then the query), if any. */
  tokenFrom(req: IncomingMessage, url: URL): string | undefined {
    const h = req.headers.authorization;
    if (typeof h === 'string') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
      if (m) return m[1];
    }
    return url.searchParams.get('token') ?? undefined;
  }

  /** Host and Origin, for every request and WebSocket upgrade in both modes. */
  checkHeaders(req: IncomingMessage): AccessDecision {
    const host = req.headers.host;
    if (typeof host !== 'string' || host.length === 0 || host.length > 255) return forbidden('Host header missing');
    if (!this.tokenRequired && !this.#loopbackHostHeader(host)) return forbidden('Host is not this daemon');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      // `null` (sandboxed frames, file: pages) is never this daemon's page.
      let o: URL;
      try {
        o = new URL(origin);
      } catch {
        return forbidden('Origin not allowed');
      }
      // The daemon serves plain HTTP only, so its own pages always have an http: origin.
      if (o.protocol !== 'http:') return forbidden('Origin not allowed');
      if (o.host.toLowerCase() !== normaliseHost(host)) return forbidden('Origin not allowed');
    }
    return OK;
  }

  /** The full decision for an HTTP request or upgrade; `needsToken` is false for the page's static files. */
  check(req: IncomingMessage, url: URL, needsToken: boolean): AccessDecision {
    const h = this.checkHeaders(req);
    if (!h.ok) return h;
    if (!this.tokenRequired || !needsToken) return OK;
    return this.tokenMatches(this.tokenFrom(req, url)) ? OK : UNAUTHORIZED;
  }

  /** A guard for HttpServer: API routes need the token in token mode, static files do not. */
  guard(): RequestGuard {
    return (req, res, url) => {
      const d = this.check(req, url, isApiPath(url.pathname));
      if (d.ok) return true;
      answer(res, d);
      return false;
    };
  }

  #loopbackHostHeader(host: string): boolean {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
    if (!m) return false;
    const name = m[1] ?? '';
    const port = this.#port();
    const given = m[2] === undefined ? 80 : Number(m[2]);
    return isLoopbackHost(name) && (port === undefined || given === port);
  }
}

/** Everything that is not the page: the API, health, the WebSocket. */
export function isApiPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/') || pathname === '/healthz' || pathname === '/ws';
}

export function answer(res: ServerResponse, d: Extract<AccessDecision, { ok: false }>): void {
  if (d.status === 401) res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, d.status, { error: { code: d.code, message: d.message } });
}

function forbidden(message: string): AccessDecision {
  return { ok: false, status: 403, code: 'E_HTTP_FORBIDDEN', message };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** `Host` as URL.host would spell it for http: (lower case, port 80 dropped). */
function normaliseHost(host: string): string {
  const h = host.toLowerCase();
  return h.endsWith(':80') ? h.slice(0, -3) : h;
}
