import { createActor, fromCallback, fromPromise, waitFor } from 'xstate';
import type { LoadedConfig } from './config/load-config.ts';
import { DataDir, defaultDataDir } from './data-dir.ts';
import { DeviceHub } from './devices/device-hub.ts';
import type { DeviceDescriptor } from './devices/device-status.ts';
import { BridgeError } from './errors.ts';
import type { Logger } from './logger.ts';
import { ParamStore } from './params/param-store.ts';
import { registerApiRoutes } from './server/api-routes.ts';
import { HttpServer } from './server/http-server.ts';
import { TabletServer, type TabletServerOptions } from './server/ws/tablet-server.ts';
import type { BackoffPolicy } from './state/backoff.ts';
import {
  createSessionMachine,
  describeState,
  type PrintRequest,
  type RecallOutcome,
  type SessionSnapshot,
  type SessionActor,
  type SessionEvent,
} from './state/session-machine.ts';
import { missingServices, type SessionServices } from './state/session-services.ts';
import { SessionSnapshots, type RecallHandoff } from './state/session-snapshots.ts';
import { StorePart } from './state/store-part.ts';
import { liveUnitIdentities } from './state/live-unit-identities.ts';
import { snapshotActions } from './state/snapshot-actions.ts';
import { surfaceActionSink } from './state/surface-actions.ts';
import { SurfacesPart } from './control/surfaces-part.ts';
import { OutboardPart } from './devices/serial/outboard-part.ts';
import { registerSnapshotRoutes } from './server/snapshot-routes.ts';
import { registerAudioRoutes } from './server/audio-routes.ts';
import type { AudioEngine } from './engine/audio-engine.ts';
import { AnalogGainReductionFeed } from './engine/analog-gain-reduction-feed.ts';
import type { MeterFeed } from './engine/meter-snapshot.ts';
import { AudioHost } from './devices/audio/audio-host.ts';
import { wireAudio } from './devices/audio/audio-session-wiring.ts';
import type { CalibrationResult } from './engine/insert/insert-calibration.ts';

/**
 * A running part of the daemon with an explicit lifecycle. Parts start in order and
 * stop in reverse order; a part that fails to stop in time is abandoned (logged),
 * never allowed to hold up the shutdown.
 */
export interface DaemonPart {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  readonly log: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Per-part stop budget; the whole shutdown must finish in under 2 s. */
  readonly stopTimeoutMs?: number;
  /** Reconnect policy of the session machine (tests stretch or shrink it). */
  readonly backoff?: BackoffPolicy;
  /**
   * Replaces the parts built from the config (drivers, engine, audio). Tests use it to put
   * fakes at the hardware edge while everything else (hub, machine, HTTP) stays real.
   */
  readonly buildParts?: (daemon: Daemon) => DaemonPart[];
  /** Simulated loop pace for the audio worker (tests: fast). */
  readonly audioPace?: 'realtime' | 'fast';
  /** Tablet server options: meter feed, actions, and test knobs (token mode, heartbeat, clock). */
  readonly tablet?: TabletServerOptions;
  /** Replaces session services (calibration, recall, print, playback): tests use controllable fakes. */
  readonly services?: Partial<SessionServices>;
}

/**
 * The composition root: builds every part from the config with explicit dependencies,
 * starts them through the session machine, stops them in reverse order.
 */
