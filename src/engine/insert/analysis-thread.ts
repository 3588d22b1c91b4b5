import type { Worker } from 'node:worker_threads';
import { BridgeError, isBridgeErrorCode } from '../../errors.ts';
import { spawnTsWorker } from '../spawn-ts-worker.ts';
import type { AnalysisReply, AnalysisRequest } from './analysis-worker.ts';
import type { ChannelAnalysis } from './calibration-analysis.ts';
import type { Sweep } from './calibration-signal.ts';

/**
 * The calibration analysis off the calling thread: one worker thread, started on first use and
 * ended after `idleMs` without work (so a daemon that calibrates once an hour holds no thread).
 * The calling thread may be the one that answers the audio stream; a 100 ms FFT there would be
 * 100 ms of late blocks.
 */
export class AnalysisThread {
  readonly #idleMs: number;
  #worker: Worker | undefined;
  #idle: NodeJS.Timeout | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (c: ChannelAnalysis[]) => void; reject: (e: Error) => void }>();

  constructor(options: { idleMs?: number } = {}) {
    this.#idleMs = options.idleMs ?? 10_000;
  }

  analyse(sweep: Sweep, captures: readonly Float32Array[], maxLatencySamples: number): Promise<ChannelAnalysis[]> {
    const worker = this.#ensure();
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
    const id = this.#nextId++;
    return new Promise<ChannelAnalysis[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const req: AnalysisRequest = { id, sweep, captures, maxLatencySamples };
      worker.postMessage(req);
    }).finally(() => this.#armIdle());
  }

  /** End the worker now (the daemon's stop). */
  async close(): Promise<void> {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
    const w = this.#worker;
    this.#worker = undefined;
    if (w) await w.terminate();
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const w = spawnTsWorker(new URL('./analysis-worker.ts', import.meta.url), { name: 'hybrid-bridge calibration analysis' });
    w.on('message', (reply: AnalysisReply) => {
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      if (reply.ok) p.resolve([...reply.channels]);
      else {
        const code = isBridgeErrorCode(reply.code) ? reply.code : 'E_CALIBRATION_NOISY';
        p.reject(reply.code ? new BridgeError(code, reply.message, { details: reply.details }) : new Error(reply.message));
      }
    });
    const fail = (err: Error): void => {
      if (this.#worker === w) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(new BridgeError('E_CALIBRATION_NOISY', `the calibration analysis failed: ${err.message}`, { cause: err }));
      this.#pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (this.#pending.size > 0) fail(new Error(`analysis worker exited (${code})`));
      if (this.#worker === w) this.#worker = undefined;
    });
    w.unref();
    this.#worker = w;
    return w;
  }

  #armIdle(): void {
    if (this.#pending.size > 0 || !this.#worker) return;
    this.#idle = setTimeout(() => void this.close(), this.#idleMs);
    this.#idle.unref();
  }
}
