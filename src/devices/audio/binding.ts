/**
 * The audio backend seam. Two implementations: PortAudio through naudiodon in a child process
 * (portaudio-backend.ts, the only place that knows naudiodon exists) and the simulated loop
 * (simulated-loop-backend.ts, firmware-sim's analog models between the insert send and return).
 * Everything above this file (the insert, the calibration, the transport, the print) runs
 * unchanged on either.
 *
 * Behavioural rules every backend keeps:
 * - `open` resolves once the stream runs and `process` is being called; it rejects with a
 *   BridgeError (E_AUDIO_DEVICE: no device matches / cannot open; E_AUDIO_BACKEND: the backend
 *   cannot run on this machine). A failed open leaves the backend closed.
 * - `process` is called once per block, in order, for every input block the device delivers,
 *   never concurrently. A late answer is not an error of the caller: the backend plays silence
 *   in its place, keeps the timeline (the round trip stays the same) and counts an xrun.
 * - Losing the device while open is data, not an exception: status goes to `reconnecting` with
 *   a reason, `process` stops being called, and `retry()` (or the backend's own retry timer)
 *   reopens with the same configuration; status returns to `online` when it succeeds.
 * - `close` always settles within the backend's stop timeout, whatever the native library does.
 */
import type { EventEmitter } from 'node:events';

export interface AudioStreamConfig {
  readonly sampleRate: number;
  /** Frames per `process` call (fixed for the life of the stream). */
  readonly blockSize: number;
  /** Interface input channels opened (1..n; the highest 1-based input channel in use). */
  readonly inputChannels: number;
  /** Interface output channels opened. */
  readonly outputChannels: number;
}

/**
 * One block of the duplex stream, deinterleaved. `input[c]` holds interface input channel c+1,
 * `output[c]` is zeroed before the call and filled by the callee. Runs on the audio path: no
 * allocation, logging, awaiting or throwing.
 */
export type DuplexProcess = (input: readonly Float32Array[], output: readonly Float32Array[], frames: number) => void;

export type BackendStatus = 'closed' | 'connecting' | 'online' | 'reconnecting';

export interface BackendStatusReport {
  readonly status: BackendStatus;
  /** Why (for `reconnecting`: what went wrong; empty when online). */
  readonly reason: string;
}

export interface XrunReport {
  /** Total xruns since the backend was created. */
  readonly total: number;
  /** How many this report adds. */
  readonly added: number;
  /**
   * late: the daemon answered a block after its deadline (silence was played instead);
   * device: the driver reported an over/underflow; gap: the stream stalled and resumed.
   */
  readonly kind: 'late' | 'device' | 'gap';
}

export interface AudioDeviceInfo {
  readonly name: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
  readonly hostApi: string;
}

export interface OpenedStream {
  /** The device actually opened (its full name). */
  readonly device: string;
  readonly config: AudioStreamConfig;
}

export interface AudioBackendEvents {
  status: [BackendStatusReport];
  xrun: [XrunReport];
}

export interface AudioBackend extends EventEmitter<AudioBackendEvents> {
  readonly kind: 'portaudio' | 'simulated';
  readonly status: BackendStatus;
  /** Xruns since the backend was created (all kinds). */
  readonly xruns: number;
  /** Devices the backend can see (the simulated loop lists itself). */
  listDevices(): Promise<AudioDeviceInfo[]>;
  open(config: AudioStreamConfig, process: DuplexProcess): Promise<OpenedStream>;
  /** Reopen after a loss, with the configuration of the last open. No-op unless `reconnecting`. */
  retry(): Promise<void>;
  close(): Promise<void>;
}
