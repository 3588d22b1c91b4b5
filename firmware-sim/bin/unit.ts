/**
 * One simulated outboard unit, as its own process:
 *
 *   node --import tsx firmware-sim/bin/unit.ts --model eq --serial EQ-0001 --pty /tmp/eq
 *        [--tcp HOST:PORT instead of --pty] [--baud 115200] [--state-file F] [--control SOCKET]
 *        [--script FILE] [--seed N]
 *
 * Prints one JSON line per event on stdout (`ready` first, with the address the host opens), takes
 * control commands on stdin and on the --control Unix socket (docs/outboard-protocol.md section 12).
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ControlServer, watchUnit } from '../units/control-server.ts';
import { runControlCommand, runScript } from '../units/control-commands.ts';
import { isModelKey, UNIT_MODELS } from '../units/model-registry.ts';
import { SimUnit } from '../units/sim-unit.ts';
import { print, SimCli } from './cli-args.ts';

const USAGE = 'usage: unit --model eq|comp|switcher|passive --serial SN (--pty PATH | --tcp HOST:PORT) [--baud N] [--state-file F] [--control SOCKET] [--script FILE] [--seed N]';

const cli = new SimCli(USAGE);
function fail(message: string): never {
  return cli.fail(message);
}

async function main(): Promise<void> {
  const values = cli.parse({
    model: { type: 'string' },
    serial: { type: 'string' },
    pty: { type: 'string' },
    tcp: { type: 'string' },
    baud: { type: 'string' },
    'state-file': { type: 'string' },
    control: { type: 'string' },
    script: { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean' },
  });
  if (!values) return;
  const model = values.model ?? fail('--model is required');
  if (!isModelKey(model)) fail(`unknown model "${model}" (one of: ${Object.keys(UNIT_MODELS).join(', ')})`);
  const serial = values.serial ?? fail('--serial is required');
  if (!/^[A-Za-z0-9._-]{1,32}$/.test(serial)) fail('--serial: 1-32 characters of A-Z a-z 0-9 . _ -');
  if (Boolean(values.pty) === Boolean(values.tcp)) fail('give exactly one of --pty and --tcp');
  const baud = values.baud === undefined ? 115200 : Number(values.baud);
  if (!Number.isInteger(baud) || baud < 300 || baud > 4_000_000) fail('--baud must be an integer 300..4000000');
  const stateFile = values['state-file'] ?? path.join(tmpdir(), `hybrid-bridge-sim-${serial}.json`);

  const unit = new SimUnit({
    model,
    serial,
    baud,
    stateFile,
    ...(values.pty ? { pty: path.resolve(values.pty) } : { tcp: values.tcp as string }),
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  });
  let control: ControlServer | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await control?.close();
    await unit.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));

  let port: string;
  try {
    port = await unit.start();
    if (values.control) {
      control = new ControlServer(unit, path.resolve(values.control));
      await control.listen();
    }
  } catch (err) {
    process.stderr.write(`firmware-sim: ${(err as Error).message}\n`);
    await unit.stop();
    process.exit(1);
  }
  print({
    event: 'ready',
    model,
    modelName: UNIT_MODELS[model].model,
    serial,
    transport: values.pty ? 'pty' : 'tcp',
    port,
    control: values.control ? path.resolve(values.control) : null,
    stateFile,
    baud,
    pid: process.pid,
  });

  // Later plug events (unplug, replug under a new path) follow the `ready` line.
  unit.on('plug', (p) => print({ event: p.event, port: p.port ?? null, ...(p.reason ? { reason: p.reason } : {}) }));
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === 'watch') {
      watchUnit(unit, (o) => print(o));
      return;
    }
    void runControlCommand(unit, line).then((reply) => print({ event: 'reply', ...reply }));
  });
  if (values.script) {
    const reply = await runScript(unit, values.script);
    print({ event: 'script', ...reply });
  }
}

void main();