export class Daemon {
  readonly loaded: LoadedConfig;
  readonly log: Logger;
  readonly store = new ParamStore();
  readonly dataDir: DataDir;
  readonly hub: DeviceHub;
  readonly http: HttpServer;
  readonly session: SessionActor;
  /** The tablet: /ws, the page, the token/Host/Origin checks (src/server/ws/tablet-server.ts). */
  readonly tablet: TabletServer;
  /** The work the session machine invokes; filled in by the parts that can do it. */
  services: SessionServices;
  /** The snapshot store (SQLite in the data dir) and the live session it keeps. */
  readonly storePart: StorePart;
  /** Serial outboard units (and the simulated ones the config starts). */
  readonly outboard: OutboardPart;
  /** Control surfaces (MIDI, HID, and the simulated ones the config starts). */
  readonly surfaces: SurfacesPart;
  readonly snapshots: SessionSnapshots;
  /**
   * The digital chain's host: registers every chain parameter, mirrors them to the audio worker,
   * and offers the worker's meters. The audio interface's stream (`audio.backend` simulated or
   * portaudio) clocks it. Undefined with `audio.backend: none` (control only: surfaces and
   * outboard, no digital chain) and when `buildParts` replaces the config's parts (tests).
   */
  readonly engine: AudioEngine | undefined;
  /** The meters tablets and surfaces see (the engine's, with the analog units' gain reduction). */
  readonly meters: MeterFeed | undefined;
  /** The audio interface part (absent with `audio.backend: none`). */
  readonly audio: AudioHost | undefined;
  readonly #parts: DaemonPart[] = [];
  readonly #started: DaemonPart[] = [];
  readonly #stopTimeoutMs: number;
  #url = '';
  #stopping: Promise<void> | undefined;

