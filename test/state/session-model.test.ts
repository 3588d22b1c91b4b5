import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import type { DeviceDescriptor } from '../../src/devices/device-status.ts';
import { createSessionTestModelMachine, describeState } from '../../src/state/session-machine.ts';
import { makeDaemon, type Fixture } from '../support/daemon-fixture.ts';
import { FakeDriver } from '../support/fake-driver.ts';

/**
 * Model-based test: every shortest path through the session chart is replayed against a
 * real Daemon (DeviceHub, session actor, HTTP API) whose only fake is the driver at the
 * hardware edge. After each step the daemon's state, as the HTTP API reports it, must equal
 * the model's.
 */
const devices: DeviceDescriptor[] = [
  { id: 'eq1', kind: 'outboard', required: true },
  { id: 'xtouch', kind: 'surface', required: false },
];
const CONFIG = `outboard:
  - { id: eq1, profile: stepped-eq, serial: SEQ-1, port: sim }
surfaces:
  - { id: xtouch, type: mcu, match: X-Touch, map: xtouch-mastering }
audio:
  backend: none
`;

const model = createTestModel(createSessionTestModelMachine(devices), {
  input: { devices },
  events: [
    { type: 'xstate.done.actor.startup' },
    { type: 'xstate.error.actor.startup' },
    ...devices.flatMap((d) =>
      (['device.connecting', 'device.online', 'device.lost', 'device.absent'] as const).map((type) => ({ type, id: d.id })),
    ),
    { type: 'session.stop' },
    { type: 'xstate.done.actor.shutdown' },
  ],
  filterEvents: (_s, e) => ['device.', 'session.stop', 'xstate.done.actor.s', 'xstate.error.actor.startup'].some((p) => e.type.startsWith(p)),
  // Context carries counters (reconnect attempts) that would make the graph infinite.
  serializeState: (s) => JSON.stringify(s.value),
});

// Paths contained in longer ones are dropped: every state is still asserted along the way.
const paths = model.getShortestPaths();

describe('session machine against the real daemon (model-based)', () => {
  it('covers every state of the chart', () => {
    const seen = new Set(model.getShortestPaths({ allowDuplicatePaths: true }).map((p) => JSON.stringify(p.state.value)));
    // 4 x 4 device states in ready, plus starting, stopping, stopped, failed.
    expect(seen.size).toBe(16 + 4);
    const visited = new Set(paths.flatMap((p) => p.steps.map((s) => JSON.stringify(s.state.value))));
    expect(visited.size).toBe(16 + 4);
  });

  for (const testPath of paths) {
    it(testPath.description, async () => {
      let fx: Fixture | undefined;
      let driver: FakeDriver | undefined;
      try {
        fx = await makeDaemon(CONFIG, {
          backoff: { initialMs: 600_000, maxMs: 600_000, factor: 1 }, // no timer fires inside a test
          buildParts: (d) => [(driver = new FakeDriver(d.hub, ['eq1', 'xtouch']))],
        });
        const daemon = fx.daemon;
        await testPath.test({
          events: {
            'xstate.done.actor.startup': async () => daemon.start(),
            'xstate.error.actor.startup': async () => {
              // Another live daemon (pid 1 stands in for it) holds the data directory.
              await writeFile(path.join(fx?.dataDir ?? '', 'daemon.lock'), '1\n');
              await expect(daemon.start()).rejects.toMatchObject({ code: 'E_DATA_DIR_LOCKED' });
            },
            'device.connecting': ({ event }) => driver?.connecting((event as unknown as { id: string }).id),
            'device.online': ({ event }) => driver?.plug((event as unknown as { id: string }).id),
            'device.lost': ({ event }) => driver?.unplug((event as unknown as { id: string }).id),
            'device.absent': ({ event }) => driver?.remove((event as unknown as { id: string }).id),
            'session.stop': async () => {
              // From `starting`: a stop request while the startup is still running.
              if (daemon.session.getSnapshot().matches('starting')) void daemon.start().catch(() => undefined);
              await daemon.stop();
            },
            'xstate.done.actor.shutdown': async () => {},
          },
          states: {
            '*': async (modelState) => {
              const real = daemon.session.getSnapshot();
              const m = modelState;
              if (m.matches('stopping') || m.matches('stopped')) {
                expect(real.value).toBe('stopped');
                return;
              }
              expect(describeState(real)).toEqual(describeState(m));
              if (m.matches('ready')) {
                // What a script sees over HTTP agrees with the chart.
                const res = await fetch(new URL('/api/state', daemon.url));
                const body = (await res.json()) as { devices: { id: string; status: string }[] };
                const value = describeState(m) as { ready: { devices: Record<string, string> } };
                for (const d of body.devices) expect(d.status).toBe(value.ready.devices[d.id]);
              }
            },
          },
        });
      } finally {
        await fx?.cleanup();
      }
    });
  }
});
