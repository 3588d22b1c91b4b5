import { describe, expect, it } from 'vitest';
import type { OutboardUnitConfig } from '../../../src/config/sections/outboard.ts';
import type { DeviceStatus } from '../../../src/devices/device-status.ts';
import { FakeSerialWorld } from '../../../src/devices/serial/fake-serial.ts';
import { OutboardManager } from '../../../src/devices/serial/outboard-manager.ts';
import { silentLogger } from '../../../src/logger.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import { attachFirmware } from './support/fake-firmware.ts';
import { ManualClock } from './support/manual-clock.ts';
import { waitFor } from './support/studio.ts';


const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

const UNIT: OutboardUnitConfig = { id: 'comp1', profile: 'hb-bc2', serial: 'BC-FAKE', port: '/dev/fake0', baudRate: 115200, required: true, onPowerCycle: 'resend' };

function rig() {
  const world = new FakeSerialWorld({ maxReadSize: 16 });
  const clock = new ManualClock();
  const store = new ParamStore();
  const statuses: [DeviceStatus, string | undefined][] = [];
  let attempts = 0;
  const manager = new OutboardManager({
    store,
    units: [UNIT],
    profilesDir: 'config/gear',
    log: silentLogger(),
    report: (_id, status, reason) => statuses.push([status, reason]),
    opener: world,
    clock,
    // Counts the search attempts: the finder asks once per attempt.
    resolvePort: () => {
      attempts++;
      return [];
    },
    timing: { scanSystemPorts: false },
  });
  return { world, clock, store, statuses, manager, attempts: () => attempts };
}

describe('unit driver lifecycle on a fake port and a fake clock', () => {
  it('retries with capped exponential backoff (1 s .. 60 s) and resets it after a good handshake', async () => {
    const r = rig();
    await r.manager.start();
    // Between attempts exactly one timer exists on the fake clock: the backoff sleep.
    const armed = (): Promise<void> => waitFor('backoff sleep armed', () => r.clock.pending === 1);
    await armed();
    expect(r.attempts()).toBe(1);
    expect(r.statuses.at(-1)?.[0]).toBe('absent');
    const gaps = [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000];
    for (const gap of gaps) {
      const before = r.attempts();
      r.clock.advance(gap - 1);
      await flush();
      expect(r.attempts(), `before ${gap} ms`).toBe(before);
      r.clock.advance(1);
      await waitFor(`attempt after a ${gap} ms wait`, () => r.attempts() === before + 1);
      await armed();
    }
    // The unit appears: found on the next attempt, handshake, online.
    const fw = attachFirmware(r.world.attach('/dev/fake0'), 'comp', 'BC-FAKE');
    r.clock.advance(60000);
    // The firmware answers in real time; let the driver's clock run along (its rate limiter waits on it).
    for (const until = Date.now() + 20_000; Date.now() < until && r.manager.units()[0]?.status !== 'online'; ) {
      r.clock.advance(1);
      await new Promise((res) => setTimeout(res, 2));
    }
    expect(r.manager.units()[0]?.status).toBe('online');
    expect(r.manager.identity('comp1')).toMatchObject({ model: 'HB-BC2', serial: 'BC-FAKE' });
    expect(r.store.get('outboard.comp1.ratio')).toBe(fw.values().ratio);
    // Unplugged: the next attempt comes after the first step again (1 s), not 60 s.
    r.world.device('/dev/fake0')?.unplug();
    await waitFor('reconnecting', () => r.manager.units()[0]?.status === 'reconnecting');
    await waitFor('backoff sleep armed', () => r.clock.pending === 1);
    const before = r.attempts();
    r.clock.advance(999);
    await flush();
    expect(r.attempts()).toBe(before);
    r.clock.advance(1);
    await waitFor('attempt after 1 s', () => r.attempts() === before + 1);
    await r.manager.stop();
    expect(r.world.openHandles.size).toBe(0);
    expect(r.clock.pending).toBe(0);
  });

  it('a unit of another model under the configured serial is refused with E_SERIAL_IDENTITY as the reason', async () => {
    const r = rig();
    attachFirmware(r.world.attach('/dev/fake0'), 'eq', 'BC-FAKE'); // an EQ wearing the compressor's serial
    await r.manager.start();
    await waitFor('refused', () => r.statuses.some(([, why]) => /handshake failed: comp1: unit is a HB-SEQ4/.test(why ?? '')));
    expect(r.manager.units()[0]?.status).not.toBe('online');
    await r.manager.stop();
    expect(r.world.openHandles.size).toBe(0);
  });

  it('a profile error stops start() with every problem, before anything is registered', async () => {
    const store = new ParamStore();
    const manager = new OutboardManager({
      store,
      units: [{ ...UNIT, profile: 'does-not-exist' }],
      profilesDir: 'config/gear',
      log: silentLogger(),
      report: () => {},
      opener: new FakeSerialWorld(),
    });
    await expect(manager.start()).rejects.toMatchObject({ code: 'E_GEAR_PROFILE' });
    expect(store.ids()).toEqual([]);
    expect(() => new OutboardManager({ store, units: [UNIT, { ...UNIT, id: 'comp2' }], profilesDir: 'config/gear', log: silentLogger(), report: () => {} })).toThrow(/serial "BC-FAKE" appears twice/);
  });
});
