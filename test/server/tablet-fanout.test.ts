import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readFrameHeader } from '../../src/server/ws/meter-frame.ts';
import { SyntheticMeterFeed } from './synthetic-meter-feed.ts';
import { startTabletDaemon, TEST_PARAMS, type TabletFixture } from './tablet-fixture.ts';
import { TestClient } from './ws-test-client.ts';

let fx: TabletFixture | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fx?.cleanup();
  fx = undefined;
});

async function hello(extra: Record<string, unknown> = {}, options = {}): Promise<TestClient> {
  const c = await TestClient.hello(fx!.wsUrl, extra, options);
  clients.push(c);
  return c;
}

function seqs(c: TestClient): number[] {
  return c.frames.map((f) => readFrameHeader(f).seq);
}

function underlyingSocket(c: TestClient): Socket {
  return (c.ws as unknown as { _socket: Socket })._socket;
}

describe('tablet fan-out', () => {
  it('a stalled client gets frames skipped (latest wins) while the others get every frame; it catches up with the newest', async () => {
    let nowMs = 1_000_000;
    // Big frames (2048 spectrum bands = 8 KiB) fill the stalled socket's kernel buffers quickly.
    const feed = new SyntheticMeterFeed({ bands: 2048 });
    fx = await startTabletDaemon({ tablet: { meters: feed, now: () => nowMs, heartbeatMs: 600_000, frameDropBytes: 64 * 1024, maxBufferedBytes: 256 * 1024 * 1024 } });
    const healthy = [await hello(), await hello()];
    const stalled = await hello();
    for (const c of [...healthy, stalled]) await c.request({ type: 'subscribe', meters: ['loudness', 'spectrum'], fps: 60 });
    underlyingSocket(stalled).pause();

    let published = 0;
    // Publish until the daemon has skipped a good run of frames for the stalled client,
    // waiting after each one for the healthy clients (they read; the stalled one does not).
    while (fx.daemon.tablet.stats().framesDropped < 50) {
      feed.publish();
      published++;
      nowMs += 1000 / 60;
      await Promise.all(healthy.map((c) => c.waitForFrames(published)));
      if (published > 20_000) throw new Error('the stalled client never backed up');
    }
    for (const c of healthy) expect(seqs(c)).toEqual(Array.from({ length: published }, (_, i) => i + 1));
    const dropped = fx.daemon.tablet.stats().framesDropped;
    expect(dropped).toBeGreaterThanOrEqual(50);

    // Resume: exactly what was sent drains (nothing was queued for later), then the next
    // frame it gets is the newest snapshot.
    underlyingSocket(stalled).resume();
    await stalled.waitForFrames(published - dropped);
    feed.publish();
    published++;
    nowMs += 1000 / 60;
    await stalled.waitForFrames(published - dropped);
    await Promise.all(healthy.map((c) => c.waitForFrames(published)));
    expect(fx.daemon.tablet.stats().framesDropped).toBe(dropped);
    const s = seqs(stalled);
    expect(s).toHaveLength(published - dropped);
    // Strictly increasing: skipped frames are gone, never re-sent out of order.
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(s.at(-1)).toBe(published);
  });

  it('serves 20 clients: every frame to each, a parameter change from one reaches the 19 others and not itself', async () => {
    let nowMs = 2_000_000;
    const feed = new SyntheticMeterFeed({ bands: 31 });
    fx = await startTabletDaemon({ tablet: { meters: feed, now: () => nowMs }, setup: (d) => d.store.register([...TEST_PARAMS]) });
    const all: TestClient[] = [];
    for (let i = 0; i < 20; i++) all.push(await hello({ client: `tablet ${i}` }));
    expect(new Set(all.map((c) => c.clientId)).size).toBe(20);
    for (const c of all) await c.request({ type: 'subscribe', meters: ['loudness', 'stages', 'gainReduction', 'phase', 'spectrum'], fps: 60 });
    for (let i = 0; i < 120; i++) {
      feed.publish();
      nowMs += 1000 / 60;
    }
    await Promise.all(all.map((c) => c.waitForFrames(120)));
    for (const c of all) expect(seqs(c)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(fx.daemon.tablet.stats()).toMatchObject({ clients: 20, authenticated: 20, framesDropped: 0, framesSent: 2400 });

    const sender = all[7]!;
    const marks = all.map((c) => c.json.length);
    sender.send({ type: 'param.set', id: 'eq.band2.gainDb', value: -4.5 });
    const others = all.filter((c) => c !== sender);
    const got = await Promise.all(others.map((c, i) => c.waitFor((m) => m.type === 'param', marks[all.indexOf(c)] ?? i)));
    for (const m of got) expect(m).toEqual({ type: 'param', id: 'eq.band2.gainDb', value: -4.5, source: `tablet:${sender.clientId}` });
    const r = await sender.request({ type: 'hello', protocol: 1 });
    expect(r.type).toBe('error');
    expect(sender.json.slice(marks[7]).filter((m) => m.type === 'param')).toEqual([]);
  });

  it('terminates a client that stops answering pings; a live one stays', async () => {
    fx = await startTabletDaemon({ tablet: { heartbeatMs: 40 } });
    const live = await hello();
    const dead = await hello({}, { autoPong: false });
    let pings = 0;
    const fivePings = new Promise<void>((resolve) =>
      live.ws.on('ping', () => {
        if (++pings === 5) resolve();
      }),
    );
    expect(await dead.waitClosed()).toBe(1006);
    await fivePings;
    expect(live.closeCode).toBeUndefined();
    expect(fx.daemon.tablet.stats().clients).toBe(1);
  });

  it('closes every tablet with 1001 when the daemon stops', async () => {
    fx = await startTabletDaemon();
    const a = await hello();
    const b = await hello();
    await fx.cleanup();
    fx = undefined;
    expect(await a.waitClosed()).toBe(1001);
    expect(await b.waitClosed()).toBe(1001);
  });

  it('refuses connections over maxClients with 503 at the upgrade', async () => {
    fx = await startTabletDaemon({ tablet: { maxClients: 2 } });
    await hello();
    await hello();
    await expect(TestClient.open(fx.wsUrl)).rejects.toThrow('upgrade refused: 503');
  });
});
