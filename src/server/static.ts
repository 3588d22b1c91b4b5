import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The page's headers: no framing (clickjacking a control surface), no referrer (the pairing
 * URL carries the token until the page strips it), scripts and sockets from this origin only.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/**
 * Serves files from one fixed folder, nothing else: the path is decoded once, must not
 * contain NUL, backslashes or dot segments, must resolve inside the root, and the real path
 * (after symlinks) must still be inside it. Only known file types; only GET and HEAD.
 * Returns false (not handled) for anything it will not serve, so the caller answers 404.
 */
export function createStaticHandler(root: string): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  let realRoot: string | undefined;
  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    // Resolved on first use: a missing folder serves nothing instead of stopping the daemon.
    try {
      realRoot ??= realpathSync(root);
    } catch {
      return false;
    }
    const file = resolveInside(realRoot, url.pathname);
    if (file === undefined) return false;
    const type = TYPES[path.extname(file).toLowerCase()];
    if (type === undefined) return false;
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return false;
      size = st.size;
    } catch {
      return false;
    }
    res.writeHead(200, { 'content-type': type, 'content-length': size, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  };
}

/** The absolute file for a URL path, or undefined when it is not a plain path inside root. */
export function resolveInside(realRoot: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '.' || s === '..' || s.startsWith('.'))) return undefined;
  const rel = segments.length === 0 || decoded.endsWith('/') ? [...segments, 'index.html'] : segments;
  const candidate = path.resolve(realRoot, ...rel);
  if (!isInside(realRoot, candidate)) return undefined;
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    return undefined;
  }
  return isInside(realRoot, real) ? real : undefined;
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel.length > 0 && !rel.startsWith('..') && !path.isAbsolute(rel);
}

