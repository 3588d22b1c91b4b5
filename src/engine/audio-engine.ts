import type { Worker } from 'node:worker_threads';
import type { EngineSection } from '../config/sections/engine.ts';
import { BridgeError, isBridgeErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ParamSpec } from '../params/param-spec.ts';
import type { ParamChange, ParamStore } from '../params/param-store.ts';
import type { SinkSpec, SourceSpec } from './audio-io.ts';
import { stageIdsFor } from './chain-runner.ts';
import { chainSpecOf, createChain } from './chain-factory.ts';
import type { MeterFeed, MeterSnapshot } from './meter-snapshot.ts';
import { MeterBank } from './meters/meter-bank.ts';
import { createMeterBuffer, MeterBufferReader } from './meters/meter-buffer.ts';
import type { MeterLayout } from './meters/meter-layout.ts';
import { createParamTable, ParamTableWriter } from './param-table.ts';
import { ParamsOnlyProcessor } from './params-only-processor.ts';
import { createSharedRecord, SharedRecordReader } from './shared-record.ts';
import { nativeDsp } from './dsp/native-kernel.ts';
import { spawnTsWorker } from './spawn-ts-worker.ts';
import {
  CONTROL_WORDS,
  CTRL_RESET_PROGRAMME,
  CTRL_STOP,
  CTRL_TIMING,
  CTRL_WAKE,
  STATUS_FIELDS,
  ST_BLOCKS,
  ST_BUSY_US,
  ST_FRAMES,
  ST_LATENCY,
  ST_MAX_BLOCK_US,
  ST_NONFINITE,
  ST_PARAM_BLOCK,
  ST_PARAM_SEQ,
  ST_PARAM_WALL_MS,
  ST_SOURCE_UNDERRUNS,
  ST_STATE_RESETS,
  ST_TIMED_FRAMES,
  ST_XRUNS,
  type ClockMode,
  type HostCommand,
  type HostError,
  type WorkerInit,
  type WorkerMessage,
  type WorkerPluginSpec,
} from './worker-protocol.ts';

export interface AudioEngineOptions {
  readonly store: ParamStore;
  readonly engineConfig: EngineSection;
  readonly log: Logger;
  /** Channels of the program (default 2). */
  readonly channels?: number;
  /** Default: silence (the audio layer passes its source through the plugin). */
  readonly source?: SourceSpec;
  /** Default: the null sink. */
  readonly sink?: SinkSpec;
  /** realtime (default): one block per block period; freewheel: as fast as possible (offline, benches). */
  readonly clock?: ClockMode;
  /**
   * The audio layer's worker plugin (hardware insert, interface backends). `insertParams` lists
   * the parameters of the insert processor its `createInsert` builds (in index order, ids with the
   * `insert.` prefix), so they are registered here before the worker exists.
   */
  readonly plugin?: WorkerPluginSpec & { readonly insertParams?: readonly ParamSpec[] };
  /** Freewheel: stop after this many frames (0 = run until stop()). */
  readonly maxFrames?: number;
  /** How often the meter buffer is polled for subscribers (default: engine.meterRateHz). */
  readonly meterPollHz?: number;
  /**
   * A host module that clocks the chain from the worker (the audio interface's stream): see
   * WorkerInit.host. Talk to it with `request`, `post` and `onHostEvent`.
   */
  readonly host?: WorkerPluginSpec | (() => WorkerPluginSpec);
  /**
   * The parameters of the processor in the chain's insert slot, when the worker builds it (the
   * host's hardware insert): registered here, in index order, with the `insert.` prefix.
   */
  readonly insertParams?: readonly ParamSpec[];
  /** How long `stop()` waits for the worker before terminating it (default 2000 ms). */
  readonly stopTimeoutMs?: number;
}

export interface EngineStatus {
  readonly running: boolean;
  readonly blocks: number;
  readonly frames: number;
  readonly xruns: number;
  readonly sourceUnderruns: number;
  readonly latencySamples: number;
  readonly nonFiniteSamples: number;
  readonly stateResets: number;
  /** Processing time / audio time while timing probes were on (one core), 0..1+; 0 without. */
  readonly load: number;
  /** Longest block while timing probes were on (`probeTiming`). */
  readonly maxBlockUs: number;
  /** The insert slot: `passthrough` until the audio layer plugs the hardware insert in. */
  readonly insert: string;
}

