import { openAudioFile } from '../audio-file/index.ts';
import { BridgeError } from '../errors.ts';
import {
  BufferSource,
  NoiseSource,
  NullSink,
  RingSink,
  RingSource,
  SilenceSource,
  ToneSource,
  type AudioSink,
  type AudioSource,
  type SinkSpec,
  type SourceSpec,
} from './audio-io.ts';
import type { Chain } from './chain.ts';
import { createChain, type ChainFactoryOptions } from './chain-factory.ts';
import { ChainRunner } from './chain-runner.ts';
import type { Processor } from './processor.ts';
import { CTRL_STOP, CTRL_WAKE, type WorkerInit } from './worker-protocol.ts';

export { stageIdsFor } from './chain-runner.ts';

/** What a worker plugin module may export (see WorkerPluginSpec). */
export interface WorkerPluginModule {
  createInsert?: (id: string, options: unknown) => Processor;
  createSource?: (spec: SourceSpec, ctx: PluginContext) => AudioSource | undefined;
  createSink?: (spec: SinkSpec, ctx: PluginContext) => AudioSink | undefined;
}

export interface PluginContext {
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly channels: number;
  readonly options: unknown;
}

const now = (): number => performance.now();

/**
 * The audio worker's loop, as a class so that tests and offline tools can drive it block by block
 * in their own thread. Per block: read the source, run the chain through the ChainRunner (the
 * parameter table, the meters, the status record), hand the block to the sink. It never waits on
 * the main thread; in realtime mode it sleeps on its own control word until the next block is due.
 * (With an audio interface the device clocks the chain instead: src/devices/audio/interface-host.ts.)
 */
export class AudioRuntime {
  readonly chain: Chain;
  readonly runner: ChainRunner;
  readonly #init: WorkerInit;
  readonly #control: Int32Array;
  readonly #source: AudioSource;
  readonly #sink: AudioSink;
  readonly #buffers: Float32Array[];
  readonly #blockMs: number;

  private constructor(init: WorkerInit, chain: Chain, source: AudioSource, sink: AudioSink) {
    this.#init = init;
    this.chain = chain;
    this.#source = source;
    this.#sink = sink;
    this.#control = new Int32Array(init.control);
    this.#buffers = Array.from({ length: init.channels }, () => new Float32Array(init.blockSize));
    this.runner = new ChainRunner(init, chain);
    this.#blockMs = (1000 * init.blockSize) / init.sampleRate;
  }

  static async create(init: WorkerInit): Promise<AudioRuntime> {
    const plugin = await loadWorkerPlugin(init);
    const ctx: PluginContext = { sampleRate: init.sampleRate, blockSize: init.blockSize, channels: init.channels, options: init.plugin?.options };
    const factory: ChainFactoryOptions = plugin.createInsert
      ? { createInsert: (id: string) => (plugin.createInsert as NonNullable<WorkerPluginModule['createInsert']>)(id, init.plugin?.options) }
      : {};
    const chain = createChain(init.chain, factory);
    const source = plugin.createSource?.(init.source, ctx) ?? (await builtInSource(init.source, init));
    const sink = plugin.createSink?.(init.sink, ctx) ?? builtInSink(init.sink);
    return new AudioRuntime(init, chain, source, sink);
  }

  get blocks(): number {
    return this.runner.blocks;
  }

  get stopRequested(): boolean {
    return Atomics.load(this.#control, CTRL_STOP) !== 0;
  }

  /** One block, start to finish. */
  step(): void {
    const frames = this.#init.blockSize;
    const buffers = this.#buffers;
    const got = this.#source.read(buffers, frames);
    if (got < frames) this.runner.countUnderrun();
    this.runner.process(buffers, frames);
    this.#sink.write(buffers, frames);
    this.runner.publish();
  }

  /** Run until stopped (or `maxFrames`), paced by the sink, the wall clock, or not at all. */
  run(): number {
    const init = this.#init;
    const ctrl = this.#control;
    const blockMs = this.#blockMs;
    const sink = this.#sink;
    const runner = this.runner;
    let next = now();
    while (Atomics.load(ctrl, CTRL_STOP) === 0) {
      if (init.maxFrames > 0 && runner.frames >= init.maxFrames) break;
      if (sink.waitForSpace) {
        if (!sink.waitForSpace(init.blockSize)) runner.countXrun();
      } else if (init.clock === 'realtime') {
        const wait = next - now();
        if (wait > 0) Atomics.wait(ctrl, CTRL_WAKE, 0, wait);
        else if (wait < -blockMs) {
          // More than a block behind the clock: count it and start counting again from now.
          runner.countXrun();
          next = now();
        }
        next += blockMs;
      }
      this.step();
    }
    return runner.frames;
  }
}

/** Load the worker plugin module named in the init (none: an empty module). */
export async function loadWorkerPlugin(init: WorkerInit): Promise<WorkerPluginModule> {
  if (!init.plugin) return {};
  try {
    return (await import(init.plugin.url)) as WorkerPluginModule;
  } catch (err) {
    throw new BridgeError('E_ENGINE_WORKER', `audio worker plugin ${init.plugin.url} failed to load: ${(err as Error).message}`, { cause: err });
  }
}

async function builtInSource(spec: SourceSpec, init: WorkerInit): Promise<AudioSource> {
  switch (spec.kind) {
    case 'silence':
      return new SilenceSource();
    case 'tone': {
      const s = spec as { freqHz: number; levelDbfs: number };
      return new ToneSource(s.freqHz, s.levelDbfs, init.sampleRate);
    }
    case 'noise': {
      const s = spec as { levelDbfs: number; seed?: number };
      return new NoiseSource(s.levelDbfs, init.channels, s.seed ?? 1);
    }
    case 'ring':
      return new RingSource((spec as { buffer: SharedArrayBuffer }).buffer);
    case 'file': {
      const s = spec as { path: string; loop: boolean };
      const reader = await openAudioFile(s.path);
      try {
        if (reader.sampleRate !== init.sampleRate) {
          throw new BridgeError('E_ENGINE_WORKER', `${s.path} is ${reader.sampleRate} Hz, the engine runs at ${init.sampleRate} Hz`);
        }
        const data = Array.from({ length: reader.channels }, () => new Float32Array(reader.frames));
        const chunk = Array.from({ length: reader.channels }, () => new Float32Array(65536));
        let at = 0;
        for (;;) {
          const n = await reader.readInto(chunk, 65536);
          if (n === 0) break;
          for (let c = 0; c < reader.channels; c++) (data[c] as Float32Array).set((chunk[c] as Float32Array).subarray(0, n), at);
          at += n;
        }
        return new BufferSource(data, s.loop);
      } finally {
        await reader.close();
      }
    }
    default:
      throw new BridgeError('E_ENGINE_WORKER', `no audio source of kind ${spec.kind} (a worker plugin adds more)`);
  }
}

function builtInSink(spec: SinkSpec): AudioSink {
  switch (spec.kind) {
    case 'null':
      return new NullSink();
    case 'ring':
      return new RingSink((spec as { buffer: SharedArrayBuffer }).buffer);
    default:
      throw new BridgeError('E_ENGINE_WORKER', `no audio sink of kind ${spec.kind} (a worker plugin adds more)`);
  }
}

