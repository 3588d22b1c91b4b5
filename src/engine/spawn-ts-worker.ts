import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread whose entry is a TypeScript module. There is no build step, and Node 20
 * does not apply `--import tsx` (or inherited loader hooks) to a worker's entry module, so the
 * worker starts from a two-line ESM bootstrap that registers tsx's loader inside the worker and
 * then imports the entry. Works the same under `node --import tsx` and under vitest.
 */
export function spawnTsWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const bootstrap =
    `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })` +
    `.catch((err) => { setImmediate(() => { throw err; }); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
