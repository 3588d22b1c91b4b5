/**
 * Worker-thread entry of the calibration analysis (spawned by AnalysisPool through spawnTsWorker).
 * The deconvolution is a few FFTs of up to 2^19 points: 50-300 ms of arithmetic that must not run
 * on a thread that also answers the audio stream. Requests and answers are messages; the captures
 * arrive as SharedArrayBuffer-backed arrays (no copy).
 */
import { parentPort } from 'node:worker_threads';
import { isBridgeError } from '../../errors.ts';
import { analyseReturn, type ChannelAnalysis } from './calibration-analysis.ts';
import type { Sweep } from './calibration-signal.ts';

export interface AnalysisRequest {
  readonly id: number;
  readonly sweep: Sweep;
  readonly captures: readonly Float32Array[];
  readonly maxLatencySamples: number;
}

export type AnalysisReply =
  | { readonly id: number; readonly ok: true; readonly channels: readonly ChannelAnalysis[] }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string; readonly details: Record<string, unknown> };

parentPort?.on('message', (req: AnalysisRequest) => {
  let reply: AnalysisReply;
  try {
    const channels = req.captures.map((c) => analyseReturn(req.sweep, c, { maxLatencySamples: req.maxLatencySamples }));
    reply = { id: req.id, ok: true, channels };
  } catch (err) {
    reply = isBridgeError(err)
      ? { id: req.id, ok: false, code: err.code, message: err.message, details: { ...err.details } }
      : { id: req.id, ok: false, code: '', message: err instanceof Error ? err.message : String(err), details: {} };
  }
  parentPort?.postMessage(reply);
});