  constructor(loaded: LoadedConfig, options: DaemonOptions) {
    const { config } = loaded;
    this.loaded = loaded;
    this.log = options.log;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 1500;
    this.dataDir = new DataDir(config.dataDir ?? defaultDataDir(options.env));
    this.hub = new DeviceHub(deviceDescriptors(loaded), this.log.child({ part: 'devices' }));
    this.http = new HttpServer(this.log.child({ part: 'http' }));
    this.services = { ...missingServices(), ...options.services };

    registerApiRoutes(this.http, {
      store: this.store,
      stateView: () => this.stateView(),
    });

    if (options.buildParts || config.audio.backend === 'none') {
      this.audio = undefined;
      this.engine = undefined;
    } else {
      this.audio = new AudioHost({
        audio: config.audio,
        engineConfig: config.engine,
        outboard: config.outboard,
        simUnits: config.sim.units,
        store: this.store,
        log: this.log.child({ part: 'audio' }),
        report: this.hub.report,
        calibrations: () => this.storePart.openStore,
        ...(options.audioPace ? { pace: options.audioPace } : {}),
      });
      this.engine = this.audio.engine;
    }

    this.outboard = new OutboardPart({
      config,
      configDir: loaded.baseDir,
      simDir: this.dataDir.file('sim'),
      store: this.store,
      log: this.log.child({ part: 'outboard' }),
      report: this.hub.report,
    });
    const outboard = this.outboard;
    // What tablets and surfaces meter: the engine's frames plus the analog compressors' gain reduction.
    this.meters = this.engine ? new AnalogGainReductionFeed(this.engine, outboard.manager) : undefined;
    this.storePart = new StorePart({
      file: this.dataDir.file('bridge.sqlite'),
      params: this.store,
      log: this.log.child({ part: 'store' }),
      // Which unit each outboard id stood for: a swapped unit is not written the old unit's values.
      units: () => liveUnitIdentities(outboard.manager.units()),
    });
    const storePart = this.storePart;
    this.snapshots = new SessionSnapshots({
      get store() {
        return storePart.store;
      },
      params: this.store,
      log: this.log.child({ part: 'recall' }),
      units: () => outboard.manager.recallableUnits(),
      loudness: () => {
        const l = this.engine?.latest()?.loudness;
        if (!l || !Number.isFinite(l.integratedLufs) || !Number.isFinite(l.truePeakDbtp)) return null;
        return { integratedLufs: l.integratedLufs, loudnessRangeLu: Number.isFinite(l.loudnessRangeLu) ? l.loudnessRangeLu : 0, truePeakDbtp: l.truePeakDbtp };
      },
      calibration: () => {
        const r = this.audio?.calibration?.result;
        return r ? { route: r.route, latencySamples: r.latencySamples, gainDb: r.gainDb, polarity: r.polarity } : null;
      },
      insertUnits: () => config.audio.simulated.insertUnits,
      surfacePages: () => this.surfaces.manager.pages(),
    });
    this.services.recallApply = (id, signal) => this.snapshots.apply(id, signal);
    this.services.recallVerify = (_id, applied, signal) => this.snapshots.verify(applied as RecallHandoff, signal);
    Object.assign(this.services, options.services);
    registerSnapshotRoutes(this.http, {
      get store() {
        return storePart.store;
      },
      session: () => ({ current: storePart.current, restore: storePart.restoreReport }),
      snapshots: this.snapshots,
      recall: (id) => this.recall(id),
      onCurrent: (id) => {
        const snap = storePart.store.getSnapshot(id);
        storePart.setCurrent({ projectId: snap.projectId, trackId: snap.trackId, snapshotId: snap.id });
      },
    });

    const hub = this.hub;
    const machine = createSessionMachine(hub.descriptors(), options.backoff ? { backoff: options.backoff } : {}).provide({
      actors: {
        startup: fromPromise(async ({ signal }) => {
          this.#startup = this.#startParts(signal);
          return this.#startup;
        }),
        shutdown: fromPromise(async () => {
          // A stop during startup: let the (aborted) startup unwind first, then stop.
          await this.#startup?.catch(() => undefined);
          await this.#stopParts();
        }),
        calibrate: fromPromise(async ({ signal }) =>
          this.services.calibrate(signal).catch((err: unknown) => {
            this.#calibrationError = err;
            throw err;
          }),
        ),
        recallApply: fromPromise(async ({ input, signal }: { input: { snapshotId: string }; signal: AbortSignal }) =>
          this.services.recallApply(input.snapshotId, signal).catch((err: unknown) => {
            this.#recallError = err;
            throw err;
          }),
        ),
        recallVerify: fromPromise(async ({ input, signal }: { input: { snapshotId: string; applied: unknown }; signal: AbortSignal }) =>
          this.services.recallVerify(input.snapshotId, input.applied, signal),
        ),
        print: fromPromise(async ({ input, signal }: { input: PrintRequest; signal: AbortSignal }) => this.services.print(input, signal)),
        deviceReports: fromCallback<SessionEvent>(({ sendBack }) => {
          const forward = (r: { id: string; status: string; reason: string }): void => {
            const type =
              r.status === 'online' ? 'device.online' : r.status === 'connecting' ? 'device.connecting' : r.status === 'absent' ? 'device.absent' : 'device.lost';
            sendBack({ type, id: r.id, reason: r.reason });
          };
          for (const r of hub.latest()) forward(r);
          hub.on('report', forward);
          return () => hub.off('report', forward);
        }),
      },
      actions: {
        retryDevice: (_args, params: { id: string }) => hub.requestRetry(params.id),
        startPlayback: () => this.services.startPlayback(),
        stopPlayback: () => this.services.stopPlayback(),
      },
    });
    this.session = createActor(machine, { input: { devices: hub.descriptors() } });
    // --- tablet (issue 8): built before the parts so they can attach meters/actions; started last, stopped first.
    this.tablet = new TabletServer(
      {
        http: this.http,
        store: this.store,
        stateView: () => this.stateView(),
        watchState: (onChange) => {
          const sub = this.session.subscribe(() => onChange());
          return () => sub.unsubscribe();
        },
        dataDir: this.dataDir.path,
        listenHost: config.server.host,
        log: this.log.child({ part: 'tablet' }),
      },
      options.tablet,
    );
    // --- end tablet
    const snapshotOps = snapshotActions({
      storePart: this.storePart,
      snapshots: this.snapshots,
      params: this.store,
      units: () => outboard.manager.recallableUnits(),
      recall: (id) => this.recall(id),
    });
    this.surfaces = new SurfacesPart({
      ...(this.meters ? { meters: this.meters } : {}),
      surfaces: config.surfaces,
      configDir: loaded.baseDir,
      dataDir: this.dataDir.path,
      store: this.store,
      log: this.log.child({ part: 'surfaces' }),
      report: this.hub.report,
      actions: surfaceActionSink({
        snapshots: snapshotOps,
        storePart: this.storePart,
        session: this.session,
        params: this.store,
        log: this.log.child({ part: 'actions' }),
        printFile: () => this.#printFile(),
      }),
    });
    const surfaces = this.surfaces;
    this.tablet.setActions({
      ...snapshotOps,
      learn: async (paramId, ctx) => {
        ctx.signal.addEventListener('abort', () => surfaces.manager.learn.cancel(), { once: true });
        const b = await surfaces.manager.learn.arm(paramId);
        return { paramId, control: `${b.surfaceId} ${b.control}`, binding: b };
      },
    });
    if (this.meters && !options.tablet?.meters) this.tablet.setMeterFeed(this.meters);
    if (this.audio) {
      wireAudio({
        audio: this.audio,
        services: this.services,
        overrides: options.services ?? {},
        hub: this.hub,
        session: this.session,
        tablet: this.tablet,
        log: this.log.child({ part: 'audio' }),
        calibrate: () => this.calibrate(),
        printFile: () => this.#printFile(),
        sampleRate: config.engine.sampleRate,
      });
    }
    registerAudioRoutes(this.http, { calibrate: () => this.calibrate() });
    for (const part of options.buildParts ? options.buildParts(this) : this.#buildParts()) this.#parts.push(part);
    this.#parts.push(this.tablet);
    this.session.subscribe({
      next: (s) => this.log.debug({ state: describeState(s) }, 'session state'),
      error: (err) => this.log.error({ err }, 'session machine error'),
    });
  }

  /** The parts the config asks for, in start order. */
  #buildParts(): DaemonPart[] {
    // Order matters: units register their parameters before the session is restored into them;
    // the audio worker starts with the restored values and the stored calibrations.
    return [this.outboard, this.surfaces, this.storePart, ...(this.audio ? [this.audio] : [])];
  }

