import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTabletDaemon, rawRequest, type TabletFixture } from './tablet-fixture.ts';

let fx: TabletFixture | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The HTTP status of a WebSocket upgrade with these headers (101 when accepted). */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('loopback mode: Host and Origin', () => {
  it('serves requests for its own loopback name and port, with no Origin or its own', async () => {
    fx = await startTabletDaemon();
    const { port } = fx;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect([host, (await rawRequest(port, 'GET', '/api/state', { host })).status]).toEqual([host, 200]);
    }
    expect((await rawRequest(port, 'GET', '/api/state', { origin: `http://127.0.0.1:${port}` })).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/api/state', { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('refuses DNS rebinding (a foreign Host) and cross-site requests (a foreign Origin) with 403, for the API, the page and the WebSocket', async () => {
    fx = await startTabletDaemon();
    const { port } = fx;
    const bad: Record<string, string>[] = [
      { host: `evil.example:${port}` },
      { host: `127.0.0.1.evil.example:${port}` },
      { host: `127.0.0.1:${port + 1}` },
      { host: '127.0.0.1' },
      { host: `192.168.1.20:${port}` },
      { origin: 'http://evil.example' },
      { origin: `http://evil.example:${port}` },
      { origin: `http://localhost:${port}` },
      { origin: 'null' },
      { origin: `file://` },
      { origin: `https://127.0.0.1:${port}` },
    ];
    for (const headers of bad) {
      const r = await rawRequest(port, 'POST', '/api/params/eq.band2.gainDb', headers);
      const body = JSON.parse(r.body) as { error: { code: string; message: string } };
      expect([headers, r.status, body.error.code, Object.keys(body.error)]).toEqual([headers, 403, 'E_HTTP_FORBIDDEN', ['code', 'message']]);
      expect([headers, (await rawRequest(port, 'GET', '/', headers)).status]).toEqual([headers, 403]);
      expect([headers, await upgradeStatus(port, headers)]).toEqual([headers, 403]);
    }
    expect(await upgradeStatus(port, { origin: `http://127.0.0.1:${port}` })).toBe(101);
  });
});

