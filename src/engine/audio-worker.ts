import { parentPort, workerData } from 'node:worker_threads';
import { AudioRuntime } from './audio-runtime.ts';
import type { WorkerInit, WorkerMessage } from './worker-protocol.ts';

/**
 * Entry point of the audio worker thread (spawned by AudioEngine through spawnTsWorker).
 * Builds the runtime from workerData, reports `ready`, runs the loop until the main thread sets
 * the stop word (or maxFrames), reports `stopped`. No messages while running.
 */
const port = parentPort;
if (!port) throw new Error('audio-worker.ts must run in a worker thread');

function send(message: WorkerMessage): void {
  port?.postMessage(message);
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  let runtime: AudioRuntime;
  try {
    runtime = await AudioRuntime.create(init);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    send({ type: 'error', code: e.code ?? 'E_ENGINE_WORKER', message: e.message ?? String(err) });
    return;
  }
  const insert = runtime.chain.insert?.inner;
  send({ type: 'ready', latencySamples: runtime.chain.latencySamples, insert: insert ? insert.constructor.name : 'none' });
  // Let the ready message leave before the loop takes the thread.
  await new Promise((resolve) => setImmediate(resolve));
  const frames = runtime.run();
  send({ type: 'stopped', frames });
}

void main();
