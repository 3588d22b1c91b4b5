import { envOverrides, formatProblem, loadConfig, type ConfigProblem } from '../config/load-config.ts';
import { Daemon } from '../daemon.ts';
import { isBridgeError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import type { CommandIo } from './config-check.ts';

export interface StartOptions {
  config: string;
  host?: string | undefined;
  port?: number | undefined;
  dataDir?: string | undefined;
  logLevel?: string | undefined;
}

/**
 * `hybrid-bridge start`: load (CLI flags over environment over file), start, serve until
 * SIGINT/SIGTERM. The first signal stops everything in order (under 2 s); a second one
 * exits at once.
 */
export async function startCommand(opts: StartOptions, io: CommandIo): Promise<number> {
  const env = envOverrides(process.env);
  let loaded;
  try {
    loaded = await loadConfig(opts.config, {
      host: opts.host ?? env.host,
      port: opts.port ?? env.port,
      dataDir: opts.dataDir ?? env.dataDir,
      logLevel: opts.logLevel ?? env.logLevel,
    });
  } catch (err) {
    if (!isBridgeError(err)) throw err;
    const problems = (err.details.problems as ConfigProblem[] | undefined) ?? [];
    if (problems.length > 0) for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
    else io.stderr.write(`${err.code}: ${err.message}\n`);
    io.stderr.write('refusing to start with an invalid config\n');
    return 2;
  }

  const log = createLogger(loaded.config.logLevel);
  const daemon = new Daemon(loaded, { log });

  let signals = 0;
  let stopRequested: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn({ signal: sig }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ signal: sig }, 'stopping');
    stopRequested?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last line of defence: an error nobody caught is logged, and the daemon keeps serving.
  // Device code reports its own faults through DeviceHub.guard; this catches the rest.
  const onUncaught = (err: unknown): void => log.error({ err }, 'uncaught error (daemon keeps running)');
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  try {
    await daemon.start();
  } catch (err) {
    const msg = isBridgeError(err) ? `${err.code}: ${err.message}` : String(err);
    log.fatal({ err }, 'startup failed');
    io.stderr.write(`hybrid-bridge: ${msg}\n`);
    await daemon.stop();
    return 1;
  }
  log.info({ url: daemon.url, config: loaded.file, dataDir: daemon.dataDir.path }, `ready: serving ${daemon.url}`);

  await stopped;
  const t0 = performance.now();
  await daemon.stop();
  log.info({ ms: Math.round(performance.now() - t0) }, 'stopped');
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  return 0;
}