describe('token mode', () => {
  it('requires the token for the API and health (401, nothing else said), accepts Bearer and ?token=, serves the page without it', async () => {
    fx = await startTabletDaemon({ tablet: { requireToken: true } });
    const token = await fx.token();
    const { port } = fx;
    for (const [p, headers] of [
      ['/api/state', {}],
      ['/healthz', {}],
      ['/api/params', { authorization: 'Bearer nope' }],
      ['/api/params', { authorization: `Basic ${token}` }],
      [`/api/params?token=${token}x`, {}],
      ['/api/params?token=', {}],
    ] as [string, Record<string, string>][]) {
      const r = await rawRequest(port, 'GET', p, headers);
      expect([p, r.status, JSON.parse(r.body)]).toEqual([p, 401, { error: { code: 'E_HTTP_UNAUTHORIZED', message: 'pairing token required' } }]);
      expect(r.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await rawRequest(port, 'GET', '/api/state', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await rawRequest(port, 'GET', `/api/state?token=${encodeURIComponent(token)}`)).status).toBe(200);
    // In token mode the Host may be any name the LAN uses for this machine.
    expect((await rawRequest(port, 'GET', '/healthz', { host: `studio.local:${port}`, authorization: `Bearer ${token}` })).status).toBe(200);
    // ...but a browser page from another site is still refused, token or not.
    expect((await rawRequest(port, 'GET', '/healthz', { origin: 'http://evil.example', authorization: `Bearer ${token}` })).status).toBe(403);
    const page = await rawRequest(port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="app.js">');
    expect(page.body).not.toContain(token);
  });

  it('creates the token file once with mode 0600, keeps it across restarts, tightens a loose mode, replaces garbage', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hb-token-'));
    dirs.push(dataDir);
    const file = path.join(dataDir, 'token');
    fx = await startTabletDaemon({ dataDir, tablet: { requireToken: true } });
    const first = (await readFile(file, 'utf8')).trim();
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await fx.cleanup();

    await chmod(file, 0o644);
    fx = await startTabletDaemon({ dataDir, tablet: { requireToken: true } });
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await fx.cleanup();

    await writeFile(file, 'short\n');
    fx = await startTabletDaemon({ dataDir, tablet: { requireToken: true } });
    const replaced = (await readFile(file, 'utf8')).trim();
    expect(replaced).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(replaced).not.toBe(first);
    expect((await rawRequest(fx.port, 'GET', '/api/state', { authorization: `Bearer ${first}` })).status).toBe(401);
    expect((await rawRequest(fx.port, 'GET', '/api/state', { authorization: `Bearer ${replaced}` })).status).toBe(200);
  });

  it('prints the pairing URL with the token and a QR code on the terminal when listening on the LAN', async () => {
    const terminal = new PassThrough();
    let out = '';
    terminal.on('data', (c: Buffer) => (out += c.toString('utf8')));
    fx = await startTabletDaemon({ host: '0.0.0.0', tablet: { terminal } });
    const token = await fx.token();
    const url = fx.daemon.tablet.pairingUrl()!;
    expect(url).toMatch(new RegExp(`^http://[0-9.]+:${fx.port}/\\?token=${token}$`));
    await new Promise<void>((resolve) => (out.includes('▄') ? resolve() : terminal.on('data', () => out.includes('▄') && resolve())));
    expect(out).toContain(`Tablet: open ${url}`);
    // The QR code: block characters, several lines of them.
    expect(out.split('\n').filter((l) => l.includes('▄') || l.includes('█')).length).toBeGreaterThan(10);
  });
});

describe('static files', () => {
  it('serves the page with its security headers and content types', async () => {
    fx = await startTabletDaemon();
    const index = await rawRequest(fx.port, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const js = await rawRequest(fx.port, 'GET', '/app.js');
    expect([js.status, js.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect((await rawRequest(fx.port, 'HEAD', '/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawRequest(fx.port, 'POST', '/app.js')).status).toBe(404);
  });

  it('never serves anything outside its folder: traversal, encodings, NUL, backslashes, dotfiles, symlinks out', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'hb-web-'));
    const outside = await mkdtemp(path.join(os.tmpdir(), 'hb-secret-'));
    dirs.push(root, outside);
    await writeFile(path.join(root, 'index.html'), '<p>ok</p>');
    await mkdir(path.join(root, 'sub'));
    await writeFile(path.join(root, 'sub', 'a.js'), 'export {};');
    await writeFile(path.join(root, '.env'), 'SECRET=1');
    await writeFile(path.join(outside, 'secret.txt'), 'SECRET');
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    await symlink(outside, path.join(root, 'linkdir'));
    fx = await startTabletDaemon({ tablet: { webRoot: root } });
    const rel = path.relative(root, path.join(outside, 'secret.txt')).split(path.sep).join('/');
    const attempts = [
      `/${rel}`,
      `/../${path.basename(outside)}/secret.txt`,
      `/sub/../../${path.basename(outside)}/secret.txt`,
      `/%2e%2e/${path.basename(outside)}/secret.txt`,
      `/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      `/..%2f..%2f..%2fetc%2fpasswd`,
      `/%252e%252e/etc/passwd`,
      `/..\\..\\etc\\passwd`,
      `/sub%5c..%5c..%5cetc%5cpasswd`,
      `/index.html%00.js`,
      `/.env`,
      `/link.txt`,
      `/linkdir/secret.txt`,
      `//etc/passwd`,
      `/%ZZ`,
      `/etc/passwd`,
      `/package.json`,
    ];
    for (const p of attempts) {
      const r = await rawRequest(fx.port, 'GET', p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(r.body).not.toContain('SECRET');
      expect(r.body).not.toContain('root:');
    }
    expect((await rawRequest(fx.port, 'GET', '/sub/a.js')).status).toBe(200);
    expect((await rawRequest(fx.port, 'GET', '/')).body).toBe('<p>ok</p>');
  });
});
