import { EventEmitter } from 'node:events';
import type { AudioSection } from '../../config/sections/audio.ts';
import type { OutboardUnitConfig } from '../../config/sections/outboard.ts';
import { BridgeError } from '../../errors.ts';
import { AnalysisThread } from '../../engine/insert/analysis-thread.ts';
import { Calibrator } from '../../engine/insert/calibrator.ts';
import { HardwareInsert, INSERT_MODES } from '../../engine/insert/hardware-insert.ts';
import { InsertCalibration, type CalibrationResult, type CalibrationStorePort } from '../../engine/insert/insert-calibration.ts';
import { DuplexGraph, type ChainProcessor, type GraphTaps } from '../../engine/transport/duplex-graph.ts';
import { MATCH_MODES } from '../../engine/transport/loudness-match.ts';
import { monitorParamSpecs } from '../../engine/transport/monitor-params.ts';
import { AB_SOURCES, MonitorOutput } from '../../engine/transport/monitor-output.ts';
import { PrintRing } from '../../engine/transport/print-ring.ts';
import { demoProgramme } from '../../engine/transport/demo-programme.ts';
import { SourcePlayer } from '../../engine/transport/source-player.ts';
import { Transport, type PrintRequest, type PrintResult, type TransportStream } from '../../engine/transport/transport.ts';
import type { Logger } from '../../logger.ts';
import type { ParamSpec } from '../../params/param-spec.ts';
import type { CalibrationRoute } from '../../state/store/snapshot-state.ts';
import type { DeviceStatus, DeviceStatusReporter } from '../device-status.ts';
import { loadAnalogModels, type AnalogModelKey } from './analog-rack-loader.ts';
import type { AudioBackend, AudioStreamConfig, BackendStatusReport, XrunReport } from './binding.ts';
import { ChannelMap } from './channel-map.ts';
import { PortAudioBackend } from './portaudio-backend.ts';
import { SimulatedLoopBackend, SIMULATED_DEVICE_NAME } from './simulated-loop-backend.ts';
import { SimulatedRack, type RackUnit } from './simulated-rack.ts';

/**
 * What the interface needs of the parameters: the daemon's ParamStore on the main thread, or the
 * audio worker's mirror of it (param-mirror.ts), which the main thread keeps up to date.
 */
export interface ParamPort {
  has(id: string): boolean;
  get(id: string): number;
  values(prefix?: string): Record<string, number>;
  register(specs: readonly ParamSpec[]): unknown;
  watch(listener: (changes: readonly { readonly id: string; readonly value: number }[]) => void): () => void;
}

export interface AudioInterfaceOptions {
  readonly audio: AudioSection;
  readonly engine: { readonly sampleRate: number; readonly blockSize: number };
  /** To find the model of each simulated insert unit (outboard id -> serial -> sim unit model). */
  readonly outboard?: readonly OutboardUnitConfig[];
  readonly simUnits?: readonly { readonly model: string; readonly serial: string }[];
  readonly log: Logger;
  /** Device status goes here (the DeviceHub's `report`), under `deviceId` (default `interface`). */
  readonly report?: DeviceStatusReporter;
  readonly deviceId?: string;
  /** Calibrations per route (the SnapshotStore). Without it, calibrations last until the daemon stops. */
  readonly store?: CalibrationStorePort;
  /**
   * The parameter store: the monitor (`monitor.*`) and insert (`insert.*`) parameters are
   * registered there unless already registered (by the engine's chain), and followed; the
   * simulated loop follows its units' `outboard.<id>.*` values.
   */
  readonly params?: ParamPort;
  /** The engine's chain with `insert` in its insert slot. Default: the insert alone. */
  readonly chain?: (insert: HardwareInsert) => ChainProcessor;
  readonly taps?: GraphTaps;
  /** Replace the backend built from the config (tests, the bench). */
  readonly backend?: AudioBackend;
  /** Simulated loop pace (default realtime). */
  readonly pace?: 'realtime' | 'fast' | 'manual';
  /** Extra environment for the PortAudio stream process. */
  readonly env?: NodeJS.ProcessEnv;
  /** PortAudio only: reopen by itself after a loss every this many ms (outside the daemon). */
  readonly autoRetryMs?: number;
}

interface AudioInterfaceEvents {
  xrun: [XrunReport];
  status: [BackendStatusReport];
}

