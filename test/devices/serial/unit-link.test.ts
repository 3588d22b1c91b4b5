import { describe, expect, it } from 'vitest';
import type { BridgeError } from '../../../src/errors.ts';
import { FakeSerialWorld } from '../../../src/devices/serial/fake-serial.ts';
import { UnitLink, type LinkTiming } from '../../../src/devices/serial/unit-link.ts';
import type { Clock } from '../../../src/devices/serial/clock.ts';
import { ManualClock } from './support/manual-clock.ts';
import { ScriptedUnit, type HostRequest } from './support/scripted-unit.ts';

const TIMING: LinkTiming = {
  baudRate: 115200,
  maxInFlight: 3,
  maxCommandsPerSecond: 100_000,
  responseTimeoutMs: 25,
  retries: 2,
  deadAfterTimeouts: 100,
  busyRetryDelayMs: 5,
};

async function setup(timing: Partial<LinkTiming> = {}, clock?: Clock) {
  const world = new FakeSerialWorld({ maxReadSize: 5 });
  const unit = new ScriptedUnit(world.attach('/dev/fake0'));
  const port = await world.open('/dev/fake0', { baudRate: 115200 });
  const link = new UnitLink(port, { ...TIMING, ...timing }, clock ? { clock } : {});
  const closed: BridgeError[] = [];
  link.on('closed', (e) => closed.push(e));
  link.start();
  return { world, unit, link, closed };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('UnitLink request/response matching', () => {
  it('matches answers by tag, whatever order they come in', async () => {
    const { unit, link } = await setup();
    const held: HostRequest[] = [];
    unit.handler = (r, u) => {
      held.push(r);
      if (held.length === 3) for (const h of held.reverse()) u.send(`${h.tag} ACK GET ${h.args[0]} ${Number.parseInt(h.args[0] as string, 16) * 10}`);
    };
    const answers = await Promise.all(['01', '02', '03'].map((a) => link.request('GET', [a])));
    expect(answers.map((a) => a.args)).toEqual([
      ['01', '10'],
      ['02', '20'],
      ['03', '30'],
    ]);
    await link.close();
  });

  it('retries a timeout with a fresh tag, and a late answer to the old tag still counts', async () => {
    const { unit, link } = await setup();
    unit.handler = (r, u) => {
      // Ignore the first send; answer the retry by the FIRST tag (the original answer was just slow).
      if (u.requests.length === 2) u.send(`${(u.requests[0] as HostRequest).tag} ACK PING`);
    };
    await expect(link.request('PING')).resolves.toEqual({ verb: 'PING', args: [] });
    expect(new Set(unit.requests.map((r) => r.tag)).size).toBe(2);
    expect(link.stats).toMatchObject({ timeouts: 1, retries: 1 });
    await link.close();
  });

  it('gives up after the retries with E_SERIAL_TIMEOUT, each attempt under a new tag', async () => {
    const { unit, link } = await setup();
    unit.handler = () => {};
    await expect(link.request('SET', ['10', 1])).rejects.toMatchObject({ code: 'E_SERIAL_TIMEOUT', details: { attempts: 3 } });
    expect(new Set(unit.requests.map((r) => r.tag)).size).toBe(3);
    await link.close();
  });

  it('retries a BUSY NAK, fails a BAD_VALUE NAK at once with its code', async () => {
    const { unit, link } = await setup();
    unit.handler = (r, u) => {
      if (r.args[0] === '10') u.send(u.requests.filter((x) => x.args[0] === '10').length === 1 ? `${r.tag} NAK 08 BUSY` : `${r.tag} ACK SET 10 1`);
      else u.send(`${r.tag} NAK 06 BAD_VALUE`);
    };
    await expect(link.request('SET', ['10', 1])).resolves.toMatchObject({ args: ['10', '1'] });
    const err = await link.request('SET', ['11', 99]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SERIAL_NAK', details: { nak: 6, reason: 'BAD_VALUE', attempts: 1 } });
    await link.close();
  });

  it('re-sends after corrupted answers, then reports E_SERIAL_CHECKSUM', async () => {
    const { unit, link } = await setup();
    unit.handler = (r, u) => u.sendCorrupt(`${r.tag} ACK PING`);
    await expect(link.request('PING')).rejects.toMatchObject({ code: 'E_SERIAL_CHECKSUM', details: { attempts: 3 } });
    expect(link.stats.checksumErrors).toBe(3);
    // One good answer later and the link works again.
    unit.handler = (r, u) => u.send(`${r.tag} ACK PING`);
    await expect(link.request('PING')).resolves.toMatchObject({ verb: 'PING' });
    await link.close();
  });

  it('an untagged CHECKSUM NAK re-sends the oldest outstanding request', async () => {
    const { unit, link } = await setup();
    unit.handler = (r, u) => {
      if (u.requests.length === 1) u.send('00 NAK 01 CHECKSUM');
      else u.send(`${r.tag} ACK GET 20 7`);
    };
    await expect(link.request('GET', ['20'])).resolves.toMatchObject({ args: ['20', '7'] });
    expect(unit.requests).toHaveLength(2);
    expect(link.stats.timeouts).toBe(0);
    await link.close();
  });

  it('ignores answers whose tag is unknown or whose address does not match the request', async () => {
    const { unit, link } = await setup();
    unit.handler = (r, u) => {
      // A tag nobody asked with (the link starts at a random tag: never this request's own).
      u.send(`${r.tag === '7E' ? '7F' : '7E'} ACK GET ${r.args[0]} 1`);
      u.send(`${r.tag} ACK GET 99 1`); // right tag, wrong address: a late answer to a reused tag
      u.send(`${r.tag} ACK GET ${r.args[0]} 5`);
    };
    await expect(link.request('GET', ['30'])).resolves.toMatchObject({ args: ['30', '5'] });
    expect(link.stats.staleReplies).toBe(2);
    await link.close();
  });

  it('never has more than maxInFlight requests outstanding on the wire', async () => {
    const { unit, link } = await setup({ maxInFlight: 2 });
    const held: HostRequest[] = [];
    let peak = 0;
    unit.handler = (r) => {
      held.push(r);
      peak = Math.max(peak, held.length);
    };
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => link.request('GET', [String(10 + i)])));
    for (let answered = 0; answered < 10; ) {
      // Let the link send all it is allowed to, then answer everything the unit holds.
      for (let i = 0; i < 10; i++) await tick();
      for (const r of held.splice(0)) {
        unit.send(`${r.tag} ACK GET ${r.args[0]} 0`);
        answered++;
      }
    }
    await all;
    expect(peak).toBe(2);
    expect(unit.requests).toHaveLength(10);
    await link.close();
  });

  it('keeps to the command rate the profile allows (manual clock)', async () => {
    const clock = new ManualClock();
    const { unit, link } = await setup({ maxCommandsPerSecond: 10, maxInFlight: 4, responseTimeoutMs: 10_000 }, clock);
    const p = Promise.all([link.request('PING'), link.request('PING'), link.request('PING')]);
    for (let i = 0; i < 5; i++) await tick();
    expect(unit.requests).toHaveLength(1);
    clock.advance(99);
    for (let i = 0; i < 5; i++) await tick();
    expect(unit.requests).toHaveLength(1);
    clock.advance(1);
    for (let i = 0; i < 5; i++) await tick();
    expect(unit.requests).toHaveLength(2);
    clock.advance(100);
    await p;
    expect(unit.requests).toHaveLength(3);
    await link.close();
  });
});

