import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { startCommand } from './commands/start.ts';
import { configCheckCommand } from './commands/config-check.ts';
import { devicesCommand } from './commands/devices.ts';
import { LOG_LEVELS } from './logger.ts';
import { loadConfig } from './config/load-config.ts';
import type { Config } from './config/schema.ts';
import { isBridgeError } from './errors.ts';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const defaultIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0-65535');
  return n;
}

function logLevel(v: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${LOG_LEVELS.join(', ')}`);
  return v;
}

/** The engine section of a config file, or undefined after printing why it cannot be read. */
async function engineSectionOf(file: string, io: CliIo): Promise<Config['engine'] | undefined> {
  try {
    return (await loadConfig(file)).config.engine;
  } catch (err) {
    if (!isBridgeError(err)) throw err;
    io.stderr.write(`${err.message}\n`);
    return undefined;
  }
}

/** Entry point; returns the exit code (0 ok, 1 failure, 2 bad input/config). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name('hybrid-bridge')
    .description('Daemon for an analog/digital hybrid mastering studio')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('start')
    .description('run the daemon (default: the simulated studio in config/default.yaml)')
    .option('-c, --config <file>', 'config file', 'config/default.yaml')
    .option('--host <host>', 'listen address (0.0.0.0 serves the LAN, then a pairing token is required)')
    .option('--port <n>', 'HTTP/WebSocket port', port)
    .option('--data-dir <dir>', 'data directory (snapshots, calibrations, session, token)')
    .option('--log-level <level>', `log level (${LOG_LEVELS.join(', ')})`, logLevel)
    .action(async (opts: { config: string; host?: string; port?: number; dataDir?: string; logLevel?: string }) => {
      exitCode = await startCommand(opts, io);
    });

  program
    .command('devices')
    .description('list every MIDI, HID, serial and audio device visible, and why a bus cannot run')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      exitCode = await devicesCommand({ json: opts.json === true }, io);
    });

  program
    .command('params')
    .description('list every parameter of the digital chain: id, range, unit, default')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'config whose engine section builds the chain', 'config/default.yaml')
    .action(async (opts: { json?: boolean; config: string }) => {
      const { paramsCommand } = await import('./commands/params.ts');
      const engineConfig = await engineSectionOf(opts.config, io);
      if (engineConfig === undefined) exitCode = 2;
      else exitCode = await paramsCommand({ json: opts.json === true, engineConfig }, io);
    });

  program
    .command('process <in> <out>')
    .description('run a WAV through the digital chain (the insert passing through) as fast as possible; writes 32-bit float WAV')
    .option('--set <param=value>', 'set a parameter (repeatable), e.g. --set eq.band2.gainDb=1.5', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--params <file.json>', 'parameter values from a JSON object {id: value}')
    .option('-c, --config <file>', 'config whose engine section builds the chain', 'config/default.yaml')
    .action(async (input: string, output: string, opts: { set: string[]; params?: string; config: string }) => {
      const { processCommand } = await import('./commands/process.ts');
      const engineConfig = await engineSectionOf(opts.config, io);
      if (engineConfig === undefined) exitCode = 2;
      else exitCode = await processCommand(input, output, { set: opts.set, ...(opts.params ? { paramsFile: opts.params } : {}), engineConfig }, io);
    });

  program
    .command('meter <files...>')
    .description('measure loudness (EBU R128 / BS.1770), LRA, true peak of WAV/AIFF files')
    .option('--json', 'one JSON object per file')
    .option('--series <hz>', 'also momentary and short-term series sampled at HZ', Number)
    .action(async (files: string[], opts: { json?: boolean; series?: number }) => {
      const { meterCommand } = await import('./commands/meter.ts');
      exitCode = await meterCommand(files, { json: opts.json === true, ...(opts.series !== undefined ? { seriesHz: opts.series } : {}) }, io);
    });

  program
    .command('calibrate')
    .description('measure the hardware insert: round trip (samples), gain offset, polarity; through the running daemon if there is one')
    .option('-c, --config <file>', 'config file', 'config/default.yaml')
    .option('--data-dir <dir>', 'data directory (where the result is stored per route)')
    .option('--json', 'machine-readable output')
    .option('--log-level <level>', `log level (${LOG_LEVELS.join(', ')})`, logLevel)
    .action(async (opts: { config: string; dataDir?: string; json?: boolean; logLevel?: string }) => {
      const { calibrateCommand } = await import('./commands/calibrate.ts');
      exitCode = await calibrateCommand({ config: opts.config, dataDir: opts.dataDir, json: opts.json === true, logLevel: opts.logLevel }, io);
    });

  program
    .command('sim')
    .description('run simulated studio hardware (firmware-sim): `sim unit --model eq --serial EQ-0001 --pty /tmp/eq`')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { simCommand } = await import('./commands/sim.ts');
      exitCode = await simCommand(args, io);
    });

  const config = program.command('config').description('configuration tools');
  config
    .command('check <file>')
    .description('validate a config file; every problem is listed as file:line:column')
    .action(async (file: string) => {
      exitCode = await configCheckCommand(file, io);
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return exitCode;
}
