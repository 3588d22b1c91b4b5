import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessPolicy, isApiPath, isLoopbackHost } from '../../src/server/auth.ts';
import { resolveInside } from '../../src/server/static.ts';
import { pairingHost, pairingUrl } from '../../src/server/tablet-pairing.ts';

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('AccessPolicy', () => {
  it('is in token mode for anything but loopback, or when forced', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '127.0.1.1']) expect([h, new AccessPolicy({ listenHost: h, port: () => 1 }).tokenRequired]).toEqual([h, false]);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'studio.local']) expect([h, new AccessPolicy({ listenHost: h, port: () => 1 }).tokenRequired]).toEqual([h, true]);
    expect(new AccessPolicy({ listenHost: '127.0.0.1', requireToken: true, port: () => 1 }).tokenRequired).toBe(true);
    expect(isLoopbackHost('127.0.0.1.evil.example')).toBe(false);
  });

  it('matches only the exact token; fails closed before one is set', () => {
    const p = new AccessPolicy({ listenHost: '0.0.0.0', port: () => 8080 });
    expect(p.tokenMatches('anything')).toBe(false);
    p.setToken('s3cret-token-value');
    expect(p.tokenMatches('s3cret-token-value')).toBe(true);
    fc.assert(fc.property(fc.string(), (s) => s === 's3cret-token-value' || !p.tokenMatches(s)));
    expect(p.tokenMatches(undefined)).toBe(false);
    expect(p.tokenMatches('s3cret-token-value ')).toBe(false);
  });

  it('takes the token from a Bearer header before the query', () => {
    const p = new AccessPolicy({ listenHost: '0.0.0.0', port: () => 8080 });
    expect(p.tokenFrom(req({ authorization: 'Bearer abc' }), new URL('http://x/?token=def'))).toBe('abc');
    expect(p.tokenFrom(req({ authorization: 'bearer   abc  ' }), new URL('http://x/'))).toBe('abc');
    expect(p.tokenFrom(req({}), new URL('http://x/?token=def'))).toBe('def');
    expect(p.tokenFrom(req({ authorization: 'Basic abc' }), new URL('http://x/'))).toBeUndefined();
  });

  it('lets the page through without a token, but not the API', () => {
    for (const p of ['/api/state', '/api', '/healthz', '/ws']) expect(isApiPath(p)).toBe(true);
    for (const p of ['/', '/app.js', '/apis.js', '/healthz.html']) expect(isApiPath(p)).toBe(false);
    const policy = new AccessPolicy({ listenHost: '0.0.0.0', port: () => 8080 });
    policy.setToken('t'.repeat(43));
    const r = req({ host: '10.0.0.2:8080' });
    expect(policy.check(r, new URL('http://x/'), false)).toEqual({ ok: true });
    expect(policy.check(r, new URL('http://x/api/state'), true)).toMatchObject({ ok: false, status: 401, code: 'E_HTTP_UNAUTHORIZED' });
  });
});

describe('static path resolution', () => {
  let root: string;
  beforeAll(async () => {
    root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'hb-root-')));
    await mkdir(path.join(root, 'a'));
    for (const f of ['index.html', 'x.js', 'a/index.html', 'a/x.js']) await writeFile(path.join(root, f), '');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('never resolves outside the root, whatever the URL path', () => {
    let resolved = 0;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('..', '.', '%2e%2e', '%2f', '%5c', '\\', 'a', 'index.html', '%00', '/', '//', '.git', '%252e', 'x.js'), { maxLength: 8 }),
        (parts) => {
          const file = resolveInside(root, '/' + parts.join('/'));
          if (file === undefined) return;
          // Whatever resolves exists and lies strictly inside the root.
          const rel = path.relative(root, file);
          expect(rel.startsWith('..') || path.isAbsolute(rel) || rel === '').toBe(false);
          resolved++;
        },
      ),
      { numRuns: 2000 },
    );
    // Not vacuous: plenty of the generated paths did name a real file.
    expect(resolved).toBeGreaterThan(50);
    expect(resolveInside(root, '/a/')).toBe(path.join(root, 'a', 'index.html'));
    expect(resolveInside(root, '/a/../x.js')).toBeUndefined();
  });
});

describe('pairing URL', () => {
  it('uses a LAN address for a wildcard listen host and carries the token', () => {
    const ifaces = {
      lo: [{ family: 'IPv4', internal: true, address: '127.0.0.1' }],
      eth0: [{ family: 'IPv4', internal: false, address: '192.168.1.40' }],
    } as unknown as NodeJS.Dict<os.NetworkInterfaceInfo[]>;
    expect(pairingHost('0.0.0.0', ifaces)).toBe('192.168.1.40');
    expect(pairingHost('10.0.0.5', ifaces)).toBe('10.0.0.5');
    expect(pairingHost('::1', ifaces)).toBe('[::1]');
    expect(pairingUrl('127.0.0.1', 8080, undefined)).toBe('http://127.0.0.1:8080/');
    expect(pairingUrl('127.0.0.1', 8080, 'a+b/c')).toBe('http://127.0.0.1:8080/?token=a%2Bb%2Fc');
  });
});
