import { createTestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import type { SessionServices } from '../../src/state/session-services.ts';
import { createSessionTestModelMachine, describeState, type CalibrationResult } from '../../src/state/session-machine.ts';
import { makeDaemon, type Fixture } from '../support/daemon-fixture.ts';

/**
 * Model-based test of the calibration, recall and transport regions: every shortest path is
 * replayed against a real Daemon whose session services are deferred fakes that the test
 * resolves or rejects exactly when the model's path says the job ends.
 */
type Ev = { type: string; [k: string]: unknown };

const CAL: CalibrationResult = { latencySamples: 61, gainDb: -0.3, polarity: 1, confidence: 0.99 };
const events: Ev[] = [
  { type: 'xstate.done.actor.startup' },
  { type: 'calibration.start' },
  { type: 'xstate.done.actor.calibrate', output: CAL },
  { type: 'xstate.error.actor.calibrate', error: new Error('no signal') },
  { type: 'calibration.invalidate' },
  { type: 'calibration.loaded', result: CAL },
  { type: 'recall.start', snapshotId: 's1' },
  { type: 'xstate.done.actor.recallApply', output: { applied: 3 } },
  { type: 'xstate.error.actor.recallApply', error: new Error('not found') },
  { type: 'xstate.done.actor.recallVerify', output: { status: 'verified' } },
  { type: 'xstate.done.actor.recallVerify', output: { status: 'mismatch' } },
  { type: 'recall.cancel' },
  { type: 'transport.play' },
  { type: 'transport.stop' },
  { type: 'transport.print', print: { file: '/tmp/p.wav', format: 'pcm24' } },
  { type: 'xstate.done.actor.print', output: { frames: 10 } },
  { type: 'xstate.error.actor.print', error: new Error('xrun') },
];

const model = createTestModel(createSessionTestModelMachine([]), {
  input: { devices: [] },
  events: events as never,
  // Only the events listed above (graph traversal would otherwise add every event the chart knows).
  filterEvents: (_s, e) => events.some((x) => x.type === e.type),
  // The value plus the parts of the context the assertions read (a bounded set).
  serializeState: (s) => {
    const c = s.context as { calibration: { result?: unknown }; recall: { outcome?: { status: string } } };
    return JSON.stringify([s.value, c.calibration.result !== undefined, c.recall.outcome?.status ?? null]);
  },
});
const paths = model.getShortestPaths();

interface Deferred {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  signal: AbortSignal;
}

function fakeServices() {
  const pending = new Map<string, Deferred>();
  const calls: string[] = [];
  const defer = <T>(name: string, signal: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      calls.push(name);
      pending.set(name, { resolve: resolve, reject, signal });
    });
  const services: SessionServices = {
    calibrate: (signal) => defer('calibrate', signal),
    recallApply: (_id, signal) => defer('recallApply', signal),
    recallVerify: (_id, _applied, signal) => defer('recallVerify', signal),
    print: (_req, signal) => defer('print', signal),
    startPlayback: () => void calls.push('startPlayback'),
    stopPlayback: () => void calls.push('stopPlayback'),
  };
  /** Wait until the daemon has invoked the job, then settle it. */
  const settle = async (name: string, ok: boolean, value: unknown): Promise<void> => {
    for (let i = 0; i < 100 && !pending.has(name); i++) await new Promise((r) => setTimeout(r, 1));
    const d = pending.get(name);
    if (!d) throw new Error(`the daemon never invoked ${name}`);
    pending.delete(name);
    if (ok) d.resolve(value);
    else d.reject(value);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { services, settle, pending, calls };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

describe('calibration, recall and transport regions against the real daemon (model-based)', () => {
  it('covers every combination of the three regions', () => {
    const seen = new Set(model.getShortestPaths({ allowDuplicatePaths: true }).map((p) => JSON.stringify(p.state.value)));
    // calibration 4 x recall 4 x transport 3 in ready, plus starting.
    expect(seen.size).toBe(4 * 4 * 3 + 1);
  });

  for (const testPath of paths) {
    it(testPath.description, async () => {
      let fx: Fixture | undefined;
      const fake = fakeServices();
      try {
        fx = await makeDaemon('audio: { backend: none }\n', { buildParts: () => [], services: fake.services });
        const d = fx.daemon;
        const send = (e: Ev) => {
          d.session.send(e as never);
          return settled();
        };
        await testPath.test({
          events: {
            'xstate.done.actor.startup': async () => d.start(),
            'calibration.start': ({ event }) => send(event),
            'calibration.invalidate': ({ event }) => send(event),
            'calibration.loaded': ({ event }) => send(event),
            'recall.start': ({ event }) => send(event),
            'recall.cancel': async ({ event }) => {
              const job = fake.pending.get('recallApply') ?? fake.pending.get('recallVerify');
              await send(event);
              expect(job?.signal.aborted).toBe(true); // leaving the state aborts the job
            },
            'transport.play': ({ event }) => send(event),
            'transport.stop': async ({ event }) => {
              const job = fake.pending.get('print');
              await send(event);
              if (job) expect(job.signal.aborted).toBe(true);
            },
            'transport.print': ({ event }) => send(event),
            'xstate.done.actor.calibrate': ({ event }) => fake.settle('calibrate', true, (event as unknown as { output: unknown }).output),
            'xstate.error.actor.calibrate': () => fake.settle('calibrate', false, new Error('no signal')),
            'xstate.done.actor.recallApply': ({ event }) => fake.settle('recallApply', true, (event as unknown as { output: unknown }).output),
            'xstate.error.actor.recallApply': () => fake.settle('recallApply', false, new Error('not found')),
            'xstate.done.actor.recallVerify': ({ event }) => fake.settle('recallVerify', true, (event as unknown as { output: unknown }).output),
            'xstate.done.actor.print': ({ event }) => fake.settle('print', true, (event as unknown as { output: unknown }).output),
            'xstate.error.actor.print': () => fake.settle('print', false, new Error('xrun')),
          },
          states: {
            '*': (m) => {
              const real = d.session.getSnapshot();
              expect(describeState(real)).toEqual(describeState(m));
              const mc = m.context as typeof real.context;
              expect(real.context.calibration.result).toEqual(mc.calibration.result);
              expect(real.context.recall.outcome).toEqual(mc.recall.outcome);
              // The player runs exactly while the transport is `playing`.
              const starts = fake.calls.filter((c) => c === 'startPlayback').length;
              const stops = fake.calls.filter((c) => c === 'stopPlayback').length;
              expect(starts - stops).toBe(m.matches({ ready: { transport: 'playing' } }) ? 1 : 0);
            },
          },
        });
      } finally {
        await fx?.cleanup();
      }
    });
  }
});
