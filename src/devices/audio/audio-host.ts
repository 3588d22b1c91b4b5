import { EventEmitter } from 'node:events';
import type { AudioSection } from '../../config/sections/audio.ts';
import type { EngineSection } from '../../config/sections/engine.ts';
import type { OutboardUnitConfig } from '../../config/sections/outboard.ts';
import { AudioEngine } from '../../engine/audio-engine.ts';
import { insertParamSpecs } from '../../engine/insert/hardware-insert.ts';
import type { CalibrationResult, CalibrationStatus } from '../../engine/insert/insert-calibration.ts';
import { monitorParamSpecs } from '../../engine/transport/monitor-params.ts';
import type { PrintRequest, PrintResult, TransportStatus } from '../../engine/transport/transport.ts';
import type { Logger, LogLevel } from '../../logger.ts';
import type { ParamStore } from '../../params/param-store.ts';
import type { Calibration } from '../../state/store/snapshot-state.ts';
import type { StoredCalibration } from '../../state/store/store-types.ts';
import type { DeviceStatus, DeviceStatusReporter } from '../device-status.ts';
import type { XrunReport } from './binding.ts';
import { ChannelMap } from './channel-map.ts';
import type { InterfaceHostOptions } from './interface-host.ts';

/** Where calibrations live (the SnapshotStore, once the store part has opened it). */
export interface CalibrationArchive {
  listCalibrations(): StoredCalibration[];
  saveCalibration(c: Calibration): void;
}

export interface AudioHostOptions {
  readonly audio: AudioSection;
  readonly engineConfig: EngineSection;
  readonly outboard: readonly OutboardUnitConfig[];
  readonly simUnits: readonly { readonly model: string; readonly serial: string }[];
  readonly store: ParamStore;
  readonly log: Logger;
  readonly report: DeviceStatusReporter;
  /** Read at start (every stored calibration goes to the worker) and on every new measurement. */
  readonly calibrations: () => CalibrationArchive | undefined;
  readonly deviceId?: string;
  /** Simulated loop pace (tests: fast). */
  readonly pace?: 'realtime' | 'fast';
  /** Extra environment for the PortAudio stream process. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long a stop may take before the worker is terminated (default 3000 ms). */
  readonly stopTimeoutMs?: number;
}

interface AudioHostEvents {
  calibration: [CalibrationStatus];
  transport: [TransportStatus];
  xrun: [XrunReport];
  status: [{ readonly status: DeviceStatus; readonly reason: string }];
}

const PINO_LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * The audio part of the daemon, on the main thread: the audio worker (AudioEngine) runs the
 * interface's stream, the duplex graph and the chain (src/devices/audio/interface-host.ts); this
 * class registers the monitor and insert parameters, keeps the worker's mirror of them (and of the
 * simulated units' values) current, stores its calibrations, reports its device status, and
 * offers calibrate / print / transport as promises. It never touches samples.
 */
export class AudioHost extends EventEmitter<AudioHostEvents> {
  readonly name = 'audio';
  readonly engine: AudioEngine;
  readonly #o: AudioHostOptions;
  readonly #deviceId: string;
  readonly #mirrored: (id: string) => boolean;
  #unwatch: (() => void) | undefined;
  #offEvents: (() => void) | undefined;
  #calibration: CalibrationStatus | undefined;
  #transport: TransportStatus | undefined;
  #xruns = 0;
  #stopping = false;

