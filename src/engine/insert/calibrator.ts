import { BridgeError } from '../../errors.ts';
import type { AnalysisThread } from './analysis-thread.ts';
import { analyseReturn, captureFramesFor, type ChannelAnalysis } from './calibration-analysis.ts';
import { logSweep, type Sweep } from './calibration-signal.ts';
import { MeasurementSlot, SLOT_CANCELLED, SLOT_DONE } from './measurement-slot.ts';

/** Largest gain difference (dB) between two captures that still counts as the same loop. */
const AGREE_GAIN_DB = 0.002;
/** Largest peak-to-noise difference (dB): a glitch costs 10-20 dB of it. */
const AGREE_PNR_DB = 6;

function agree(a: Measurement, b: Measurement): boolean {
  if (a.latencySamples !== b.latencySamples || a.polarity !== b.polarity) return false;
  if (Math.abs(a.gainDb - b.gainDb) > AGREE_GAIN_DB) return false;
  if (Math.abs(a.peakToNoiseDb - b.peakToNoiseDb) > AGREE_PNR_DB) return false;
  return a.channels.every((c, i) => {
    const d = b.channels[i];
    return d !== undefined && c.latencySamples === d.latencySamples && c.polarity === d.polarity;
  });
}

/** The audio side the calibrator drives (HardwareInsert, or a proxy to it in the audio worker). */
export interface MeasurableInsert {
  armMeasurement(slot: MeasurementSlot): void;
}

/** The monitor outs: held muted while a measurement runs, so it never reaches the speakers. */
export interface MutableMonitor {
  holdMute(on: boolean): void;
  /** True once the mute ramp has reached silence. */
  readonly muted: boolean;
}

/** The stream the measurement rides on: it must be running, and xruns during it void it. */
export interface MeasurementStream {
  readonly running: boolean;
  onXrun(listener: (added: number) => void): () => void;
}

export interface CalibratorOptions {
  readonly sampleRate: number;
  readonly returnChannels: number;
  readonly sweepMs: number;
  readonly levelDbfs: number;
  readonly maxLatencySamples: number;
  /** How often the control side looks at the measurement's progress (default 5 ms). */
  readonly pollMs?: number;
  /** Captures in all before giving up (default 5): two clean ones must agree. */
  readonly attempts?: number;
  /**
   * How long after the capture an xrun that happened during it may still be reported (the
   * PortAudio backend learns of a late block up to its queue depth later, through a pipe).
   * Default 0 (the simulated loop reports at once).
   */
  readonly xrunSettleMs?: number;
  /**
   * Run the analysis on this worker thread instead of the calling one (the daemon: the calling
   * thread answers the audio stream). Default: in the calling thread.
   */
  readonly analysisThread?: AnalysisThread;
}

export interface Measurement {
  readonly latencySamples: number;
  readonly gainDb: number;
  readonly polarity: 1 | -1;
  readonly confidence: number;
  readonly peakToNoiseDb: number;
  /** Per return channel, in order. */
  readonly channels: readonly ChannelAnalysis[];
  /** Set when the channels disagree on latency or polarity (a wiring fault worth a look). */
  readonly warning: string | undefined;
}

/**
 * One calibration measurement of the hardware insert: a log sweep on every send channel (see
 * calibration-signal.ts for why), the return captured sample-aligned with it, deconvolved per
 * channel (calibration-analysis.ts). The sequence:
 *
 *   1. hold the monitors muted and wait for the ramp to reach silence;
 *   2. arm the insert: it sends `maxLatency` samples of silence (so the return carries none of
 *      the programme any more), then the sweep, and captures until the longest round trip and the
 *      noise window have come back; downstream of the insert it passes silence;
 *   3. analyse; release the monitors.
 *
 * An xrun during a capture voids it (the return may have a hole); a result stands only when two
 * clean captures agree (latency and polarity exactly, gain within 0.002 dB).
 */
export class Calibrator {
  readonly #insert: MeasurableInsert;
  readonly #monitor: MutableMonitor;
  readonly #stream: MeasurementStream;
  readonly #options: CalibratorOptions;
  readonly #sweep: Sweep;
  #busy = false;

