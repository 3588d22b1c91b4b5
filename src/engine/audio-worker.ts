import { parentPort, workerData } from 'node:worker_threads';
import { AudioRuntime } from './audio-runtime.ts';
import type { HostCommand, HostHandle, HostLink, WorkerInit, WorkerMessage } from './worker-protocol.ts';

/**
 * Entry point of the audio worker thread (spawned by AudioEngine through spawnTsWorker).
 *
 * Own clock (no `host`): builds the runtime from workerData, reports `ready`, runs the loop until
 * the main thread sets the stop word (or maxFrames), reports `stopped`. No messages while running.
 *
 * Hosted (`host`, the audio interface): the host module's stream clocks the chain from this
 * thread's event loop; control requests (calibrate, print, transport) and the parameter mirror
 * arrive as messages, events leave as messages. Samples never cross threads.
 */
const port = parentPort;
if (!port) throw new Error('audio-worker.ts must run in a worker thread');

function send(message: WorkerMessage): void {
  port?.postMessage(message);
}

function failure(err: unknown): { code: string; message: string; details?: Record<string, unknown> } {
  const e = err as { code?: unknown; message?: unknown; details?: unknown; name?: unknown };
  const code = typeof e.code === 'string' && e.code.startsWith('E_') ? e.code : e.name === 'AbortError' ? 'E_ABORTED' : 'E_ENGINE_WORKER';
  const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : undefined;
  return { code, message: typeof e.message === 'string' ? e.message : String(err), ...(details ? { details } : {}) };
}

async function runOwnClock(init: WorkerInit): Promise<void> {
  let runtime: AudioRuntime;
  try {
    runtime = await AudioRuntime.create(init);
  } catch (err) {
    const f = failure(err);
    send({ type: 'error', code: f.code, message: f.message });
    return;
  }
  const insert = runtime.chain.insert?.inner;
  send({ type: 'ready', latencySamples: runtime.chain.latencySamples, insert: insert ? insert.constructor.name : 'none' });
  // Let the ready message leave before the loop takes the thread.
  await new Promise((resolve) => setImmediate(resolve));
  const frames = runtime.run();
  send({ type: 'stopped', frames });
}

async function runHosted(init: WorkerInit, url: string): Promise<void> {
  let onRequest: Parameters<HostLink['onRequest']>[0] = () => Promise.reject(new Error('the host takes no requests'));
  let onPost: Parameters<HostLink['onPost']>[0] = () => undefined;
  const link: HostLink = {
    emit: (name, payload) => send({ type: 'host.event', name, payload }),
    onRequest: (h) => {
      onRequest = h;
    },
    onPost: (h) => {
      onPost = h;
    },
  };
  const aborts = new Map<number, AbortController>();
  let handle: HostHandle | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const a of aborts.values()) a.abort(new Error('the audio worker is stopping'));
    const frames = await handle?.stop().catch(() => 0);
    send({ type: 'stopped', frames: frames ?? 0 });
    port?.close();
  };
  port?.on('message', (m: HostCommand) => {
    switch (m.type) {
      case 'host.request': {
        const ac = new AbortController();
        aborts.set(m.id, ac);
        onRequest(m.op, m.args, ac.signal).then(
          (value) => send({ type: 'host.reply', id: m.id, ok: true, value }),
          (err: unknown) => send({ type: 'host.reply', id: m.id, ok: false, error: failure(err) }),
        ).finally(() => aborts.delete(m.id));
        break;
      }
      case 'host.abort':
        aborts.get(m.id)?.abort(new Error('aborted by the caller'));
        break;
      case 'host.post':
        try {
          onPost(m.op, m.args);
        } catch (err) {
          send({ type: 'host.event', name: 'error', payload: failure(err) });
        }
        break;
      case 'host.stop':
        void stop();
        break;
    }
  });
  try {
    const mod = (await import(url)) as { startHost?: (init: WorkerInit, link: HostLink) => Promise<HostHandle> };
    if (typeof mod.startHost !== 'function') throw new Error(`${url} exports no startHost`);
    handle = await mod.startHost(init, link);
    if (stopping) {
      // Stopped while starting: `stop()` has answered already; release what was opened.
      await handle.stop().catch(() => 0);
      return;
    }
  } catch (err) {
    const f = failure(err);
    send({ type: 'error', code: f.code, message: f.message });
    port?.close();
    return;
  }
  send({ type: 'ready', latencySamples: handle.latencySamples, insert: handle.insert });
}

const init = workerData as WorkerInit;
void (init.host ? runHosted(init, init.host.url) : runOwnClock(init));
