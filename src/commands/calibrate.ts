import { readFile } from 'node:fs/promises';
import { envOverrides, formatProblem, loadConfig, type ConfigProblem, type LoadedConfig } from '../config/load-config.ts';
import { DataDir, defaultDataDir } from '../data-dir.ts';
import { AudioInterface } from '../devices/audio/audio-interface.ts';
import type { CalibrationResult } from '../engine/insert/insert-calibration.ts';
import { BridgeError, isBridgeError, isBridgeErrorCode } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import { SnapshotStore } from '../state/store/snapshot-store.ts';
import type { CommandIo } from './config-check.ts';

export interface CalibrateOptions {
  config: string;
  dataDir?: string | undefined;
  json?: boolean | undefined;
  logLevel?: string | undefined;
}

/** What `POST /api/calibrate` answers and `--json` prints. */
export interface CalibrateAnswer {
  readonly latencySamples: number;
  readonly gainDb: number;
  readonly polarity: 1 | -1;
  readonly confidence: number;
  readonly [key: string]: unknown;
}

export interface CalibrateDeps {
  /** Abort on SIGINT (the command installs its own handler when omitted). */
  readonly signal?: AbortSignal;
  /** For tests: the environment (data dir default, PortAudio child environment). */
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: pace of a simulated interface (default realtime). */
  readonly pace?: 'realtime' | 'fast';
}

/**
 * `hybrid-bridge calibrate`: measure the hardware insert's round trip, gain offset and polarity.
 *
 * When a daemon holds the data directory it also holds the interface: the command asks it
 * (`POST /api/calibrate` on the configured address, with the pairing token from the data dir)
 * and prints its answer. Otherwise it opens the interface itself, measures, stores the result
 * per route in the data dir's store (the daemon finds it at its next start) and closes again.
 *
 * Exit codes: 0 measured; 1 the measurement failed (E_CALIBRATION_NO_SIGNAL, E_CALIBRATION_NOISY,
 * the interface is absent, ...) with `CODE: message` on stderr; 2 the config is invalid.
 */
export async function calibrateCommand(opts: CalibrateOptions, io: CommandIo, deps: CalibrateDeps = {}): Promise<number> {
  const envIn = deps.env ?? process.env;
  const env = envOverrides(envIn);
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(opts.config, { dataDir: opts.dataDir ?? env.dataDir, logLevel: opts.logLevel ?? env.logLevel ?? 'warn' });
  } catch (err) {
    if (!isBridgeError(err)) throw err;
    const problems = (err.details.problems as ConfigProblem[] | undefined) ?? [];
    if (problems.length > 0) for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
    else io.stderr.write(`${err.code}: ${err.message}\n`);
    return 2;
  }
  const { config } = loaded;
  if (config.audio.backend === 'none') {
    io.stderr.write('E_AUDIO_BACKEND: audio.backend is none in the config: there is no insert to calibrate\n');
    return 1;
  }
  const log = createLogger(config.logLevel, { pretty: false });
  const dataDir = new DataDir(config.dataDir ?? defaultDataDir(envIn));
  const ac = new AbortController();
  const onSigint = (): void => ac.abort(new BridgeError('E_CALIBRATION_BUSY', 'calibration interrupted'));
  const signal = deps.signal ?? ac.signal;
  if (!deps.signal) process.once('SIGINT', onSigint);
  try {
    const daemonPid = await runningDaemon(dataDir);
    const answer =
      daemonPid !== undefined ? await askDaemon(loaded, dataDir, signal) : { ...(await calibrateHere(loaded, dataDir, log, signal, deps)) };
    if (opts.json) io.stdout.write(`${JSON.stringify(answer)}\n`);
    else io.stdout.write(`${describe(answer, config.engine.sampleRate)}\n`);
    return 0;
  } catch (err) {
    if (isBridgeError(err)) io.stderr.write(`${err.code}: ${err.message}\n`);
    else io.stderr.write(`calibrate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    if (!deps.signal) process.off('SIGINT', onSigint);
  }
}

function describe(a: CalibrateAnswer, sampleRate: number): string {
  const ms = ((1000 * a.latencySamples) / sampleRate).toFixed(2);
  const warning = typeof a.warning === 'string' ? `\nwarning: ${a.warning}` : '';
  return `insert round trip ${a.latencySamples} samples (${ms} ms at ${sampleRate} Hz), gain ${a.gainDb >= 0 ? '+' : ''}${a.gainDb.toFixed(2)} dB, polarity ${a.polarity === 1 ? 'normal' : 'inverted'}, confidence ${a.confidence.toFixed(3)}${warning}`;
}

async function runningDaemon(dataDir: DataDir): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(dataDir.lockFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

async function askDaemon(loaded: LoadedConfig, dataDir: DataDir, signal: AbortSignal): Promise<CalibrateAnswer> {
  const { host, port } = loaded.config.server;
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const token = (await readFile(dataDir.file('token'), 'utf8').catch(() => '')).trim();
  let res: Response;
  try {
    res = await fetch(`http://${target}:${port}/api/calibrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: '{}',
      signal,
    });
  } catch (err) {
    throw new BridgeError('E_AUDIO_BACKEND', `a daemon holds ${dataDir.path} but does not answer on http://${target}:${port}/ (${(err as Error).message})`, { cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & Partial<CalibrateAnswer>;
  if (!res.ok) {
    const code = body.error?.code;
    throw new BridgeError(isBridgeErrorCode(code) ? code : 'E_AUDIO_BACKEND', body.error?.message ?? `the daemon answered HTTP ${res.status}`);
  }
  if (typeof body.latencySamples !== 'number') throw new BridgeError('E_AUDIO_BACKEND', 'the daemon answered without a calibration result');
  return body as CalibrateAnswer;
}


async function calibrateHere(loaded: LoadedConfig, dataDir: DataDir, log: Logger, signal: AbortSignal, deps: CalibrateDeps): Promise<CalibrationResult> {
  const { config } = loaded;
  await dataDir.acquire();
  let store: SnapshotStore | undefined;
  let iface: AudioInterface | undefined;
  try {
    store = await SnapshotStore.open(dataDir.file('bridge.sqlite'), { log: log.child({ part: 'store' }) });
    iface = new AudioInterface({
      audio: config.audio,
      engine: config.engine,
      outboard: config.outboard,
      simUnits: config.sim.units,
      store,
      log: log.child({ part: 'audio' }),
      pace: deps.pace ?? 'realtime',
      ...(deps.env ? { env: deps.env } : {}),
    });
    const statuses: string[] = [];
    iface.on('status', (s) => statuses.push(s.reason));
    await iface.start();
    if (!iface.running) {
      const why = statuses.filter(Boolean).pop() ?? 'the interface did not start';
      throw new BridgeError('E_AUDIO_DEVICE', why);
    }
    return await iface.calibrate(signal);
  } finally {
    await iface?.stop();
    store?.close();
    await dataDir.release();
  }
}
