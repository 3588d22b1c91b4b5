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
import { TAP_OUTPUT, type ChainTaps } from './chain-taps.ts';
import type { Chain } from './chain.ts';
import { createChain, type ChainFactoryOptions } from './chain-factory.ts';
import { MeterBank } from './meters/meter-bank.ts';
import { MeterBufferWriter } from './meters/meter-buffer.ts';
import { ParamTableReader } from './param-table.ts';
import type { Processor } from './processor.ts';
import { SharedRecordWriter } from './shared-record.ts';
import {
  CTRL_RESET_PROGRAMME,
  CTRL_STOP,
  CTRL_WAKE,
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
  ST_XRUNS,
  type WorkerInit,
} from './worker-protocol.ts';

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

/** Stage ids of the meter bank for a chain (the insert taps only when there is an insert slot). */
export function stageIdsFor(chain: Chain): string[] {
  return chain.insert ? ['input', 'insertSend', 'insertReturn', 'output'] : ['input', 'output'];
}

/** Routes the chain's taps to the meter bank; the output tap also feeds loudness / true peak / spectrum. */
class MeterTaps implements ChainTaps {
  readonly #bank: MeterBank;
  readonly #stage: Int32Array;

  constructor(bank: MeterBank, hasInsert: boolean) {
    this.#bank = bank;
    this.#stage = hasInsert ? Int32Array.of(0, 1, 2, 3) : Int32Array.of(0, -1, -1, 1);
  }

  tap(point: number, channels: readonly Float32Array[], frames: number): void {
    const s = this.#stage[point] as number;
    if (s >= 0) this.#bank.tap(s, channels, frames);
    if (point === TAP_OUTPUT) this.#bank.measure(channels, frames);
  }
}

const now = (): number => performance.now();

/**
 * The audio worker's loop, as a class so that tests and offline tools can drive it block by block
 * in their own thread. Per block: apply the parameter table (if it changed), read the source, run
 * the chain (its taps feed the meter bank), hand the block to the sink, publish meters at the
 * meter rate, update the status record. It never waits on the main thread; in realtime mode it
 * sleeps on its own control word until the next block is due.
 */
export class AudioRuntime {
  readonly chain: Chain;
  readonly #init: WorkerInit;
  readonly #params: ParamTableReader;
  readonly #status: SharedRecordWriter;
  readonly #control: Int32Array;
  readonly #bank = new MeterBank();
  readonly #meterWriter: MeterBufferWriter;
  readonly #source: AudioSource;
  readonly #sink: AudioSink;
  readonly #buffers: Float32Array[];
  readonly #blockMs: number;
  readonly #meterInterval: number;
  #framesToMeter: number;
  #blocks = 0;
  #frames = 0;
  #xruns = 0;
  #underruns = 0;
  #maxBlockUs = 0;
  #busyUs = 0;
  #paramSeq = -1;
  #paramBlock = -1;
  #paramWallMs = 0;
  #resetProgramme = 0;