/**
 * The audio interface and everything that runs on its stream: the backend (PortAudio or the
 * simulated loop), the duplex graph (source, chain with the hardware insert, monitor outs, print
 * ring), the insert's calibration and the transport. One daemon part; the lead wires:
 *
 *   start()/stop()               the part's lifecycle (status reported as device `interface`)
 *   retry()                      the session machine's retry request for `interface`
 *   calibration                  calibrate(signal) -> CalibrationResult; 'state' events (none/measuring/valid/stale)
 *   transport                    play/stop/locate/setLoop, print(request, signal); 'state' events (stopped/playing/printing)
 *   xruns, 'xrun'                xrun meter (MeterBank#countXrun per added xrun)
 */
export class AudioInterface extends EventEmitter<AudioInterfaceEvents> {
  readonly name = 'audio';
  readonly map: ChannelMap;
  readonly insert: HardwareInsert;
  readonly monitor = new MonitorOutput();
  readonly graph: DuplexGraph;
  readonly transport: Transport;
  readonly calibration: InsertCalibration;
  readonly calibrator: Calibrator;
  readonly #options: AudioInterfaceOptions;
  readonly #deviceId: string;
  readonly #maxLatency: number;
  readonly #stream: TransportStream;
  readonly #analysis = new AnalysisThread();
  #backend: AudioBackend | undefined;
  #rack: SimulatedRack | undefined;
  #deviceName = '';
  #unwatch: (() => void) | undefined;
  #poll: NodeJS.Timeout | undefined;
  #xruns = 0;