describe('UnitLink unsolicited frames and lifecycle', () => {
  it('emits notifications, meters and the boot banner; counts noise', async () => {
    const { unit, link } = await setup();
    const seen: unknown[] = [];
    link.on('notify', (n) => seen.push(['ntf', n]));
    link.on('meter', (m) => seen.push(['mtr', m]));
    link.on('boot', (b) => seen.push(['boot', b.serial, b.boot]));
    unit.sendRaw('\x00\xffnoise');
    unit.send('00 NTF 16 14');
    unit.send('00 MTR F0 35');
    unit.send('00 BOOT model=HB-BC2 vendor=H fw=1 serial=S1 proto=1 params=8 boot=9');
    await link.request('PING');
    expect(seen).toEqual([
      ['ntf', { address: 0x16, raw: 14 }],
      ['mtr', { address: 0xf0, raw: 35 }],
      ['boot', 'S1', 9],
    ]);
    expect(link.stats.noiseBytes).toBe(7);
    await link.close();
  });

  it('declares a silent unit gone after deadAfterTimeouts and releases the port', async () => {
    const { world, unit, link, closed } = await setup({ deadAfterTimeouts: 2, retries: 5 });
    unit.handler = () => {};
    await expect(link.request('PING')).rejects.toMatchObject({ code: 'E_SERIAL_CLOSED', details: { reason: 'E_SERIAL_TIMEOUT' } });
    expect(closed.map((e) => e.code)).toEqual(['E_SERIAL_TIMEOUT']);
    await link.close();
    expect(world.openHandles.size).toBe(0);
  });

  it('an unplug closes the link with E_DEVICE_DISCONNECTED and fails what was pending', async () => {
    const { world, unit, link, closed } = await setup({ responseTimeoutMs: 5000 });
    unit.handler = () => {};
    const pending = link.request('PING');
    await tick();
    world.device('/dev/fake0')?.unplug();
    await expect(pending).rejects.toMatchObject({ code: 'E_SERIAL_CLOSED', details: { reason: 'E_DEVICE_DISCONNECTED' } });
    expect(closed.map((e) => e.code)).toEqual(['E_DEVICE_DISCONNECTED']);
    await expect(link.request('PING')).rejects.toMatchObject({ code: 'E_SERIAL_CLOSED' });
    await link.close();
  });

  it('close() fails outstanding requests with E_SERIAL_CLOSED, emits closed once, leaves no handle open', async () => {
    const { world, unit, link, closed } = await setup({ responseTimeoutMs: 5000 });
    unit.handler = () => {};
    const pending = [link.request('PING'), link.request('GET', ['10'])].map((p) => p.catch((e: unknown) => e));
    await tick();
    await link.close();
    await link.close();
    for (const p of pending) expect(await p).toMatchObject({ code: 'E_SERIAL_CLOSED' });
    expect(closed).toHaveLength(1);
    expect(world.openHandles.size).toBe(0);
  });
});
