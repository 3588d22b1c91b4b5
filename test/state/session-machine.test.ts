import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/state/backoff.ts';
import { createSessionMachine } from '../../src/state/session-machine.ts';

const devices = [
  { id: 'eq1', kind: 'outboard' as const, required: true },
  { id: 'xtouch', kind: 'surface' as const, required: false },
];

function startActor() {
  const clock = new SimulatedClock();
  const retries: { id: string; at: number }[] = [];
  const machine = createSessionMachine(devices).provide({
    actors: { startup: fromPromise(async () => {}) },
    actions: { retryDevice: (_a, p: { id: string }) => retries.push({ id: p.id, at: clock.now() }) },
  });
  const actor = createActor(machine, { input: { devices }, clock });
  actor.start();
  return { actor, clock, retries };
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
}

describe('backoff', () => {
  it('doubles from 1 s and caps at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });
});

describe('session machine', () => {
  it('starts, reaches ready and is degraded while a required device is not online', async () => {
    const { actor } = startActor();
    expect(actor.getSnapshot().matches('starting')).toBe(true);
    await settle();
    const s = actor.getSnapshot();
    expect(s.matches({ ready: { health: 'degraded' } })).toBe(true);
    actor.send({ type: 'device.online', id: 'xtouch' });
    expect(actor.getSnapshot().matches({ ready: { health: 'degraded' } })).toBe(true); // optional device
    actor.send({ type: 'device.online', id: 'eq1' });
    expect(actor.getSnapshot().matches({ ready: { health: 'healthy' } })).toBe(true);
    actor.send({ type: 'device.lost', id: 'xtouch', reason: 'unplugged' });
    expect(actor.getSnapshot().matches({ ready: { health: 'healthy' } })).toBe(true);
    actor.send({ type: 'device.fault', id: 'eq1', reason: 'fault: boom' });
    const after = actor.getSnapshot();
    expect(after.matches({ ready: { health: 'degraded', devices: { device_eq1: 'reconnecting' } } })).toBe(true);
    expect(after.context.devices.eq1?.reason).toBe('fault: boom');
  });

  it('retries a lost device with capped exponential backoff and resets after it is back', async () => {
    const { actor, clock, retries } = startActor();
    await settle();
    actor.send({ type: 'device.online', id: 'eq1' });
    actor.send({ type: 'device.lost', id: 'eq1', reason: 'unplugged' });
    // Each failed retry lands back in reconnecting with a longer wait.
    const waits = [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000];
    let t = 0;
    for (const [i, w] of waits.entries()) {
      clock.increment(w - 1);
      expect(retries.length).toBe(i);
      clock.increment(1);
      t += w;
      expect(retries.at(-1)).toEqual({ id: 'eq1', at: t });
      expect(actor.getSnapshot().matches({ ready: { devices: { device_eq1: 'connecting' } } })).toBe(true);
      actor.send({ type: 'device.lost', id: 'eq1', reason: 'no answer' });
    }
    expect(actor.getSnapshot().context.devices.eq1?.attempts).toBe(9);
    actor.send({ type: 'device.online', id: 'eq1' });
    expect(actor.getSnapshot().context.devices.eq1?.attempts).toBe(0);
    actor.send({ type: 'device.lost', id: 'eq1' });
    const before = retries.length;
    clock.increment(1000);
    expect(retries.length).toBe(before + 1); // back to 1 s after a good connection
  });

  it('ignores events for other devices and unknown ids', async () => {
    const { actor } = startActor();
    await settle();
    actor.send({ type: 'device.online', id: 'nope' });
    const s = actor.getSnapshot();
    expect(s.matches({ ready: { devices: { device_eq1: 'absent', device_xtouch: 'absent' } } })).toBe(true);
    expect(Object.keys(s.context.devices)).toEqual(['eq1', 'xtouch']);
  });

  it('goes to failed with the reason when startup fails', async () => {
    const machine = createSessionMachine(devices).provide({
      actors: {
        startup: fromPromise<void, void>(async () => {
          throw new Error('data dir locked');
        }),
      },
    });
    const actor = createActor(machine, { input: { devices } }).start();
    await settle();
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.error).toBe('data dir locked');
  });

  it('stops through stopping to stopped', async () => {
    let stopped = false;
    const machine = createSessionMachine([]).provide({
      actors: {
        shutdown: fromPromise(async () => {
          stopped = true;
        }),
      },
    });
    const actor = createActor(machine, { input: { devices: [] } }).start();
    await settle();
    expect(actor.getSnapshot().matches({ ready: { health: 'healthy' } })).toBe(true);
    actor.send({ type: 'session.stop' });
    expect(actor.getSnapshot().value).toBe('stopping');
    await settle();
    expect(actor.getSnapshot().value).toBe('stopped');
    expect(stopped).toBe(true);
  });

  it('rejects duplicate device ids', () => {
    expect(() => createSessionMachine([devices[0]!, devices[0]!])).toThrow(TypeError);
  });
});
