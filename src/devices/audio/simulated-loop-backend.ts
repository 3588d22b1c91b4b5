import { EventEmitter } from 'node:events';
import { BridgeError } from '../../errors.ts';
import { DelayLine } from '../../engine/insert/delay-line.ts';
import type {
  AudioBackend,
  AudioBackendEvents,
  AudioDeviceInfo,
  AudioStreamConfig,
  BackendStatus,
  DuplexProcess,
  OpenedStream,
} from './binding.ts';
import type { SimulatedRack } from './simulated-rack.ts';

export const SIMULATED_DEVICE_NAME = 'Simulated interface (insert loop)';

export interface SimulatedLoopOptions {
  /** The patch cables: 0-based output channels (the insert send) into 0-based input channels (the return). */
  readonly patch: { readonly from: ArrayLike<number>; readonly to: ArrayLike<number> };
  /** DA + AD converter latency; the round trip seen by the duplex callback is this plus one block. */
  readonly latencySamples: number;
  readonly gainDb: number;
  readonly polarity: 1 | -1;
  /** The analog units between send and return (none: a wire). */
  readonly rack?: SimulatedRack;
  /**
   * realtime: blocks at the sample rate's pace (the daemon); fast: as fast as the CPU allows,
   * yielding to the event loop between batches (tests); manual: only `step()` runs blocks.
   */
  readonly pace: 'realtime' | 'fast' | 'manual';
  /** Blocks per batch in `fast` pace before yielding (default 8). */
  readonly batchBlocks?: number;
  /** Fills the interface inputs that are not the return (a DAW feeding the source inputs). */
  readonly inputs?: (input: readonly Float32Array[], frames: number) => void;
  /** Sees every output block after the callback (what the monitor speakers would get). */
  readonly outputTap?: (output: readonly Float32Array[], frames: number) => void;
}

/**
 * The simulated interface: a duplex "device" whose insert send outputs are patched, through
 * firmware-sim's analog models, back into its return inputs with a converter latency, a gain
 * offset and a polarity. It behaves like a real interface: the output of one callback is
 * played during the next block period, so the return of send sample n arrives as input sample
 * n + blockSize + latencySamples.
 */
export class SimulatedLoopBackend extends EventEmitter<AudioBackendEvents> implements AudioBackend {
  readonly kind = 'simulated' as const;
  readonly #options: SimulatedLoopOptions;
  #status: BackendStatus = 'closed';
  #plugged = true;
  #config: AudioStreamConfig | undefined;
  #process: DuplexProcess | undefined;
  #input: Float32Array[] = [];
  #output: Float32Array[] = [];
  /** The send as it leaves the interface, through the rack, then the converters. */
  #loop: Float32Array[] = [];
  /** The loop's output of the previous block: this block's return. */
  #pending: Float32Array[] = [];
  readonly #converter = new DelayLine();
  #gain = 1;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #startMs = 0;
  #blocksRun = 0;
  #framesRun = 0;

  constructor(options: SimulatedLoopOptions) {
    super();
    if (options.patch.from.length !== options.patch.to.length) throw new TypeError('simulated loop: patch from/to lengths differ');
    if (!Number.isInteger(options.latencySamples) || options.latencySamples < 0) throw new TypeError(`simulated loop: latency ${options.latencySamples}`);
    this.#options = options;
    this.#gain = options.polarity * Math.pow(10, options.gainDb / 20);
  }

  get status(): BackendStatus {
    return this.#status;
  }

  get xruns(): number {
    return 0;
  }

  /** Frames processed since open (the stream's clock). */
  get framesProcessed(): number {
    return this.#framesRun;
  }

  async listDevices(): Promise<AudioDeviceInfo[]> {
    return [{ name: SIMULATED_DEVICE_NAME, maxInputChannels: 64, maxOutputChannels: 64, defaultSampleRate: 48000, hostApi: 'simulated' }];
  }

