import type { ChainSpec } from './chain-factory.ts';
import type { SinkSpec, SourceSpec } from './audio-io.ts';
import type { MeterLayout } from './meters/meter-layout.ts';

/**
 * What the main thread and the audio worker exchange. Messages only at start and stop; while
 * running, everything goes through shared memory: the parameter table (main -> worker), the
 * status record and the meter buffer (worker -> main), the control words (main -> worker).
 */
export type ClockMode = 'realtime' | 'freewheel';

export interface WorkerPluginSpec {
  /**
   * Module URL loaded in the worker. It may export `createInsert(id, options): Processor`,
   * `createSource(spec, ctx): AudioSource | undefined` and `createSink(spec, ctx): AudioSink | undefined`
   * (the audio-interface layer's hardware insert and backends).
   */
  readonly url: string;
  readonly options?: unknown;
}

export interface WorkerInit {
  readonly chain: ChainSpec;
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly channels: number;
  readonly meterRateHz: number;
  readonly clock: ClockMode;
  readonly source: SourceSpec;
  readonly sink: SinkSpec;
  readonly plugin?: WorkerPluginSpec;
  /**
   * A host module that clocks the chain instead of the worker's own loop (the audio interface:
   * src/devices/audio/interface-host.ts). It exports `startHost(init, link): Promise<HostHandle>`;
   * the source, sink and clock fields are then unused.
   */
  readonly host?: WorkerPluginSpec;
  readonly paramTable: SharedArrayBuffer;
  readonly status: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly meterBuffer: SharedArrayBuffer;
  readonly meterLayout: MeterLayout;
  /** Stop after this many frames (freewheel runs in tests and benches); 0 = until stopped. */
  readonly maxFrames: number;
}

export interface HostError {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly latencySamples: number; readonly insert: string }
  | { readonly type: 'stopped'; readonly frames: number }
  | { readonly type: 'error'; readonly code: string; readonly message: string }
  | { readonly type: 'host.reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'host.reply'; readonly id: number; readonly ok: false; readonly error: HostError }
  | { readonly type: 'host.event'; readonly name: string; readonly payload: unknown };

/**
 * Main thread to a hosted worker (control only, never samples): a request answered by one
 * `host.reply`, its abort, a one-way post (parameter mirror), and the stop.
 */
export type HostCommand =
  | { readonly type: 'host.request'; readonly id: number; readonly op: string; readonly args: unknown }
  | { readonly type: 'host.abort'; readonly id: number }
  | { readonly type: 'host.post'; readonly op: string; readonly args: unknown }
  | { readonly type: 'host.stop' };

/** What the worker entry gives a host module: events out, requests and posts in. */
export interface HostLink {
  emit(name: string, payload: unknown): void;
  onRequest(handler: (op: string, args: unknown, signal: AbortSignal) => Promise<unknown>): void;
  onPost(handler: (op: string, args: unknown) => void): void;
}

/** A running host (returned by the host module's `startHost`). */
export interface HostHandle {
  readonly latencySamples: number;
  readonly insert: string;
  /** Stop the stream and release everything; resolves with the frames processed. */
  stop(): Promise<number>;
}

/** Control words (Int32): the main thread stores, the worker loads once per block. */
export const CTRL_STOP = 0;
/** Incremented to ask the worker to restart the programme meters (integrated loudness, maxima). */
export const CTRL_RESET_PROGRAMME = 1;
/** The worker sleeps on this word between blocks (realtime clock): notify it to wake early. */
export const CTRL_WAKE = 2;
/**
 * Non-zero: the worker reads the clock on the audio path (per-block processing time for the load
 * and longest-block figures, the wall time a parameter change left). Off by default: reading the
 * clock allocates (performance.now(): 1-3 bytes a call, measured in plain node).
 */
export const CTRL_TIMING = 3;
export const CONTROL_WORDS = 4;

/**
 * Status record (Float64, behind a seqlock like the parameter table): written by the worker after
 * every block, read by the main thread whenever it likes.
 */
export const ST_BLOCKS = 0;
export const ST_FRAMES = 1;
/** Parameter table sequence applied most recently, and the block (index) that first carried it. */
export const ST_PARAM_SEQ = 2;
export const ST_PARAM_BLOCK = 3;
/** performance.timeOrigin + performance.now() when that block was handed to the sink (0 unless CTRL_TIMING). */
export const ST_PARAM_WALL_MS = 4;
export const ST_XRUNS = 5;
export const ST_NONFINITE = 6;
export const ST_STATE_RESETS = 7;
/** Longest process time of one block since start (while CTRL_TIMING is on), microseconds. */
export const ST_MAX_BLOCK_US = 8;
/** Total time spent processing, microseconds (load = busy / audio time). */
export const ST_BUSY_US = 9;
export const ST_LATENCY = 10;
export const ST_SOURCE_UNDERRUNS = 11;
/** Frames processed while CTRL_TIMING was on (ST_BUSY_US covers only those). */
export const ST_TIMED_FRAMES = 12;
export const STATUS_FIELDS = 16;