  constructor(insert: MeasurableInsert, monitor: MutableMonitor, stream: MeasurementStream, options: CalibratorOptions) {
    if (options.returnChannels < 1) throw new TypeError('calibrator: no return channels');
    this.#insert = insert;
    this.#monitor = monitor;
    this.#stream = stream;
    this.#options = options;
    this.#sweep = logSweep({ sampleRate: options.sampleRate, durationMs: options.sweepMs, levelDbfs: options.levelDbfs });
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Wall-clock length of one capture at real-time pace, ms (a calibration takes at least two). */
  get durationMs(): number {
    const o = this.#options;
    const frames = o.maxLatencySamples + captureFramesFor(this.#sweep.samples.length, o.maxLatencySamples, o.sampleRate);
    return (1000 * frames) / o.sampleRate;
  }

  async measure(signal?: AbortSignal): Promise<Measurement> {
    if (this.#busy) throw new BridgeError('E_CALIBRATION_BUSY', 'a calibration is already running');
    this.#busy = true;
    try {
      signal?.throwIfAborted();
      if (!this.#stream.running) throw new BridgeError('E_AUDIO_STREAM', 'the audio interface is not running: nothing to measure through');
      this.#monitor.holdMute(true);
      await this.#until(() => this.#monitor.muted, signal);
      // Two captures must agree before a result stands: a block dropped or repeated somewhere the
      // driver does not report it shifts the gain by hundredths of a dB (the latency survives it),
      // and two independent captures never carry the same glitch.
      const attempts = this.#options.attempts ?? 5;
      // Every clean capture is kept: a result stands as soon as two of them agree, whatever came
      // between (a capture voided by an xrun says nothing about the loop, so it does not reset the
      // search; on a loaded machine consecutive clean captures can be rarer than clean ones).
      const clean: Measurement[] = [];
      let voided = 0;
      let xruns = 0;
      let disagreements = 0;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const captured = await this.#captureOnce(signal);
        if (captured.xruns > 0) {
          voided++;
          xruns += captured.xruns;
          continue;
        }
        const m = await this.#analyse(captured.capture);
        const match = clean.find((c) => agree(c, m));
        if (match) return match;
        if (clean.length > 0) disagreements++;
        clean.push(m);
      }
      throw new BridgeError(
        'E_CALIBRATION_NOISY',
        disagreements > 0
          ? `the insert return changed between measurements (${disagreements} disagreement(s) in ${attempts} captures): bypass dynamics units while calibrating, check for intermittent cables or a loaded machine`
          : `the stream dropped audio during ${voided} of ${attempts} captures (${xruns} xrun(s)): a loaded machine or too few buffers`,
        { details: { xruns, voided, attempts, disagreements } },
      );
    } finally {
      this.#monitor.holdMute(false);
      this.#busy = false;
    }
  }

  async #captureOnce(signal: AbortSignal | undefined): Promise<{ capture: Float32Array[]; xruns: number }> {
    const o = this.#options;
    const sweep = this.#sweep.samples;
    const preroll = o.maxLatencySamples;
    const played = new Float32Array(preroll + sweep.length);
    played.set(sweep, preroll);
    const captureFrames = preroll + captureFramesFor(sweep.length, o.maxLatencySamples, o.sampleRate);
    const slot = MeasurementSlot.create(played, captureFrames, o.returnChannels);
    const stopXruns = this.#stream.onXrun((n) => slot.addXrun(n));
    try {
      this.#insert.armMeasurement(slot);
      await this.#until(() => slot.state === SLOT_DONE || slot.state === SLOT_CANCELLED || !this.#stream.running, signal, () => slot.cancel());
      if (slot.state !== SLOT_DONE) {
        slot.cancel();
        throw new BridgeError('E_AUDIO_STREAM', 'the audio stream stopped during the calibration');
      }
      // Xruns reported now may still belong to the capture: count them too.
      let xruns = slot.xruns;
      const settleMs = o.xrunSettleMs ?? 0;
      if (settleMs > 0) {
        let late = 0;
        const stopLate = this.#stream.onXrun((n) => (late += n));
        await new Promise((r) => setTimeout(r, settleMs));
        stopLate();
        xruns += late;
      }
      return { capture: slot.capture.map((c) => c.subarray(preroll)), xruns };
    } finally {
      stopXruns();
    }
  }

  async #analyse(capture: readonly Float32Array[]): Promise<Measurement> {
    const maxLatencySamples = this.#options.maxLatencySamples;
    const thread = this.#options.analysisThread;
    const channels = thread
      ? await thread.analyse(this.#sweep, capture, maxLatencySamples)
      : capture.map((c) => analyseReturn(this.#sweep, c, { maxLatencySamples }));
    const first = channels[0] as ChannelAnalysis;
    const best = channels.reduce((a, b) => (b.confidence > a.confidence ? b : a), first);
    const latencies = new Set(channels.map((c) => c.latencySamples));
    const polarities = new Set(channels.map((c) => c.polarity));
    let warning: string | undefined;
    if (latencies.size > 1) warning = `the return channels disagree on latency (${channels.map((c) => c.latencySamples).join(' / ')} samples)`;
    else if (polarities.size > 1) warning = `the return channels disagree on polarity (${channels.map((c) => c.polarity).join(' / ')}): one leg is wired inverted`;
    const gainDb = Math.round((channels.reduce((s, c) => s + c.gainDb, 0) / channels.length) * 10000) / 10000;
    return {
      latencySamples: best.latencySamples,
      gainDb: Object.is(gainDb, -0) ? 0 : gainDb,
      polarity: best.polarity,
      confidence: warning ? Math.min(...channels.map((c) => c.confidence)) * 0.5 : Math.min(...channels.map((c) => c.confidence)),
      peakToNoiseDb: Math.min(...channels.map((c) => c.peakToNoiseDb)),
      channels,
      warning,
    };
  }

  /** Resolve when `done()` holds; poll at pollMs; on abort run `onAbort` and reject with the signal's reason. */
  #until(done: () => boolean, signal: AbortSignal | undefined, onAbort?: () => void): Promise<void> {
    const pollMs = this.#options.pollMs ?? 5;
    return new Promise((resolve, reject) => {
      if (done()) {
        resolve();
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const abort = (): void => {
        if (timer) clearTimeout(timer);
        onAbort?.();
        reject(signal?.reason instanceof Error ? signal.reason : new BridgeError('E_CALIBRATION_BUSY', 'calibration aborted'));
      };
      if (signal?.aborted) {
        abort();
        return;
      }
      signal?.addEventListener('abort', abort, { once: true });
      const poll = (): void => {
        if (done()) {
          signal?.removeEventListener('abort', abort);
          resolve();
          return;
        }
        timer = setTimeout(poll, pollMs);
      };
      timer = setTimeout(poll, pollMs);
    });
  }
}