  private constructor(init: WorkerInit, chain: Chain, source: AudioSource, sink: AudioSink) {
    this.#init = init;
    this.chain = chain;
    this.#source = source;
    this.#sink = sink;
    this.#params = new ParamTableReader(init.paramTable);
    this.#status = new SharedRecordWriter(init.status);
    this.#control = new Int32Array(init.control);
    this.#buffers = Array.from({ length: init.channels }, () => new Float32Array(init.blockSize));
    // The values the session starts with are set before prepare(), which snaps every glide to
    // its target: the first block already runs at them instead of gliding from the defaults.
    const n = this.#params.poll();
    for (let k = 0; k < n; k++) {
      const i = this.#params.changed[k] as number;
      chain.setParam(i, this.#params.values[i] as number);
    }
    chain.prepare(init.sampleRate, init.blockSize, init.channels);
    warmUp(chain, this.#buffers, init.blockSize, init.sampleRate);
    const stageIds = stageIdsFor(chain);
    const grIds = chain.dynamics.map((d) => d.id);
    this.#bank.prepare(init.sampleRate, init.blockSize, init.channels, stageIds, grIds);
    this.#meterWriter = new MeterBufferWriter(init.meterBuffer, init.meterLayout);
    chain.setTaps(new MeterTaps(this.#bank, chain.insert !== undefined));
    this.#blockMs = (1000 * init.blockSize) / init.sampleRate;
    this.#meterInterval = Math.max(init.blockSize, Math.round(init.sampleRate / init.meterRateHz));
    this.#framesToMeter = this.#meterInterval;
    this.#resetProgramme = Atomics.load(this.#control, CTRL_RESET_PROGRAMME);
  }

  static async create(init: WorkerInit): Promise<AudioRuntime> {
    let plugin: WorkerPluginModule = {};
    if (init.plugin) {
      try {
        plugin = (await import(init.plugin.url)) as WorkerPluginModule;
      } catch (err) {
        throw new BridgeError('E_ENGINE_WORKER', `audio worker plugin ${init.plugin.url} failed to load: ${(err as Error).message}`, { cause: err });
      }
    }
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
    return this.#blocks;
  }

  get stopRequested(): boolean {
    return Atomics.load(this.#control, CTRL_STOP) !== 0;
  }

  /** One block, start to finish. */
  step(): void {
    const chain = this.chain;
    const params = this.#params;
    const n = params.poll();
    let applied = false;
    if (n > 0) {
      const changed = params.changed;
      const values = params.values;
      for (let k = 0; k < n; k++) {
        const i = changed[k] as number;
        chain.setParam(i, values[i] as number);
      }
      applied = true;
    } else if (n === 0 && params.sequence !== this.#paramSeq) {
      // A write that changed nothing (same values): still a new sequence for the latency probe.
      applied = params.sequence >= 0;
    }
    const rp = Atomics.load(this.#control, CTRL_RESET_PROGRAMME);
    if (rp !== this.#resetProgramme) {
      this.#resetProgramme = rp;
      this.#bank.resetProgramme();
    }
    const frames = this.#init.blockSize;
    const buffers = this.#buffers;
    const got = this.#source.read(buffers, frames);
    if (got < frames) this.#underruns++;
    const t0 = now();
    const nonFiniteBefore = chain.nonFiniteInput;
    chain.process(buffers, frames);
    const dyn = chain.dynamics;
    for (let d = 0; d < dyn.length; d++) this.#bank.setGainReduction(d, (dyn[d] as (typeof dyn)[number]).slot.inner.gainReductionDb);
    const nf = chain.nonFiniteInput - nonFiniteBefore;
    if (nf > 0) this.#bank.countNonFinite(nf);
    const us = (now() - t0) * 1000;
    this.#busyUs += us;
    if (us > this.#maxBlockUs) this.#maxBlockUs = us;
    this.#sink.write(buffers, frames);
    if (applied) {
      this.#paramSeq = params.sequence;
      this.#paramBlock = this.#blocks;
      this.#paramWallMs = performance.timeOrigin + now();
    }
    this.#framesToMeter -= frames;
    if (this.#framesToMeter <= 0) {
      this.#framesToMeter += this.#meterInterval;
      this.#bank.publish(this.#meterWriter);
    }
    this.#blocks++;
    this.#frames += frames;
    this.#writeStatus();
  }

  #writeStatus(): void {
    const st = this.#status;
    const v = st.values;
    st.begin();
    v[ST_BLOCKS] = this.#blocks;
    v[ST_FRAMES] = this.#frames;
    v[ST_PARAM_SEQ] = this.#paramSeq;
    v[ST_PARAM_BLOCK] = this.#paramBlock;
    v[ST_PARAM_WALL_MS] = this.#paramWallMs;
    v[ST_XRUNS] = this.#xruns;
    v[ST_NONFINITE] = this.chain.nonFiniteInput + this.chain.nonFiniteOutput;
    v[ST_STATE_RESETS] = this.chain.stateResets;
    v[ST_MAX_BLOCK_US] = this.#maxBlockUs;
    v[ST_BUSY_US] = this.#busyUs;
    v[ST_LATENCY] = this.chain.latencySamples;
    v[ST_SOURCE_UNDERRUNS] = this.#underruns;
    st.commit();
  }

  /** Run until stopped (or `maxFrames`), paced by the sink, the wall clock, or not at all. */
  run(): number {
    const init = this.#init;
    const ctrl = this.#control;
    const blockMs = this.#blockMs;
    const sink = this.#sink;
    let next = now();
    while (Atomics.load(ctrl, CTRL_STOP) === 0) {
      if (init.maxFrames > 0 && this.#frames >= init.maxFrames) break;
      if (sink.waitForSpace) {
        if (!sink.waitForSpace(init.blockSize)) this.#xrun();
      } else if (init.clock === 'realtime') {
        const wait = next - now();
        if (wait > 0) Atomics.wait(ctrl, CTRL_WAKE, 0, wait);
        else if (wait < -blockMs) {
          // More than a block behind the clock: count it and start counting again from now.
          this.#xrun();
          next = now();
        }
        next += blockMs;
      }
      this.step();
    }
    return this.#frames;
  }

  #xrun(): void {
    this.#xruns++;
    this.#bank.countXrun();
  }
}

/**
 * Run about a second of noise through the chain (no taps yet), then reset it: V8 compiles the
 * hot loops before the first real block instead of during the first real blocks, which would
 * otherwise run 10-50x slower and overrun their deadline.
 */
function warmUp(chain: Chain, buffers: Float32Array[], blockSize: number, sampleRate: number): void {
  const noise = new NoiseSource(-20, buffers.length, 99);
  const blocks = Math.ceil(sampleRate / blockSize);
  for (let b = 0; b < blocks; b++) {
    noise.read(buffers, blockSize);
    chain.process(buffers, blockSize);
  }
  chain.reset();
  for (let c = 0; c < buffers.length; c++) (buffers[c] as Float32Array).fill(0);
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

