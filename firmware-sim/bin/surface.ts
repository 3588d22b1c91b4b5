/**
 * One simulated control surface, as its own process, reachable by the daemon as a MIDI port over
 * "network MIDI" (src/devices/midi/net-midi-binding.ts; wire format in
 * firmware-sim/surfaces/net-midi-server.ts):
 *
 *   node --import tsx firmware-sim/bin/surface.ts --type mcu|mcu-ext|logic|cc --listen <socket path | [host:]port>
 *        [--name sim:<surfaceId>] [--control SOCKET] [--encoding twosComplement|…] [--servo-ms 150]
 *
 * Prints one JSON line per event on stdout (`ready` first), takes commands on stdin and on the
 * --control Unix socket (firmware-sim/surfaces/commands.ts): `turn 3 10`, `fader 1 8192`, `state`…
 * A surface configured with `match: sim` in the daemon is the port named `sim:<surfaceId>`.
 */
import { fstatSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { CcControllerSim } from '../surfaces/cc-controller.ts';
import { runCcCommand, runMcuCommand } from '../surfaces/commands.ts';
import type { SimEncoding } from '../surfaces/midi-wire.ts';
import { NetMidiServer } from '../surfaces/net-midi-server.ts';
import { XTouchSim } from '../surfaces/xtouch.ts';
import { print, SimCli } from './cli-args.ts';

const USAGE =
  'usage: surface --type mcu|mcu-ext|logic|cc --listen <socket|[host:]port> [--name sim:<id>] [--control SOCKET] [--encoding E] [--servo-ms N]';

const cli = new SimCli(USAGE);
function fail(message: string): never {
  return cli.fail(message);
}

async function main(): Promise<void> {
  const values = cli.parse({
    type: { type: 'string' },
    listen: { type: 'string' },
    name: { type: 'string' },
    control: { type: 'string' },
    encoding: { type: 'string' },
    'servo-ms': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (!values) return;
  const type = values.type ?? fail('--type is required');
  const listen = values.listen ?? fail('--listen is required');
  let run: (line: string) => Record<string, unknown>;
  let device: XTouchSim | CcControllerSim;
  let servo: NodeJS.Timeout | undefined;
  if (type === 'mcu' || type === 'mcu-ext' || type === 'logic') {
    const sim = new XTouchSim({ model: type === 'mcu' ? 0x14 : type === 'mcu-ext' ? 0x15 : 0x10 });
    device = sim;
    run = (line) => runMcuCommand(sim, line);
    const servoMs = Number(values['servo-ms'] ?? 150);
    // The motor servo: an untouched fader returns to the host's last position.
    servo = setInterval(() => sim.settle(), servoMs);
  } else if (type === 'cc') {
    const encoding = (values.encoding ?? 'twosComplement') as SimEncoding;
    if (!['twosComplement', 'binaryOffset', 'signMagnitude', 'signedBit2', 'onesComplement'].includes(encoding)) fail(`unknown --encoding ${encoding}`);
    const sim = new CcControllerSim({ encoding });
    device = sim;
    run = (line) => runCcCommand(sim, line);
  } else fail(`unknown --type "${type}"`);
  const name = values.name ?? `sim:${type === 'cc' ? 'knobs' : type === 'mcu-ext' ? 'xtouch-ext' : 'xtouch'}`;
  const server = new NetMidiServer(name, device);
  if (device instanceof XTouchSim) {
    const sim = device;
    server.onConnect(() => {
      print({ event: 'host-connected' });
      sim.powerOn();
    });
  } else server.onConnect(() => print({ event: 'host-connected' }));
  const address = await server.listen(listen);

  const exec = (line: string): Record<string, unknown> => {
    if (line.trim() === '') return { ok: true };
    try {
      return run(line);
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  };
  let control: Server | undefined;
  if (values.control) {
    const path = values.control;
    rmSync(path, { force: true });
    control = createServer((socket) => {
      socket.on('error', () => {});
      createInterface({ input: socket }).on('line', (line) => socket.write(JSON.stringify(exec(line)) + '\n'));
    });
    await new Promise<void>((resolve) => control?.listen(path, () => resolve()));
  }
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(servo);
    if (control) await new Promise<void>((resolve) => control?.close(() => resolve()));
    if (values.control) rmSync(values.control, { force: true });
    await server.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      if (line.trim() === 'quit') {
        void stop(0);
        return;
      }
      print(exec(line));
    })
    .on('close', () => {
      // A pipe closing means the parent went away; /dev/null (stdio 'ignore') closes at once and means nothing.
      const st = fstatSync(0);
      if (st.isFIFO() || st.isSocket()) void stop(0);
    });
  print({ event: 'ready', type, name, listen: address, ...(values.control ? { control: values.control } : {}) });
}

void main();