  constructor(options: AudioInterfaceOptions) {
    super();
    this.#options = options;
    const { audio, engine } = options;
    this.#deviceId = options.deviceId ?? 'interface';
    this.map = new ChannelMap(audio.channels, { useSourceIn: audio.source.type === 'input' });
    const n = this.map.programChannels;
    this.#maxLatency = Math.max(Math.round((audio.calibration.maxLatencyMs * engine.sampleRate) / 1000), 8 * engine.blockSize);
    // PortAudio learns that a block was late up to its queue depth later, and reports it through a
    // pipe in batches: judge a measurement or a print only after that.
    const xrunSettleMs =
      audio.backend === 'portaudio' ? Math.ceil((1000 * audio.portaudio.bufferBlocks * engine.blockSize) / engine.sampleRate) + 150 : 0;
    this.insert = new HardwareInsert({ maxLatencySamples: this.#maxLatency, rampMs: audio.monitor.rampMs });
    this.insert.prepare(engine.sampleRate, engine.blockSize, n);
    this.monitor.prepare(engine.sampleRate, engine.blockSize, n, { fadeInMs: audio.monitor.fadeInMs, rampMs: audio.monitor.rampMs });
    const chain = options.chain?.(this.insert);
    this.graph = new DuplexGraph({
      map: this.map,
      sampleRate: engine.sampleRate,
      blockSize: engine.blockSize,
      insert: this.insert,
      ...(chain ? { chain } : {}),
      monitor: this.monitor,
      print: new PrintRing(n, Math.max(engine.sampleRate * 4, 16 * engine.blockSize)),
      source: audio.source.type === 'demo' ? 'file' : audio.source.type,
      // The A/B delay covers the insert and the rest of the chain (limiter look-ahead and such).
      maxLatencySamples: this.#maxLatency + engine.sampleRate,
      ...(options.taps ? { taps: options.taps } : {}),
    });
    const backendRunning = (): boolean => this.#backend?.status === 'online';
    this.#stream = {
      get running() {
        return backendRunning();
      },
      onXrun: (listener) => {
        const h = (r: XrunReport): void => listener(r.added);
        this.on('xrun', h);
        return () => this.off('xrun', h);
      },
    };
    this.calibrator = new Calibrator(this.insert, this.monitor, this.#stream, {
      sampleRate: engine.sampleRate,
      returnChannels: n,
      sweepMs: audio.calibration.sweepMs,
      levelDbfs: audio.calibration.levelDbfs,
      attempts: audio.calibration.attempts,
      maxLatencySamples: this.#maxLatency,
      xrunSettleMs,
      analysisThread: this.#analysis,
    });
    this.calibration = new InsertCalibration(this.#route(), {
      measure: (signal) => this.#measure(signal),
      apply: (c) => this.insert.setCompensation(c),
      ...(options.store ? { store: options.store } : {}),
      log: options.log.child({ part: 'calibration' }),
    });
    this.transport = new Transport({
      graph: this.graph,
      stream: this.#stream,
      sampleRate: engine.sampleRate,
      calibrating: () => this.calibration.state === 'measuring',
      xrunSettleMs,
      log: options.log.child({ part: 'transport' }),
    });
  }

  get backend(): AudioBackend | undefined {
    return this.#backend;
  }

  get xruns(): number {
    return this.#xruns;
  }

  get running(): boolean {
    return this.#stream.running;
  }

  /** The stream as the calibration and the transport see it (running, xruns). */
  get stream(): TransportStream {
    return this.#stream;
  }

  /** The simulated loop's analog units (undefined on PortAudio). */
  get rack(): SimulatedRack | undefined {
    return this.#rack;
  }

  /**
   * Load the source, build the backend, open the stream, load the calibration for the route.
   * A missing or failing device is not an error of the daemon: the interface is reported
   * `reconnecting` and comes back on retry. Rejects only on configuration errors (a source
   * file that cannot be read, firmware-sim's models missing for the simulated loop).
   */
  async start(): Promise<void> {
    const { audio, engine, log } = this.#options;
    if (audio.source.type === 'file' && audio.source.file) {
      const player = await SourcePlayer.load(audio.source.file, engine.sampleRate, this.map.programChannels);
      if (audio.source.loop) player.setLoop({ startFrame: 0, endFrame: player.lengthFrames });
      this.graph.setPlayer(player);
    } else if (audio.source.type === 'demo') {
      const player = new SourcePlayer(demoProgramme(engine.sampleRate, this.map.programChannels));
      if (audio.source.loop) player.setLoop({ startFrame: 0, endFrame: player.lengthFrames });
      this.graph.setPlayer(player);
    }
    this.#watchParams();
    this.#backend = this.#options.backend ?? (await this.#buildBackend());
    this.#backend.on('status', this.#onStatus);
    this.#backend.on('xrun', this.#onXrun);
    this.#poll = setInterval(() => this.transport.poll(), 100);
    this.#poll.unref();
    const pilot = audio.backend === 'portaudio' ? audio.portaudio.pilot : undefined;
    const config: AudioStreamConfig = {
      sampleRate: engine.sampleRate,
      blockSize: engine.blockSize,
      inputChannels: Math.max(this.map.inputChannels, pilot?.input ?? 0),
      outputChannels: Math.max(this.map.outputChannels, pilot?.output ?? 0),
    };
    try {
      const opened = await this.#backend.open(config, this.graph.process);
      this.#deviceName = opened.device;
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'E_AUDIO_BACKEND') {
        this.#report('absent', err.message);
        log.warn({ code: err.code }, `audio: ${err.message}`);
      } else {
        log.warn({ err }, 'audio: the interface did not open; retrying on the session backoff');
      }
    }
    this.calibration.setRoute(this.#route());
    this.calibration.load();
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (this.transport.state === 'printing') this.transport.stop();
    this.graph.player?.stop();
    await this.#analysis.close();
    const b = this.#backend;
    if (b) {
      await b.close();
      b.off('status', this.#onStatus);
      b.off('xrun', this.#onXrun);
    }
  }

  /** The session machine's retry (after its backoff) for this device. */
  async retry(): Promise<void> {
    await this.#backend?.retry();
  }

  /** Calibrate the insert (POST /api/calibrate, the CLI, the session machine's `calibrate` service). */
  calibrate(signal?: AbortSignal): Promise<CalibrationResult> {
    return this.calibration.calibrate(signal);
  }

  /** Print (the session machine's `print` service). */
  print(request: PrintRequest, signal?: AbortSignal): Promise<PrintResult> {
    return this.transport.print(request, signal);
  }

  async #measure(signal?: AbortSignal) {
    if (this.transport.state === 'printing') throw new BridgeError('E_TRANSPORT_STATE', 'a print is running; calibrate when it is done');
    return this.calibrator.measure(signal);
  }

  #route(): CalibrationRoute {
    const { audio, engine } = this.#options;
    let iface: string;
    if (audio.backend === 'portaudio') {
      // The queue depth is part of the round trip, so part of the route.
      iface = `${this.#deviceName || audio.device} (PortAudio, ${audio.portaudio.bufferBlocks} buffers)`;
    } else {
      iface = this.#deviceName || SIMULATED_DEVICE_NAME;
    }
    return {
      interface: iface.slice(0, 200),
      sendChannels: [...audio.channels.insertSend],
      returnChannels: [...audio.channels.insertReturn],
      sampleRateHz: engine.sampleRate,
      blockSize: engine.blockSize,
    };
  }

  readonly #onStatus = (r: BackendStatusReport): void => {
    if (r.status === 'online') {
      this.monitor.restart();
      this.calibration.setRoute(this.#route());
    }
    const status: DeviceStatus = r.status === 'closed' ? 'absent' : r.status;
    this.#report(status, r.reason);
    this.emit('status', r);
  };

  readonly #onXrun = (r: XrunReport): void => {
    this.#xruns = r.total;
    this.emit('xrun', r);
  };

  #report(status: DeviceStatus, reason: string): void {
    this.#options.report?.(this.#deviceId, status, reason);
  }

  async #buildBackend(): Promise<AudioBackend> {
    const { audio, log } = this.#options;
    if (audio.backend === 'portaudio') {
      return new PortAudioBackend({
        device: audio.device,
        bufferBlocks: audio.portaudio.bufferBlocks,
        realtimePriority: audio.portaudio.realtimePriority,
        niceness: audio.portaudio.niceness,
        threadRealtimePriority: audio.portaudio.threadRealtimePriority,
        stopTimeoutMs: audio.portaudio.stopTimeoutMs,
        stallTimeoutMs: audio.portaudio.stallTimeoutMs,
        ...(audio.portaudio.alsaConfig ? { alsaConfig: audio.portaudio.alsaConfig } : {}),
        ...(audio.portaudio.pilot ? { pilot: { output: audio.portaudio.pilot.output - 1, input: audio.portaudio.pilot.input - 1 } } : {}),
        ...(this.#options.env ? { env: this.#options.env } : {}),
        ...(this.#options.autoRetryMs !== undefined ? { autoRetryMs: this.#options.autoRetryMs } : {}),
        log: log.child({ part: 'portaudio' }),
      });
    }
    if (audio.backend === 'none') throw new BridgeError('E_AUDIO_BACKEND', 'audio.backend is none');
    const units = this.#rackUnits();
    let rack: SimulatedRack | undefined;
    if (units.length > 0) {
      rack = new SimulatedRack(await loadAnalogModels(), units);
      rack.setAnalog({ noise: audio.simulated.noise, saturation: audio.simulated.saturation });
      this.#rack = rack;
      this.#pushUnitParams();
    }
    return new SimulatedLoopBackend({
      patch: { from: this.map.insertSend, to: this.map.insertReturn },
      latencySamples: audio.simulated.latencySamples,
      gainDb: audio.simulated.gainDb,
      polarity: audio.simulated.polarity,
      ...(rack ? { rack } : {}),
      pace: this.#options.pace ?? 'realtime',
    });
  }

  #rackUnits(): RackUnit[] {
    const { audio } = this.#options;
    return audio.simulated.insertUnits.map((id) => {
      const unit = this.#options.outboard?.find((u) => u.id === id);
      const sim = unit ? this.#options.simUnits?.find((s) => s.serial === unit.serial) : undefined;
      const model = sim?.model;
      if (!unit || !model || !['eq', 'comp', 'switcher', 'passive'].includes(model)) {
        throw new BridgeError('E_AUDIO_BACKEND', `simulated insert unit ${id}: ${!unit ? 'no outboard unit has this id' : 'no firmware-sim unit with its serial (sim.units)'}`, {
          details: { unit: id },
        });
      }
      return { id, model: model as AnalogModelKey };
    });
  }

  /** Give every simulated unit the values the daemon holds for it (`outboard.<id>.<control>`). */
  #pushUnitParams(unitId?: string): void {
    const rack = this.#rack;
    const params = this.#options.params;
    if (!rack || !params) return;
    for (const u of rack.units) {
      if (unitId !== undefined && u.id !== unitId) continue;
      const prefix = `outboard.${u.id}.`;
      const values: Record<string, number> = {};
      for (const [id, v] of Object.entries(params.values(prefix))) values[id.slice(prefix.length)] = v;
      rack.setUnitParams(u.id, values);
    }
  }

  #watchParams(): void {
    const params = this.#options.params;
    if (!params) return;
    const specs = [...monitorParamSpecs(), ...this.insert.params].filter((s) => !params.has(s.id));
    if (specs.length > 0) params.register(specs);
    const apply = (id: string, value: number): void => {
      switch (id) {
        case 'monitor.mute':
          this.monitor.setMute(value === 1);
          break;
        case 'monitor.ab':
          this.monitor.setAb(AB_SOURCES[value] ?? 'processed');
          break;
        case 'monitor.abMatch':
          this.monitor.setMatchMode(MATCH_MODES[value] ?? 'off');
          break;
        case `${this.insert.id}.mode`:
          this.insert.setMode(INSERT_MODES[value] ?? 'insert');
          break;
        case `${this.insert.id}.mixPct`:
          this.insert.setMix(value / 100);
          break;
      }
    };
    for (const s of [...monitorParamSpecs(), ...this.insert.params]) if (params.has(s.id)) apply(s.id, params.get(s.id));
    this.#unwatch = params.watch((changes) => {
      const units = new Set<string>();
      for (const c of changes) {
        apply(c.id, c.value);
        const m = /^outboard\.([^.]+)\./.exec(c.id);
        if (m?.[1] !== undefined) units.add(m[1]);
      }
      for (const u of units) this.#pushUnitParams(u);
    });
  }
}
