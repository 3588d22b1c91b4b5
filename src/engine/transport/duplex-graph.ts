import type { DuplexProcess } from '../../devices/audio/binding.ts';
import type { ChannelMap } from '../../devices/audio/channel-map.ts';
import { DelayLine } from '../insert/delay-line.ts';
import type { HardwareInsert } from '../insert/hardware-insert.ts';
import type { MonitorOutput } from './monitor-output.ts';
import type { PrintRing } from './print-ring.ts';
import type { SourcePlayer } from './source-player.ts';

/** The digital chain as the graph sees it: in-place block processing and the latency it adds. */
export interface ChainProcessor {
  process(channels: Float32Array[], frames: number): void;
  readonly latencySamples: number;
}

/** Meter taps (the engine's meter bank): called on the audio path with program channels. */
export interface GraphTaps {
  readonly input?: (channels: readonly Float32Array[], frames: number) => void;
  readonly insertSend?: (channels: readonly Float32Array[], frames: number) => void;
  readonly insertReturn?: (channels: readonly Float32Array[], frames: number) => void;
  readonly output?: (channels: readonly Float32Array[], frames: number) => void;
}

export interface DuplexGraphOptions {
  readonly map: ChannelMap;
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly insert: HardwareInsert;
  /**
   * The chain, with the insert in its `insert` slot (the engine's chain). Default: the insert
   * alone. The graph fills the insert's return and empties its send around it.
   */
  readonly chain?: ChainProcessor;
  readonly monitor: MonitorOutput;
  readonly print: PrintRing;
  /** file: the player (a file or the demo programme); input: the interface's source inputs; none: silence. */
  readonly source: 'file' | 'input' | 'none';
  /** The longest chain latency the A/B alignment must cover. */
  readonly maxLatencySamples: number;
  readonly taps?: GraphTaps;
}

/**
 * One block of the studio's audio, on the duplex stream:
 *
 *   source (player | interface source ins) ──► chain (pre ─► insert send/return ─► post)
 *      │                                          ├──► print ring (latency skipped: aligned)
 *      └─► delay (= chain latency) ─► A/B source ─┴──► monitor (A/B, mute, fade, limiter) ─► monitor outs
 *   insert send ─► insert send outs;  insert return ins ─► insert return
 *
 * `process` is the backend's DuplexProcess: it only copies, delays and calls the processors.
 */
export class DuplexGraph {
  readonly map: ChannelMap;
  readonly insert: HardwareInsert;
  readonly monitor: MonitorOutput;
  readonly print: PrintRing;
  readonly #options: DuplexGraphOptions;
  readonly #chain: ChainProcessor;
  readonly #program: Float32Array[];
  readonly #abSource: Float32Array[];
  readonly #monitorOut: Float32Array[];
  readonly #abDelay = new DelayLine();
  #player: SourcePlayer | null = null;
  #frames = 0;

  constructor(options: DuplexGraphOptions) {
    this.#options = options;
    this.map = options.map;
    this.insert = options.insert;
    this.monitor = options.monitor;
    this.print = options.print;
    this.#chain = options.chain ?? options.insert;
    const n = options.map.programChannels;
    const B = options.blockSize;
    this.#program = Array.from({ length: n }, () => new Float32Array(B));
    this.#abSource = Array.from({ length: n }, () => new Float32Array(B));
    this.#monitorOut = Array.from({ length: n }, () => new Float32Array(B));
    this.#abDelay.prepare(n, options.maxLatencySamples, B);
  }

  /** Frames processed since the graph was built (the stream's clock as the graph sees it). */
  get framesProcessed(): number {
    return this.#frames;
  }

  /** What the chain adds between the source and the output (the print and the A/B remove it). */
  get latencySamples(): number {
    return this.#chain.latencySamples;
  }

  get player(): SourcePlayer | null {
    return this.#player;
  }

  /** Swap the source file (control side, between blocks). */
  setPlayer(player: SourcePlayer | null): void {
    this.#player = player;
  }

  readonly process: DuplexProcess = (input, output, frames) => {
    const map = this.map;
    const program = this.#program;
    const n = program.length;
    const taps = this.#options.taps;
    const source = this.#options.source;
    if (source === 'file' && this.#player !== null) {
      this.#player.read(program, frames);
    } else if (source === 'input') {
      for (let c = 0; c < n; c++) copy(program[c] as Float32Array, input[map.sourceIn[c] as number] as Float32Array, frames);
    } else {
      for (let c = 0; c < n; c++) (program[c] as Float32Array).fill(0, 0, frames);
    }
    taps?.input?.(program, frames);
    this.#abDelay.setDelay(this.#chain.latencySamples);
    this.#abDelay.process(program, this.#abSource, frames);
    const ret = this.insert.endpoint.ret;
    for (let c = 0; c < n; c++) copy(ret[c] as Float32Array, input[map.insertReturn[c] as number] as Float32Array, frames);
    taps?.insertReturn?.(ret, frames);
    this.#chain.process(program, frames);
    this.print.write(program, frames);
    taps?.output?.(program, frames);
    this.monitor.process(program, this.#abSource, this.#monitorOut, frames, this.insert.measuring);
    for (let c = 0; c < n; c++) copy(output[map.monitor[c] as number] as Float32Array, this.#monitorOut[c] as Float32Array, frames);
    const send = this.insert.endpoint.send;
    taps?.insertSend?.(send, frames);
    for (let c = 0; c < n; c++) copy(output[map.insertSend[c] as number] as Float32Array, send[c] as Float32Array, frames);
    this.#frames += frames;
  };
}

function copy(dst: Float32Array, src: Float32Array, frames: number): void {
  for (let i = 0; i < frames; i++) dst[i] = src[i] as number;
}