/** When a parameter change was heard: the table sequence that carried it, the block, the wall clock (with `probeTiming`). */
export interface AppliedParams {
  readonly sequence: number;
  readonly block: number;
  readonly wallMs: number;
}

/**
 * The main-thread host of the digital chain. On construction it registers every parameter of
 * the configured chain in the ParamStore (then applies `engine.params`) and mirrors every later
 * store change into the shared parameter table; the worker picks changes up at its next block
 * boundary. `start()` spawns the audio worker, `stop()` ends it. Meter frames come back through
 * the shared meter buffer and are offered as a MeterFeed. The main thread never touches samples.
 */
export class AudioEngine implements MeterFeed {
  readonly params: readonly ParamSpec[];
  readonly meterLayout: MeterLayout;
  readonly #opts: AudioEngineOptions;
  readonly #log: Logger;
  readonly #index = new Map<string, number>();
  readonly #table: ParamTableWriter;
  readonly #tableSab: SharedArrayBuffer;
  readonly #statusSab = createSharedRecord(STATUS_FIELDS);
  readonly #status = new SharedRecordReader(this.#statusSab);
  readonly #controlSab = new SharedArrayBuffer(4 * CONTROL_WORDS);
  readonly #control = new Int32Array(this.#controlSab);
  readonly #meterSab: SharedArrayBuffer;
  readonly #meters: MeterBufferReader;
  readonly #listeners = new Set<(snapshot: MeterSnapshot) => void>();
  readonly #unwatch: () => void;
  #worker: Worker | undefined;
  #stopped: Promise<void> | undefined;
  #latest: MeterSnapshot | undefined;
  #lastSeq = -1;
  #poll: NodeJS.Timeout | undefined;
  #insertName = 'none';
  #disposed = false;
  #lastWriteSeq = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #hostListeners = new Set<(name: string, payload: unknown) => void>();
  #nextRequest = 1;

  constructor(options: AudioEngineOptions) {
    this.#opts = options;
    this.#log = options.log;
    const { store, engineConfig } = options;
    const insertParams = options.insertParams ?? options.plugin?.insertParams;
    // The same deterministic factory the worker uses: the parameter indices agree.
    const chain = createChain(chainSpecOf(engineConfig), insertParams ? { createInsert: (id) => new ParamsOnlyProcessor(id, 'insert', insertParams) } : {});
    this.params = chain.params;
    this.params.forEach((p, i) => this.#index.set(p.id, i));
    const channels = options.channels ?? 2;
    this.meterLayout = MeterBank.layoutFor(engineConfig.sampleRate, channels, stageIdsFor(chain), chain.dynamics.map((d) => d.id));
    this.#meterSab = createMeterBuffer(this.meterLayout);
    this.#meters = new MeterBufferReader(this.#meterSab, this.meterLayout);
    store.register(this.params);
    const initial = Object.entries(engineConfig.params);
    if (initial.length > 0) {
      try {
        store.setMany(initial, 'session');
      } catch (err) {
        store.unregister('chain.');
        for (const p of this.params) if (store.has(p.id)) store.unregister(p.id);
        throw new BridgeError('E_CONFIG_INVALID', `engine.params: ${(err as Error).message}`, { cause: err, details: { path: 'engine.params' } });
      }
    }
    this.#tableSab = createParamTable(
      this.params.length,
      this.params.map((p) => store.get(p.id)),
    );
    this.#table = new ParamTableWriter(this.#tableSab);
    // Publish the initial values as sequence 2 (the worker applies them before its first block).
    this.#table.write([]);
    this.#unwatch = store.watch((changes) => this.#onChanges(changes));
  }

  /** Index of a parameter in the chain (and the table), -1 if it is not an engine parameter. */
  indexOf(id: string): number {
    return this.#index.get(id) ?? -1;
  }