  async open(config: AudioStreamConfig, process: DuplexProcess): Promise<OpenedStream> {
    if (this.#status !== 'closed') throw new BridgeError('E_AUDIO_STREAM', 'simulated loop: already open');
    const { from, to } = this.#options.patch;
    for (let i = 0; i < from.length; i++) {
      if ((from[i] as number) >= config.outputChannels || (to[i] as number) >= config.inputChannels) {
        throw new BridgeError('E_AUDIO_DEVICE', `simulated loop: patch ${(from[i] as number) + 1}->${(to[i] as number) + 1} is outside the opened channels`);
      }
    }
    this.#config = config;
    this.#process = process;
    const B = config.blockSize;
    this.#input = Array.from({ length: config.inputChannels }, () => new Float32Array(B));
    this.#output = Array.from({ length: config.outputChannels }, () => new Float32Array(B));
    this.#loop = Array.from({ length: from.length }, () => new Float32Array(B));
    this.#pending = Array.from({ length: from.length }, () => new Float32Array(B));
    this.#converter.prepare(from.length, this.#options.latencySamples, B);
    this.#converter.setDelay(this.#options.latencySamples);
    this.#options.rack?.prepare(config.sampleRate, B);
    this.#setStatus('connecting', '');
    if (!this.#plugged) {
      this.#setStatus('reconnecting', 'simulated interface unplugged');
      return { device: SIMULATED_DEVICE_NAME, config };
    }
    this.#run();
    return { device: SIMULATED_DEVICE_NAME, config };
  }

  async retry(): Promise<void> {
    if (this.#status !== 'reconnecting') return;
    if (!this.#plugged) return;
    this.#run();
  }

  async close(): Promise<void> {
    this.#halt();
    this.#process = undefined;
    if (this.#status !== 'closed') this.#setStatus('closed', '');
  }

  /** Simulate the interface disappearing (USB cable pulled): the stream stops, status `reconnecting`. */
  unplug(): void {
    this.#plugged = false;
    if (this.#status === 'online' || this.#status === 'connecting') {
      this.#halt();
      this.#setStatus('reconnecting', 'simulated interface unplugged');
    }
  }

  /** The interface is back; the next `retry()` reopens the stream. */
  plug(): void {
    this.#plugged = true;
  }

  /** Run `blocks` blocks now (any pace; the only way blocks run in `manual` pace). */
  step(blocks: number): void {
    if (this.#status !== 'online') throw new BridgeError('E_AUDIO_STREAM', `simulated loop: cannot step while ${this.#status}`);
    for (let i = 0; i < blocks; i++) this.#block();
  }

  #run(): void {
    this.#setStatus('online', '');
    this.#startMs = performance.now();
    this.#blocksRun = 0;
    const pace = this.#options.pace;
    if (pace === 'realtime') this.#tickRealtime();
    else if (pace === 'fast') this.#tickFast();
  }

  #halt(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  readonly #tickRealtime = (): void => {
    this.#timer = undefined;
    if (this.#status !== 'online') return;
    const config = this.#config as AudioStreamConfig;
    const blockMs = (1000 * config.blockSize) / config.sampleRate;
    const due = Math.floor((performance.now() - this.#startMs) / blockMs);
    // After a long stall (debugger, suspended VM) do not replay minutes of audio in one go.
    if (due - this.#blocksRun > 64) this.#blocksRun = due - 1;
    while (this.#blocksRun < due && this.#status === 'online') {
      if (!this.#guardedBlock()) return;
      this.#blocksRun++;
    }
    if (this.#status !== 'online') return;
    const nextMs = this.#startMs + (this.#blocksRun + 1) * blockMs - performance.now();
    this.#timer = setTimeout(this.#tickRealtime, Math.max(1, Math.floor(nextMs)));
  };

  readonly #tickFast = (): void => {
    this.#immediate = undefined;
    const batch = this.#options.batchBlocks ?? 8;
    for (let i = 0; i < batch && this.#status === 'online'; i++) if (!this.#guardedBlock()) return;
    if (this.#status === 'online') this.#immediate = setImmediate(this.#tickFast);
  };

  /** The driver loop's guard: a callback that throws faults the device instead of the daemon. */
  #guardedBlock(): boolean {
    try {
      this.#block();
      return true;
    } catch (err) {
      this.#halt();
      this.#setStatus('reconnecting', `fault in the audio callback: ${(err as Error).message}`);
      return false;
    }
  }

  #block(): void {
    const config = this.#config as AudioStreamConfig;
    const B = config.blockSize;
    const input = this.#input;
    const output = this.#output;
    const { from, to } = this.#options.patch;
    for (let c = 0; c < input.length; c++) (input[c] as Float32Array).fill(0);
    this.#options.inputs?.(input, B);
    for (let k = 0; k < to.length; k++) (input[to[k] as number] as Float32Array).set(this.#pending[k] as Float32Array);
    for (let c = 0; c < output.length; c++) (output[c] as Float32Array).fill(0);
    (this.#process as DuplexProcess)(input, output, B);
    // What left the send outputs this block reaches the return during the next one.
    const loop = this.#loop;
    for (let k = 0; k < from.length; k++) (loop[k] as Float32Array).set(output[from[k] as number] as Float32Array);
    this.#options.rack?.process(loop, B);
    this.#converter.process(loop, this.#pending, B);
    const g = this.#gain;
    if (g !== 1) {
      for (let k = 0; k < this.#pending.length; k++) {
        const p = this.#pending[k] as Float32Array;
        for (let i = 0; i < B; i++) p[i] = (p[i] as number) * g;
      }
    }
    this.#options.outputTap?.(output, B);
    this.#framesRun += B;
  }

  #setStatus(status: BackendStatus, reason: string): void {
    this.#status = status;
    this.emit('status', { status, reason });
  }
}
