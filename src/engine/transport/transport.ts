import { EventEmitter } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import { createWavWriter, type WavWriter } from '../../audio-file/index.ts';
import { BridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { DuplexGraph } from './duplex-graph.ts';
import type { PlayRegion } from './source-player.ts';

export const TRANSPORT_STATES = ['stopped', 'playing', 'printing'] as const;
export type TransportState = (typeof TRANSPORT_STATES)[number];

export interface PrintRequest {
  /** Where to write the WAV (its directory must exist). */
  readonly file: string;
  /** 24-bit PCM or 32-bit float, at the session's rate. */
  readonly format: 'pcm24' | 'float32';
  /** Part of the source file to print (default: all of it). */
  readonly region?: PlayRegion;
  /** Required when the source is the interface's inputs (there is no end to wait for). */
  readonly lengthFrames?: number;
}

export interface PrintResult {
  readonly file: string;
  readonly format: 'pcm24' | 'float32';
  readonly sampleRate: number;
  readonly frames: number;
  /** Chain latency removed from the start (the insert round trip and the rest of the chain). */
  readonly latencySamples: number;
  readonly xruns: number;
}

export interface TransportStatus {
  readonly state: TransportState;
  readonly positionFrames: number;
  /** The print in progress, if any. */
  readonly printing: { readonly file: string; readonly capturedFrames: number; readonly lengthFrames: number } | undefined;
}

/** The stream the transport rides on (the audio interface driver). */
export interface TransportStream {
  readonly running: boolean;
  onXrun(listener: (added: number) => void): () => void;
}

export interface TransportDeps {
  readonly graph: DuplexGraph;
  readonly stream: TransportStream;
  readonly sampleRate: number;
  /** Is a calibration measuring right now (a print is refused during it). */
  readonly calibrating?: () => boolean;
  readonly log: Logger;
  /** How often the print ring is drained to disk (default 20 ms). */
  readonly drainMs?: number;
  /** Silence let through the chain before a print starts from a playing transport (default 250 ms + latency). */
  readonly flushMs?: number;
  /** How long after the last sample an xrun during the print may still be reported (see Calibrator). */
  readonly xrunSettleMs?: number;
}

interface TransportEvents {
  state: [TransportStatus];
}

/**
 * The transport: play / stop / locate / loop of the source, and the print. States (the session
 * machine's `transport` region): stopped, playing, printing.
 *
 * A print records the chain's output (after the insert and the post chain) in real time to a WAV
 * at the session's rate, aligned so that sample 0 of the file is sample 0 of the source: the
 * chain's latency (the calibrated insert round trip plus the rest of the chain) is skipped at the
 * start, and the print runs that much past the source's end to collect its last samples. Any xrun
 * during the print fails it: the file is renamed `<name>.failed.wav` and the promise rejects with
 * E_PRINT_XRUN. Stopping (or the abort signal) during a print cancels it and deletes the file.
 */
export class Transport extends EventEmitter<TransportEvents> {
  readonly #deps: TransportDeps;
  #state: TransportState = 'stopped';
  #print: { file: string; lengthFrames: number; cancel: (why: Error) => void } | undefined;

  constructor(deps: TransportDeps) {
    super();
    this.#deps = deps;
  }

  get state(): TransportState {
    return this.#state;
  }

  status(): TransportStatus {
    const player = this.#deps.graph.player;
    const p = this.#print;
    return {
      state: this.#state,
      positionFrames: player?.position ?? 0,
      printing: p ? { file: p.file, capturedFrames: this.#deps.graph.print.captured, lengthFrames: p.lengthFrames } : undefined,
    };
  }

  play(): void {
    if (this.#state === 'printing') throw new BridgeError('E_TRANSPORT_STATE', 'printing: stop the print first');
    const player = this.#requirePlayer();
    if (player.ended || player.position >= player.lengthFrames) player.locate(player.loop?.startFrame ?? 0);
    this.#deps.graph.monitor.match.reset();
    player.play();
    this.#set('playing');
  }

  /** Stop playing; during a print, cancel it. */
  stop(): void {
    if (this.#print) {
      this.#print.cancel(new BridgeError('E_TRANSPORT_STATE', 'print stopped before the end'));
      return;
    }
    this.#deps.graph.player?.stop();
    if (this.#state !== 'stopped') this.#set('stopped');
  }

  locate(frame: number): void {
    if (this.#state === 'printing') throw new BridgeError('E_TRANSPORT_STATE', 'cannot locate during a print');
    this.#requirePlayer().locate(frame);
    this.#deps.graph.monitor.match.reset();
    this.emit('state', this.status());
  }

  setLoop(region: PlayRegion | null): void {
    if (this.#state === 'printing') throw new BridgeError('E_TRANSPORT_STATE', 'cannot change the loop during a print');
    this.#requirePlayer().setLoop(region);
  }

  /** The player ran off the end of the file (no loop): the transport notices and stops. */
  poll(): void {
    if (this.#state === 'playing' && this.#deps.graph.player?.ended) this.#set('stopped');
  }

  /**
   * Print the source (or `lengthFrames` of the interface's inputs). Resolves when the last sample
   * is on disk. Rejects with E_TRANSPORT_STATE (already printing, no source), E_CALIBRATION_BUSY
   * (a calibration is measuring), E_AUDIO_STREAM (the stream is not running or stopped),
   * E_PRINT_XRUN (xruns: the file is kept as `.failed.wav`), or the abort reason.
   */
  async print(request: PrintRequest, signal?: AbortSignal): Promise<PrintResult> {
    const { graph, stream, sampleRate, log } = this.#deps;
    if (this.#state === 'printing') throw new BridgeError('E_TRANSPORT_STATE', 'a print is already running');
    if (this.#deps.calibrating?.()) throw new BridgeError('E_CALIBRATION_BUSY', 'the insert is being calibrated; print afterwards');
    if (!stream.running) throw new BridgeError('E_AUDIO_STREAM', 'the audio interface is not running');
    signal?.throwIfAborted();
    const player = graph.player;
    let startFrame = 0;
    let lengthFrames: number;
    if (player) {
      const region = request.region ?? { startFrame: 0, endFrame: player.lengthFrames };
      if (region.endFrame <= region.startFrame || region.startFrame < 0 || region.endFrame > player.lengthFrames) {
        throw new BridgeError('E_TRANSPORT_STATE', `region ${region.startFrame}..${region.endFrame} is not inside the source (0..${player.lengthFrames})`);
      }
      startFrame = region.startFrame;
      lengthFrames = region.endFrame - region.startFrame;
    } else {
      if (request.lengthFrames === undefined || !Number.isInteger(request.lengthFrames) || request.lengthFrames < 1) {
        throw new BridgeError('E_TRANSPORT_STATE', 'printing the interface inputs needs lengthFrames');
      }
      lengthFrames = request.lengthFrames;
    }
    const channels = graph.map.programChannels;
    this.#set('printing');
    let writer: WavWriter | undefined;
    let xruns = 0;
    const stopXruns = stream.onXrun((n) => {
      xruns += n;
    });
    let cancelled: Error | undefined;
    const onAbort = (): void => {
      cancelled ??= signal?.reason instanceof Error ? signal.reason : new BridgeError('E_TRANSPORT_STATE', 'print aborted');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#print = { file: request.file, lengthFrames, cancel: (why) => (cancelled ??= why) };
    const savedLoop = player?.loop ?? null;
    const latency = graph.latencySamples;
    try {
      writer = await createWavWriter(request.file, { sampleRate, channels, format: request.format });
      // Let what was playing die away through the chain before sample 0 goes in.
      if (player?.playing) {
        player.stop();
        const flush = Math.round((((this.#deps.flushMs ?? 250) / 1000) * sampleRate) + latency);
        await this.#waitFrames(flush, () => cancelled);
      }
      if (cancelled) throw cancelled;
      // Sample 0 of the source enters the chain in the same block as the ring starts counting.
      graph.print.arm(latency, lengthFrames);
      if (player) {
        player.setLoop(null);
        player.setStopAt(startFrame + lengthFrames);
        player.locate(startFrame);
        player.play();
      }
      const drained = await this.#drainUntilComplete(writer, channels, lengthFrames, () => cancelled);
      graph.print.disarm();
      // An xrun in the last blocks may be reported a little later: wait for it before judging.
      if ((this.#deps.xrunSettleMs ?? 0) > 0) await sleep(this.#deps.xrunSettleMs ?? 0);
      const overflows = graph.print.overflows;
      await writer.close();
      writer = undefined;
      if (xruns > 0 || overflows > 0) {
        const failedFile = request.file.replace(/(\.wav)?$/i, '.failed.wav');
        await rename(request.file, failedFile).catch(() => undefined);
        throw new BridgeError('E_PRINT_XRUN', `the print had ${xruns} xrun(s)${overflows > 0 ? ` and ${overflows} disk overflow(s)` : ''}: kept as ${failedFile}, print again`, {
          details: { file: failedFile, xruns, overflows },
        });
      }
      log.info({ file: request.file, frames: drained, latencySamples: latency }, 'print done');
      return { file: request.file, format: request.format, sampleRate, frames: drained, latencySamples: latency, xruns };
    } catch (err) {
      graph.print.disarm();
      if (writer) {
        await writer.close().catch(() => undefined);
        await rm(request.file, { force: true }).catch(() => undefined);
      }
      throw err;
    } finally {
      stopXruns();
      signal?.removeEventListener('abort', onAbort);
      this.#print = undefined;
      if (player) {
        player.stop();
        player.setStopAt(-1);
        player.setLoop(savedLoop);
      }
      this.#set('stopped');
    }
  }

  async #drainUntilComplete(writer: WavWriter, channels: number, lengthFrames: number, cancelled: () => Error | undefined): Promise<number> {
    const { graph, stream } = this.#deps;
    const chunk = Math.max(4096, Math.ceil(this.#deps.sampleRate / 10));
    const buf = Array.from({ length: channels }, () => new Float32Array(chunk));
    let written = 0;
    for (;;) {
      const why = cancelled();
      if (why) throw why;
      let n = graph.print.drain(buf, chunk);
      while (n > 0) {
        await writer.write(buf, n);
        written += n;
        n = graph.print.drain(buf, chunk);
      }
      if (written >= lengthFrames) return written;
      if (!stream.running) throw new BridgeError('E_AUDIO_STREAM', `the audio stream stopped during the print (${written} of ${lengthFrames} frames)`);
      await sleep(this.#deps.drainMs ?? 20);
    }
  }

  async #waitFrames(frames: number, cancelled: () => Error | undefined): Promise<void> {
    const { graph, stream } = this.#deps;
    const until = graph.framesProcessed + frames;
    while (graph.framesProcessed < until) {
      const why = cancelled();
      if (why) throw why;
      if (!stream.running) throw new BridgeError('E_AUDIO_STREAM', 'the audio stream stopped before the print started');
      await sleep(this.#deps.drainMs ?? 20);
    }
  }

  #requirePlayer() {
    const player = this.#deps.graph.player;
    if (!player) throw new BridgeError('E_TRANSPORT_STATE', 'no source file loaded (audio.source)');
    return player;
  }

  #set(state: TransportState): void {
    this.#state = state;
    this.emit('state', this.status());
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
