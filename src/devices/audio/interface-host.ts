import { pino } from 'pino';
import type { AudioSection } from '../../config/sections/audio.ts';
import type { OutboardUnitConfig } from '../../config/sections/outboard.ts';
import { createChain } from '../../engine/chain-factory.ts';
import { ChainRunner } from '../../engine/chain-runner.ts';
import type { ChainProcessor } from '../../engine/transport/duplex-graph.ts';
import type { PrintRequest } from '../../engine/transport/transport.ts';
import type { HostHandle, HostLink, WorkerInit } from '../../engine/worker-protocol.ts';
import type { CalibrationStorePort } from '../../engine/insert/insert-calibration.ts';
import { BridgeError } from '../../errors.ts';
import type { LogLevel } from '../../logger.ts';
import { routeKey, type Calibration, type CalibrationRoute } from '../../state/store/snapshot-state.ts';
import type { StoredCalibration } from '../../state/store/store-types.ts';
import { AudioInterface } from './audio-interface.ts';
import { ParamMirror } from './param-mirror.ts';

/** What the main thread (AudioHost) gives the interface host in the audio worker. */
export interface InterfaceHostOptions {
  readonly audio: AudioSection;
  readonly outboard: readonly OutboardUnitConfig[];
  readonly simUnits: readonly { readonly model: string; readonly serial: string }[];
  /** Values of `monitor.*`, `insert.*` and the simulated units' `outboard.<id>.*` at start. */
  readonly params: Readonly<Record<string, number>>;
  /** Every calibration in the store (the interface picks its route's). */
  readonly calibrations: readonly StoredCalibration[];
  readonly logLevel: LogLevel;
  readonly pace?: 'realtime' | 'fast';
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The calibrations as the worker sees the store: the main thread's copy at start, kept current by
 * this worker's own saves, which go to the main thread to be written to SQLite.
 */
class CalibrationCache implements CalibrationStorePort {
  readonly #byRoute = new Map<string, StoredCalibration>();
  readonly #save: (c: Calibration) => void;

  constructor(initial: readonly StoredCalibration[], save: (c: Calibration) => void) {
    for (const c of initial) this.#byRoute.set(routeKey(c.route), c);
    this.#save = save;
  }

  saveCalibration(c: Calibration): void {
    this.#byRoute.set(routeKey(c.route), { ...c, measuredAt: new Date().toISOString() });
    this.#save(c);
  }

  getCalibration(route: CalibrationRoute): StoredCalibration | null {
    return this.#byRoute.get(routeKey(route)) ?? null;
  }
}

/**
 * The audio interface inside the audio worker (the worker entry calls `startHost`): the backend's
 * stream clocks the duplex graph, whose chain is the engine's chain (ChainRunner: the shared
 * parameter table, the meter bank, the status record) with the hardware insert in its slot. The
 * main thread never touches samples: it sends control requests and the parameter mirror, and
 * follows the events.
 */
export async function startHost(init: WorkerInit, link: HostLink): Promise<HostHandle> {
  const o = init.host?.options as InterfaceHostOptions;
  const log = pino(
    { level: o.logLevel, base: { part: 'audio' } },
    {
      write: (line: string) => link.emit('log', line),
    },
  );
  const mirror = new ParamMirror(o.params);
  let runner: ChainRunner | undefined;
  const iface = new AudioInterface({
    audio: o.audio,
    engine: { sampleRate: init.sampleRate, blockSize: init.blockSize },
    outboard: o.outboard,
    simUnits: o.simUnits,
    log,
    report: (_id, status, reason) => link.emit('status', { status, reason }),
    store: new CalibrationCache(o.calibrations, (c) => link.emit('calibration.save', c)),
    params: mirror,
    chain: (insert): ChainProcessor => {
      const r = new ChainRunner(init, createChain(init.chain, { createInsert: () => insert }));
      runner = r;
      return {
        process: (channels, frames) => {
          r.process(channels, frames);
          r.publish();
        },
        get latencySamples() {
          return r.latencySamples;
        },
      };
    },
    ...(o.pace ? { pace: o.pace } : {}),
    ...(o.env ? { env: o.env } : {}),
  });
  iface.on('xrun', (r) => {
    runner?.countXrun(r.added);
    link.emit('xrun', r);
  });
  iface.calibration.on('state', (s) => link.emit('calibration', s));
  iface.transport.on('state', (s) => link.emit('transport', s));
  link.onPost((op, args) => {
    if (op === 'params') mirror.apply(args as [string, number][]);
  });
  link.onRequest(async (op, args, signal) => {
    switch (op) {
      case 'calibrate':
        return iface.calibrate(signal);
      case 'print':
        return iface.print(args as PrintRequest, signal);
      case 'play':
        iface.transport.play();
        return iface.transport.status();
      case 'stop':
        iface.transport.stop();
        return iface.transport.status();
      case 'locate':
        iface.transport.locate((args as { frame: number }).frame);
        return iface.transport.status();
      case 'retry':
        await iface.retry();
        return null;
      case 'status':
        return { calibration: iface.calibration.status(), transport: iface.transport.status(), running: iface.running, xruns: iface.xruns };
      default:
        throw new BridgeError('E_ENGINE_WORKER', `the audio host has no operation ${op}`);
    }
  });
  await iface.start();
  link.emit('calibration', iface.calibration.status());
  link.emit('transport', iface.transport.status());
  return {
    latencySamples: runner?.latencySamples ?? 0,
    insert: 'HardwareInsert',
    stop: async () => {
      await iface.stop();
      return runner?.frames ?? 0;
    },
  };
}
