import { assign, createMachine, fromCallback, fromPromise, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import type { DeviceDescriptor, DeviceKind, DeviceStatus } from '../devices/device-status.ts';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';

/**
 * The session statechart: one owner of the daemon's lifecycle.
 *
 *   starting ──startup done──► ready ──session.stop──► stopping ──► stopped
 *      └──startup error──► failed
 *
 * `ready` is parallel: `devices` holds one region per configured device
 * (absent / connecting / online / reconnecting), `health` is healthy or degraded
 * (degraded while any *required* device is not online). Device regions are built
 * from the config, so their number is known only at construction.
 *
 * Drivers own their transports and report what they see (`device.*` events).
 * The machine owns the reconnect policy: in `reconnecting` it waits a capped,
 * growing delay and then asks the driver to retry (`retryDevice`), which lands
 * back in `connecting`. The attempt count resets when the device comes online.
 */

export interface DeviceState {
  readonly id: string;
  readonly kind: DeviceKind;
  readonly required: boolean;
  readonly status: DeviceStatus;
  readonly reason: string;
  /** Reconnect attempts since the device was last online. */
  readonly attempts: number;
}

/** What a calibration of the hardware insert found (see src/engine/insert/). */
export interface CalibrationResult {
  readonly latencySamples: number;
  readonly gainDb: number;
  readonly polarity: 1 | -1;
  readonly confidence: number;
}

/** The outcome of a recall's verification (see src/state/recall/). */
export interface RecallOutcome {
  readonly status: 'verified' | 'mismatch';
}

export interface PrintRequest {
  readonly file: string;
  readonly format: 'pcm24' | 'float32';
  /** Part of the source to print, in frames (default: all of it). */
  readonly region?: { readonly startFrame: number; readonly endFrame: number };
}

export interface SessionContext {
  readonly devices: Readonly<Record<string, DeviceState>>;
  readonly error: string | undefined;
  readonly calibration: { readonly result: CalibrationResult | undefined; readonly error: string | undefined };
  readonly recall: {
    readonly snapshotId: string | undefined;
    readonly applied: unknown;
    readonly outcome: RecallOutcome | undefined;
    readonly error: string | undefined;
  };
  readonly transport: { readonly print: PrintRequest | undefined; readonly lastPrint: unknown; readonly error: string | undefined };
}

export interface SessionInput {
  readonly devices: readonly DeviceDescriptor[];
}

type DeviceEventType = 'device.connecting' | 'device.online' | 'device.lost' | 'device.absent';

export type SessionEvent =
  | { type: DeviceEventType; id: string; reason?: string }
  | { type: 'device.fault'; id: string; reason: string }
  | { type: 'session.stop' }
  /** A stored calibration for the current route was found at start. */
  | { type: 'calibration.loaded'; result: CalibrationResult }
  | { type: 'calibration.start' }
  /** The route (interface, channels, rate, block size) changed: the stored result no longer applies. */
  | { type: 'calibration.invalidate' }
  | { type: 'recall.start'; snapshotId: string }
  | { type: 'recall.cancel' }
  | { type: 'transport.play' }
  | { type: 'transport.stop' }
  | { type: 'transport.print'; print: PrintRequest };

export interface SessionMachineOptions {
  backoff?: BackoffPolicy;
}

const statusOf: Record<DeviceEventType | 'device.fault', DeviceStatus> = {
  'device.connecting': 'connecting',
  'device.online': 'online',
  'device.lost': 'reconnecting',
  'device.fault': 'reconnecting',
  'device.absent': 'absent',
};

function regionId(id: string): string {
  return `device_${id}`;
}

export function createSessionMachine(devices: readonly DeviceDescriptor[], options: SessionMachineOptions = {}) {
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const ids = devices.map((d) => d.id);
  if (new Set(ids).size !== ids.length) throw new TypeError(`duplicate device ids: ${ids.join(', ')}`);

  const delays: Record<string, (args: { context: SessionContext }) => number> = {};
  for (const id of ids) {
    delays[`backoff_${id}`] = ({ context }) => backoffDelayMs(context.devices[id]?.attempts ?? 1, policy);
  }

  const base = setup({
    types: {
      context: {} as SessionContext,
      events: {} as SessionEvent,
      input: {} as SessionInput,
    },
    actors: {
      /** One-shot start of the daemon's parts (data dir, sims, engine, server). Provided by the daemon. */
      startup: fromPromise<void, void>(async () => {}),
      /** One-shot orderly stop of everything. Provided by the daemon. */
      shutdown: fromPromise<void, void>(async () => {}),
      /** Long-lived while `ready`: forwards device reports into the machine. Provided by the daemon. */
      deviceReports: fromCallback<SessionEvent>(() => () => {}),
      /** Measure the insert's round trip. Provided by the daemon (audio backend). */
      calibrate: fromPromise<CalibrationResult, void>(async () => {
        throw new Error('no audio backend');
      }),
      /** Set the digital chain and the outboard units from a snapshot. Provided by the daemon. */
      recallApply: fromPromise<unknown, { snapshotId: string }>(async () => {
        throw new Error('no snapshot store');
      }),
      /** Read the units back and compare with the snapshot. Provided by the daemon. */
      recallVerify: fromPromise<RecallOutcome, { snapshotId: string; applied: unknown }>(async () => {
        throw new Error('no snapshot store');
      }),
      /** Record the chain's output to a file until the source ends or the print is stopped. */
      print: fromPromise<unknown, PrintRequest>(async () => {
        throw new Error('no audio backend');
      }),
    },
    actions: {
      recordDevice: assign(({ context, event }) => {
        if (!('id' in event)) return {};
        const prev = context.devices[event.id];
        if (!prev) return {};
        const status = statusOf[event.type as DeviceEventType];
        const reason = 'reason' in event && event.reason !== undefined ? event.reason : status === 'online' ? '' : prev.reason;
        return { devices: { ...context.devices, [event.id]: { ...prev, status, reason } } };
      }),
      countAttempt: assign(({ context }, params: { id: string }) => {
        const prev = context.devices[params.id];
        if (!prev) return {};
        return { devices: { ...context.devices, [params.id]: { ...prev, attempts: prev.attempts + 1 } } };
      }),
      resetAttempts: assign(({ context }, params: { id: string }) => {
        const prev = context.devices[params.id];
        if (!prev) return {};
        return { devices: { ...context.devices, [params.id]: { ...prev, attempts: 0 } } };
      }),
      markConnecting: assign(({ context }, params: { id: string }) => {
        const prev = context.devices[params.id];
        if (!prev) return {};
        return { devices: { ...context.devices, [params.id]: { ...prev, status: 'connecting' as const } } };
      }),
      /** Ask the driver to try again now. Provided by the daemon. */
      retryDevice: (_args, _params: { id: string }) => {},
      recordStartupError: assign(({ event }) => ({ error: errorText((event as { error?: unknown }).error) })),
      recordCalibration: assign(({ event }) => ({
        calibration: { result: (event as { output?: CalibrationResult; result?: CalibrationResult }).output ?? (event as { result?: CalibrationResult }).result, error: undefined },
      })),
      recordCalibrationError: assign(({ context, event }) => ({
        calibration: { result: context.calibration.result, error: errorText((event as { error?: unknown }).error) },
      })),
      beginRecall: assign(({ event }) => ({
        recall: { snapshotId: (event as { snapshotId?: string }).snapshotId, applied: undefined, outcome: undefined, error: undefined },
      })),
      recordApplied: assign(({ context, event }) => ({ recall: { ...context.recall, applied: (event as { output?: unknown }).output } })),
      recordOutcome: assign(({ context, event }) => ({ recall: { ...context.recall, outcome: (event as { output?: RecallOutcome }).output } })),
      recordRecallError: assign(({ context, event }) => ({ recall: { ...context.recall, error: errorText((event as { error?: unknown }).error) } })),
      beginPrint: assign(({ event }) => ({ transport: { print: (event as { print?: PrintRequest }).print, lastPrint: undefined, error: undefined } })),
      recordPrint: assign(({ context, event }) => ({ transport: { ...context.transport, lastPrint: (event as { output?: unknown }).output } })),
      recordPrintError: assign(({ context, event }) => ({ transport: { ...context.transport, error: errorText((event as { error?: unknown }).error) } })),
      /** Start/stop the source player and the monitor outs. Provided by the daemon. */
      startPlayback: () => {},
      stopPlayback: () => {},
    },
    guards: {
      isDevice: ({ event }, params: { id: string }) => 'id' in event && event.id === params.id,
      requiredDeviceDown: ({ context }) => Object.values(context.devices).some((d) => d.required && d.status !== 'online'),
      allRequiredOnline: ({ context }) => Object.values(context.devices).every((d) => !d.required || d.status === 'online'),
      hadCalibration: ({ context }) => context.calibration.result !== undefined,
      recallVerified: ({ event }) => (event as { output?: RecallOutcome }).output?.status === 'verified',
    },
    delays,
  });

  const deviceRegion = (id: string) => {
    const p = { id };
    const to = (target: string, type: DeviceEventType | 'device.fault') => ({
      [type]: { guard: { type: 'isDevice' as const, params: p }, target, actions: 'recordDevice' as const },
    });
    return {
      initial: 'absent' as const,
      states: {
        absent: {
          description: 'Not found on any port it may appear on.',
          on: { ...to('connecting', 'device.connecting'), ...to('online', 'device.online'), ...to('reconnecting', 'device.lost') },
        },
        connecting: {
          on: {
            ...to('online', 'device.online'),
            ...to('reconnecting', 'device.lost'),
            ...to('reconnecting', 'device.fault'),
            ...to('absent', 'device.absent'),
          },
        },
        online: {
          entry: { type: 'resetAttempts' as const, params: p },
          on: { ...to('reconnecting', 'device.lost'), ...to('reconnecting', 'device.fault'), ...to('absent', 'device.absent') },
        },
        reconnecting: {
          description: 'Lost or faulted; waits a capped growing delay, then asks the driver to retry.',
          entry: { type: 'countAttempt' as const, params: p },
          after: {
            [`backoff_${id}`]: {
              target: 'connecting',
              actions: [
                { type: 'markConnecting' as const, params: p },
                { type: 'retryDevice' as const, params: p },
              ],
            },
          },
          on: { ...to('online', 'device.online'), ...to('connecting', 'device.connecting'), ...to('absent', 'device.absent') },
        },
      },
    };
  };

  const deviceStates = Object.fromEntries(ids.map((id) => [regionId(id), deviceRegion(id)]));

  const machine = base.createMachine({
    id: 'session',
    context: ({ input }) => ({
      devices: Object.fromEntries(
        input.devices.map((d) => [d.id, { id: d.id, kind: d.kind, required: d.required, status: 'absent' as const, reason: '', attempts: 0 }]),
      ),
      error: undefined,
      calibration: { result: undefined, error: undefined },
      recall: { snapshotId: undefined, applied: undefined, outcome: undefined, error: undefined },
      transport: { print: undefined, lastPrint: undefined, error: undefined },
    }),
    initial: 'starting',
    states: {
      starting: {
        invoke: { id: 'startup', src: 'startup', onDone: 'ready', onError: { target: 'failed', actions: 'recordStartupError' } },
        on: { 'session.stop': 'stopping' },
      },
      ready: {
        type: 'parallel',
        invoke: { id: 'deviceReports', src: 'deviceReports' },
        on: { 'session.stop': 'stopping' },
        states: {
          devices: { type: 'parallel', states: deviceStates },
          health: {
            initial: 'healthy',
            states: {
              healthy: { always: { guard: 'requiredDeviceDown', target: 'degraded' } },
              degraded: {
                description: 'A required device is not online; everything else keeps working.',
                always: { guard: 'allRequiredOnline', target: 'healthy' },
              },
            },
          },
          calibration: {
            description: 'The hardware insert round trip (latency, gain, polarity) for the current route.',
            initial: 'none',
            states: {
              none: { on: { 'calibration.start': 'measuring', 'calibration.loaded': { target: 'valid', actions: 'recordCalibration' } } },
              measuring: {
                invoke: {
                  id: 'calibrate',
                  src: 'calibrate',
                  onDone: { target: 'valid', actions: 'recordCalibration' },
                  onError: [
                    { guard: 'hadCalibration', target: 'stale', actions: 'recordCalibrationError' },
                    { target: 'none', actions: 'recordCalibrationError' },
                  ],
                },
              },
              valid: { on: { 'calibration.start': 'measuring', 'calibration.invalidate': 'stale' } },
              stale: {
                description: 'A result exists but was measured on another route; compensation uses it until re-measured.',
                on: { 'calibration.start': 'measuring', 'calibration.loaded': { target: 'valid', actions: 'recordCalibration' } },
              },
            },
          },
          recall: {
            initial: 'idle',
            states: {
              idle: { on: { 'recall.start': { target: 'recalling', actions: 'beginRecall' } } },
              recalling: {
                description: 'Setting the digital chain and every recallable unit.',
                invoke: {
                  id: 'recallApply',
                  src: 'recallApply',
                  input: ({ context }) => ({ snapshotId: context.recall.snapshotId ?? '' }),
                  onDone: { target: 'verifying', actions: 'recordApplied' },
                  onError: { target: 'idle', actions: 'recordRecallError' },
                },
                on: { 'recall.cancel': 'idle' },
              },
              verifying: {
                description: 'Reading the units back and comparing with the snapshot.',
                invoke: {
                  id: 'recallVerify',
                  src: 'recallVerify',
                  input: ({ context }) => ({ snapshotId: context.recall.snapshotId ?? '', applied: context.recall.applied }),
                  onDone: [
                    { guard: 'recallVerified', target: 'idle', actions: 'recordOutcome' },
                    { target: 'mismatch', actions: 'recordOutcome' },
                  ],
                  onError: { target: 'idle', actions: 'recordRecallError' },
                },
                on: { 'recall.cancel': 'idle' },
              },
              mismatch: {
                description: 'The last recall did not verify; context.recall.outcome has the details.',
                on: { 'recall.start': { target: 'recalling', actions: 'beginRecall' } },
              },
            },
          },
          transport: {
            initial: 'stopped',
            states: {
              stopped: { on: { 'transport.play': 'playing', 'transport.print': { target: 'printing', actions: 'beginPrint' } } },
              playing: { entry: 'startPlayback', exit: 'stopPlayback', on: { 'transport.stop': 'stopped' } },
              printing: {
                description: 'Recording the chain output; stopping early aborts the print.',
                invoke: {
                  id: 'print',
                  src: 'print',
                  input: ({ context }) => context.transport.print ?? { file: '', format: 'pcm24' as const },
                  onDone: { target: 'stopped', actions: 'recordPrint' },
                  onError: { target: 'stopped', actions: 'recordPrintError' },
                },
                on: { 'transport.stop': 'stopped' },
              },
            },
          },
        },
      },
      stopping: {
        invoke: { id: 'shutdown', src: 'shutdown', onDone: 'stopped', onError: 'stopped' },
      },
      stopped: { type: 'final' },
      failed: { type: 'final', description: 'Startup failed; context.error says why.' },
    },
  });
  return machine;
}

/**
 * The same chart with every invocation replaced by the event that ends it
 * (`xstate.done.actor.<id>`) and without delayed transitions: xstate/graph cannot traverse
 * invocations or timers, and the model-based tests need the structure, not the actors.
 */
export function createSessionTestModelMachine(devices: readonly DeviceDescriptor[]) {
  const machine = createSessionMachine(devices);
  return createMachine(withoutInvocations(machine.config) as Parameters<typeof createMachine>[0], {
    guards: machine.implementations.guards,
    actions: machine.implementations.actions,
  } as never);
}

/**
 * Replace each `invoke: { id, onDone, onError }` by transitions on its done/error events,
 * and drop delayed transitions (the backoff timers are tested with SimulatedClock).
 */
function withoutInvocations(node: unknown): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'invoke' || k === 'after') continue;
    out[k] = k === 'states' && typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([n, c]) => [n, withoutInvocations(c)])) : v;
  }
  const inv = (node as { invoke?: { id?: string; onDone?: unknown; onError?: unknown } }).invoke;
  if (inv?.id && (inv.onDone || inv.onError)) {
    out.on = {
      ...((out.on) ?? {}),
      ...(inv.onDone ? { [`xstate.done.actor.${inv.id}`]: inv.onDone } : {}),
      ...(inv.onError ? { [`xstate.error.actor.${inv.id}`]: inv.onError } : {}),
    };
  }
  return out;
}

export type SessionMachine = ReturnType<typeof createSessionMachine>;
export type SessionActor = ActorRefFrom<SessionMachine>;
export type SessionSnapshot = SnapshotFrom<SessionMachine>;

/** The machine's state value with device regions named by device id, for the API and the tablet. */
export function describeState(snapshot: { readonly value: unknown }): unknown {
  return renameRegions(snapshot.value);
}

function renameRegions(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k.startsWith('device_') ? k.slice('device_'.length) : k] = renameRegions(v);
  }
  return out;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