  #onChanges(changes: readonly ParamChange[]): void {
    const entries: [number, number][] = [];
    for (const c of changes) {
      const i = this.#index.get(c.id);
      if (i !== undefined) entries.push([i, c.value]);
    }
    if (entries.length > 0) this.#lastWriteSeq = this.#table.write(entries);
  }

  /** Sequence of the parameter table after the latest ParamStore change (for latency probes). */
  get parameterSequence(): number {
    return this.#lastWriteSeq;
  }

  get running(): boolean {
    return this.#worker !== undefined;
  }

  async start(): Promise<void> {
    if (this.#disposed) throw new BridgeError('E_ENGINE_WORKER', 'the audio engine was disposed');
    if (this.#worker) return;
    const cfg = this.#opts.engineConfig;
    Atomics.store(this.#control, CTRL_STOP, 0);
    const init: WorkerInit = {
      chain: chainSpecOf(cfg),
      sampleRate: cfg.sampleRate,
      blockSize: cfg.blockSize,
      channels: this.#opts.channels ?? 2,
      meterRateHz: cfg.meterRateHz,
      clock: this.#opts.clock ?? 'realtime',
      source: this.#opts.source ?? { kind: 'silence' },
      sink: this.#opts.sink ?? { kind: 'null' },
      ...(this.#opts.plugin ? { plugin: { url: this.#opts.plugin.url, options: this.#opts.plugin.options } } : {}),
      ...(this.#opts.host ? { host: typeof this.#opts.host === 'function' ? this.#opts.host() : this.#opts.host } : {}),
      paramTable: this.#tableSab,
      status: this.#statusSab,
      control: this.#controlSab,
      meterBuffer: this.#meterSab,
      meterLayout: this.meterLayout,
      maxFrames: this.#opts.maxFrames ?? 0,
    };
    // The worker loads the same addon file; say here which kernels it will run.
    const dsp = nativeDsp();
    if (dsp.ok) this.#log.info({ kernels: dsp.addon.kernels(false), isa: dsp.isa }, 'native DSP kernels');
    else this.#log.warn(`${dsp.reason}: the WebAssembly kernels run (the same output to the bit, slower)`);
    const worker = spawnTsWorker(new URL('./audio-worker.ts', import.meta.url), { workerData: init, name: 'hybrid-bridge audio' });
    this.#worker = worker;
    let resolveStopped: () => void = () => undefined;
    this.#stopped = new Promise<void>((resolve) => {
      resolveStopped = resolve;
    });
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          ready = true;
          this.#insertName = m.insert;
          this.#log.info({ latencySamples: m.latencySamples, insert: m.insert, sampleRate: cfg.sampleRate, blockSize: cfg.blockSize }, 'audio worker running');
          resolve();
        } else if (m.type === 'error') {
          const err = new BridgeError('E_ENGINE_WORKER', `audio worker: ${m.message}`, { details: { code: m.code } });
          if (!ready) reject(err);
          else this.#log.error({ err }, 'audio worker failed');
        } else if (m.type === 'stopped') {
          this.#log.info({ frames: m.frames }, 'audio worker stopped');
          // A hosted worker may hold handles its host forgot: it has said goodbye, end it.
          if (this.#opts.host) void worker.terminate();
        } else if (m.type === 'host.reply') {
          const p = this.#pending.get(m.id);
          this.#pending.delete(m.id);
          if (p && m.ok) p.resolve(m.value);
          else if (p && !m.ok) p.reject(hostError(m.error));
        } else if (m.type === 'host.event') {
          for (const l of this.#hostListeners) {
            try {
              l(m.name, m.payload);
            } catch (err) {
              this.#log.error({ err, event: m.name }, 'host event listener threw');
            }
          }
        }
      });
      worker.on('error', (err) => {
        this.#log.error({ err }, 'audio worker crashed');
        if (!ready) reject(new BridgeError('E_ENGINE_WORKER', `audio worker crashed: ${err.message}`, { cause: err }));
      });
      worker.on('exit', (code) => {
        this.#worker = undefined;
        for (const p of this.#pending.values()) p.reject(new BridgeError('E_ENGINE_WORKER', `the audio worker exited (code ${code})`));
        this.#pending.clear();
        this.#stopPolling();
        this.#readMeters();
        if (!ready) reject(new BridgeError('E_ENGINE_WORKER', `audio worker exited (code ${code}) before it was ready`));
        resolveStopped();
      });
    });
    // Polled, not notified: Atomics.notify from the worker would allocate on the audio path.
    const hz = this.#opts.meterPollHz ?? cfg.meterRateHz;
    this.#poll = setInterval(() => this.#readMeters(), Math.max(5, Math.round(1000 / hz)));
    this.#poll.unref();
  }

  /** Resolves when the worker has exited (by stop(), maxFrames, or a crash). */
  async whenStopped(): Promise<void> {
    await this.#stopped;
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    Atomics.store(this.#control, CTRL_STOP, 1);
    Atomics.notify(this.#control, CTRL_WAKE);
    if (this.#opts.host) this.#command({ type: 'host.stop' });
    const stopped = this.#stopped;
    const ms = this.#opts.stopTimeoutMs ?? 2000;
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
    if ((await Promise.race([stopped, timeout])) === 'timeout') {
      this.#log.warn(`audio worker did not stop within ${ms} ms: terminating it`);
      await worker.terminate();
      await stopped;
    }
  }

  /** Stop and release the ParamStore subscription (the parameters stay registered). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#unwatch();
    await this.stop();
  }

  /**
   * Ask the worker's host to do something (calibrate, print, transport): resolves with its answer,
   * rejects with its BridgeError (same code). Aborting the signal aborts it in the worker.
   */
  request<T>(op: string, args: unknown = null, signal?: AbortSignal): Promise<T> {
    if (!this.#worker || !this.#opts.host) {
      return Promise.reject(new BridgeError('E_ENGINE_WORKER', this.#opts.host ? 'the audio worker is not running' : 'the audio worker has no host'));
    }
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const id = this.#nextRequest++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => this.#command({ type: 'host.abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as T);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.#command({ type: 'host.request', id, op, args });
    });
  }

  /** One-way message to the worker's host (the parameter mirror); dropped when no worker runs. */
  post(op: string, args: unknown): void {
    if (this.#worker && this.#opts.host) this.#command({ type: 'host.post', op, args });
  }

  /** Events from the worker's host (status, xruns, calibration and transport states, logs). */
  onHostEvent(listener: (name: string, payload: unknown) => void): () => void {
    this.#hostListeners.add(listener);
    return () => {
      this.#hostListeners.delete(listener);
    };
  }

  #command(c: HostCommand): void {
    this.#worker?.postMessage(c);
  }

  /**
   * Timing probes on the audio path (benches, diagnostics): per-block processing time (`load`,
   * `maxBlockUs`), the wall time a parameter change left (`appliedParams().wallMs`) and each meter
   * frame's publish time (`publishedMs`). Off by default: reading the clock allocates.
   */
  probeTiming(on: boolean): void {
    Atomics.store(this.#control, CTRL_TIMING, on ? 1 : 0);
    this.#meters.stampPublishes(on);
  }

  /** Restart the programme meters (integrated loudness, LRA, maxima), e.g. at the start of a print. */
  resetProgramme(): void {
    Atomics.add(this.#control, CTRL_RESET_PROGRAMME, 1);
  }

  status(): EngineStatus {
    this.#status.read();
    const v = this.#status.values;
    const frames = v[ST_FRAMES] as number;
    const audioUs = ((v[ST_TIMED_FRAMES] as number) / this.#opts.engineConfig.sampleRate) * 1e6;
    return {
      running: this.running,
      blocks: v[ST_BLOCKS] as number,
      frames,
      xruns: v[ST_XRUNS] as number,
      sourceUnderruns: v[ST_SOURCE_UNDERRUNS] as number,
      latencySamples: v[ST_LATENCY] as number,
      nonFiniteSamples: v[ST_NONFINITE] as number,
      stateResets: v[ST_STATE_RESETS] as number,
      load: audioUs > 0 ? (v[ST_BUSY_US] as number) / audioUs : 0,
      maxBlockUs: v[ST_MAX_BLOCK_US] as number,
      insert: this.#insertName,
    };
  }

  /** The latest parameter table the worker applied (sequence, block index, wall clock of its output). */
  appliedParams(): AppliedParams {
    this.#status.read();
    const v = this.#status.values;
    return { sequence: v[ST_PARAM_SEQ] as number, block: v[ST_PARAM_BLOCK] as number, wallMs: v[ST_PARAM_WALL_MS] as number };
  }

  subscribe(listener: (snapshot: MeterSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  latest(): MeterSnapshot | undefined {
    this.#readMeters();
    return this.#latest;
  }

  #readMeters(): void {
    const snap = this.#meters.read();
    if (!snap || snap.seq === this.#lastSeq) return;
    this.#lastSeq = snap.seq;
    this.#latest = snap;
    for (const l of this.#listeners) {
      try {
        l(snap);
      } catch (err) {
        this.#log.error({ err }, 'meter subscriber threw');
      }
    }
  }

  #stopPolling(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
  }
}

function hostError(e: HostError): BridgeError {
  const code = isBridgeErrorCode(e.code) ? e.code : 'E_ENGINE_WORKER';
  return new BridgeError(code, e.message, { details: { ...e.details, ...(code !== e.code ? { code: e.code } : {}) } });
}