  constructor(options: AudioHostOptions) {
    super();
    this.#o = options;
    this.#deviceId = options.deviceId ?? 'interface';
    const { store, audio } = options;
    const monitor = monitorParamSpecs().filter((s) => !store.has(s.id));
    if (monitor.length > 0) store.register(monitor);
    const channels = new ChannelMap(audio.channels, { useSourceIn: audio.source.type === 'input' }).programChannels;
    const rackUnits = new Set(audio.simulated.insertUnits);
    this.#mirrored = (id) => {
      if (id.startsWith('monitor.') || id.startsWith('insert.')) return true;
      const m = /^outboard\.([^.]+)\./.exec(id);
      return m?.[1] !== undefined && rackUnits.has(m[1]);
    };
    this.engine = new AudioEngine({
      store,
      engineConfig: options.engineConfig,
      log: options.log,
      channels,
      insertParams: insertParamSpecs('insert'),
      stopTimeoutMs: options.stopTimeoutMs ?? 3000,
      // Poll the meter buffer at twice the publish rate: a frame waits a quarter period on average
      // (not half), and none is overwritten before it is read (measured: docs/benchmarks.md, Tablet).
      meterPollHz: 2 * options.engineConfig.meterRateHz,
      host: () => ({ url: new URL('./interface-host.ts', import.meta.url).href, options: this.#hostOptions() }),
    });
  }

  #hostOptions(): InterfaceHostOptions {
    const o = this.#o;
    const params: Record<string, number> = {};
    for (const [id, v] of Object.entries(o.store.values())) if (this.#mirrored(id)) params[id] = v;
    return {
      audio: o.audio,
      outboard: o.outboard,
      simUnits: o.simUnits,
      params,
      calibrations: o.calibrations()?.listCalibrations() ?? [],
      logLevel: (o.log.level as LogLevel | undefined) ?? 'info',
      ...(o.pace ? { pace: o.pace } : {}),
      ...(o.env ? { env: o.env } : {}),
    };
  }

  /** The calibration as the worker last reported it. */
  get calibration(): CalibrationStatus | undefined {
    return this.#calibration;
  }

  get transport(): TransportStatus | undefined {
    return this.#transport;
  }

  get xruns(): number {
    return this.#xruns;
  }

  get running(): boolean {
    return this.engine.running;
  }

  async start(): Promise<void> {
    this.#stopping = false;
    this.#offEvents = this.engine.onHostEvent((name, payload) => this.#onEvent(name, payload));
    this.#unwatch = this.#o.store.watch((changes) => {
      const entries: [string, number][] = [];
      for (const c of changes) if (this.#mirrored(c.id)) entries.push([c.id, c.value]);
      if (entries.length > 0) this.engine.post('params', entries);
    });
    this.#report('connecting', 'starting the audio worker');
    await this.engine.start();
    void this.engine.whenStopped().then(() => {
      if (!this.#stopping) this.#report('reconnecting', 'the audio worker stopped unexpectedly');
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#unwatch?.();
    this.#unwatch = undefined;
    await this.engine.stop();
    this.#offEvents?.();
    this.#offEvents = undefined;
  }

  /** The session machine's retry for the interface: reopen the device, or restart a dead worker. */
  async retry(): Promise<void> {
    if (this.#stopping) return;
    if (this.engine.running) {
      await this.engine.request('retry');
      return;
    }
    await this.stop();
    await this.start();
  }

  calibrate(signal?: AbortSignal): Promise<CalibrationResult> {
    return this.engine.request<CalibrationResult>('calibrate', null, signal);
  }

  print(request: PrintRequest, signal?: AbortSignal): Promise<PrintResult> {
    return this.engine.request<PrintResult>('print', request, signal);
  }

  play(): Promise<TransportStatus> {
    return this.engine.request<TransportStatus>('play');
  }

  stopTransport(): Promise<TransportStatus> {
    return this.engine.request<TransportStatus>('stop');
  }

  locate(frame: number): Promise<TransportStatus> {
    return this.engine.request<TransportStatus>('locate', { frame });
  }

  #onEvent(name: string, payload: unknown): void {
    switch (name) {
      case 'status': {
        const r = payload as { status: DeviceStatus; reason: string };
        this.#report(r.status, r.reason);
        this.emit('status', r);
        break;
      }
      case 'xrun': {
        const r = payload as XrunReport;
        this.#xruns = r.total;
        this.emit('xrun', r);
        break;
      }
      case 'calibration':
        this.#calibration = payload as CalibrationStatus;
        this.emit('calibration', this.#calibration);
        break;
      case 'transport':
        this.#transport = payload as TransportStatus;
        this.emit('transport', this.#transport);
        break;
      case 'calibration.save':
        try {
          this.#o.calibrations()?.saveCalibration(payload as Calibration);
        } catch (err) {
          this.#o.log.error({ err }, 'audio: the calibration could not be stored');
        }
        break;
      case 'log':
        this.#relog(payload as string);
        break;
      case 'error':
        this.#o.log.error({ err: payload }, 'audio worker');
        break;
    }
  }

  /** A pino line from the worker, through this thread's logger (one destination, one format). */
  #relog(line: string): void {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...rest } = rec;
    const method = PINO_LEVELS[typeof level === 'number' ? level : 30] ?? 'info';
    this.#o.log[method](rest, typeof msg === 'string' ? msg : '');
  }

  #report(status: DeviceStatus, reason: string): void {
    this.#o.report(this.#deviceId, status, reason);
  }
}