  #printFile(): string {
    return this.dataDir.file('prints', `print-${new Date().toISOString().replace(/[:.]/g, '-')}.wav`);
  }

  /**
   * Calibrate the hardware insert through the session machine (so the `calibration` region, the
   * tablet and the API agree): resolves with the measurement, rejects with its BridgeError.
   */
  async calibrate(): Promise<CalibrationResult> {
    if (!this.audio) throw new BridgeError('E_AUDIO_BACKEND', 'no audio interface is configured (audio.backend: none)');
    const now = this.session.getSnapshot();
    if (!now.matches('ready')) throw new BridgeError('E_CALIBRATION_BUSY', 'the session is not ready');
    if (now.matches({ ready: { calibration: 'measuring' } })) throw new BridgeError('E_CALIBRATION_BUSY', 'a calibration is already running');
    this.#calibrationError = undefined;
    this.session.send({ type: 'calibration.start' });
    const done = await waitFor(this.session, (s) => !s.matches({ ready: { calibration: 'measuring' } }));
    const failure = this.#calibrationError;
    if (failure instanceof Error) throw failure;
    if (failure !== undefined || !done.matches({ ready: { calibration: 'valid' } })) {
      throw new BridgeError('E_CALIBRATION_BUSY', done.context.calibration.error ?? 'the calibration was cancelled');
    }
    const result = done.context.calibration.result;
    if (!result) throw new BridgeError('E_CALIBRATION_BUSY', 'the calibration finished without a result');
    // The machine keeps what the service answered: the audio interface's full result.
    return result as CalibrationResult;
  }

  #calibrationError: unknown;

  /**
   * Recall a snapshot through the session machine (so surfaces, tablets and the API see the
   * same `recalling` -> `verifying` -> idle/mismatch) and answer the verification report.
   */
  async recall(snapshotId: number): Promise<RecallOutcome> {
    const busy = (s: SessionSnapshot): boolean => s.matches({ ready: { recall: 'recalling' } }) || s.matches({ ready: { recall: 'verifying' } });
    const now = this.session.getSnapshot();
    if (!now.matches('ready')) throw new BridgeError('E_RECALL_BUSY', 'the session is not ready');
    if (busy(now)) throw new BridgeError('E_RECALL_BUSY', `a recall of snapshot ${now.context.recall.snapshotId ?? '?'} is in progress`);
    this.#recallError = undefined;
    this.session.send({ type: 'recall.start', snapshotId: String(snapshotId) });
    const done = await waitFor(this.session, (s) => !busy(s));
    const failure = this.#recallError;
    if (failure instanceof Error) throw failure;
    if (failure !== undefined) throw new BridgeError('E_RECALL_BUSY', 'the recall failed', { cause: failure });
    const outcome = done.context.recall.outcome;
    if (!outcome) throw new BridgeError('E_RECALL_BUSY', done.context.recall.error ?? 'the recall was cancelled');
    return outcome;
  }

  #recallError: unknown;

  get url(): string {
    return this.#url;
  }

  stateView() {
    const snap = this.session.getSnapshot();
    return {
      state: describeState(snap),
      devices: Object.values(snap.context.devices).map((d) => ({ id: d.id, kind: d.kind, status: d.status, reason: d.reason })),
    };
  }

  /** Start everything; resolves when the session is `ready`, rejects with the startup error. */
  async start(): Promise<void> {
    this.#actorStarted = true;
    this.session.start();
    const snap = await waitFor(this.session, (s) => s.matches('ready') || s.status === 'done');
    if (!snap.matches('ready')) {
      if (this.#startupError instanceof Error) throw this.#startupError;
      throw new BridgeError('E_DATA_DIR', snap.context.error ?? 'startup failed');
    }
  }

  #startupError: unknown;
  #startup: Promise<void> | undefined;
  #actorStarted = false;

  async stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#actorStarted && this.session.getSnapshot().status === 'active') {
        this.session.send({ type: 'session.stop' });
        await waitFor(this.session, (s) => s.status === 'done', { timeout: 5000 }).catch(() => undefined);
      } else {
        await this.#stopParts();
      }
      this.session.stop();
    })();
    return this.#stopping;
  }

  async #startParts(signal: AbortSignal): Promise<void> {
    const checkAborted = (): void => {
      if (signal.aborted) throw new BridgeError('E_SHUTDOWN_TIMEOUT', 'startup aborted by a stop request');
    };
    try {
      await this.dataDir.acquire();
      for (const part of this.#parts) {
        checkAborted();
        this.log.debug({ part: part.name }, 'starting');
        await part.start();
        this.#started.push(part);
      }
      checkAborted();
      const { host, port } = this.loaded.config.server;
      const addr = await this.http.listen(host, port);
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      this.#url = `http://${shownHost}:${addr.port}/`;
      checkAborted();
    } catch (err) {
      this.#startupError = err;
      await this.#stopParts();
      throw err;
    }
  }

  async #stopParts(): Promise<void> {
    await withTimeout(this.http.close(), this.#stopTimeoutMs).catch((err: unknown) => this.log.warn({ err }, 'http close'));
    while (this.#started.length > 0) {
      const part = this.#started.pop() as DaemonPart;
      try {
        await withTimeout(part.stop(), this.#stopTimeoutMs);
      } catch (err) {
        this.log.warn({ part: part.name, err }, `part ${part.name} did not stop cleanly`);
      }
    }
    await this.dataDir.release();
  }
}

function deviceDescriptors(loaded: LoadedConfig): DeviceDescriptor[] {
  const { config } = loaded;
  const out: DeviceDescriptor[] = [];
  for (const u of config.outboard) out.push({ id: u.id, kind: 'outboard', required: u.required });
  for (const s of config.surfaces) out.push({ id: s.id, kind: 'surface', required: s.required });
  if (config.audio.backend !== 'none') out.push({ id: 'interface', kind: 'audio', required: config.audio.required });
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BridgeError('E_SHUTDOWN_TIMEOUT', `did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
