import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { PortHandle } from '../../../src/devices/serial/binding.ts';
import { encodeFrame } from '../../../src/devices/serial/frame-codec.ts';
import { FrameDecoder } from '../../../src/devices/serial/frame-decoder.ts';
import { NativeSerialBinding } from '../../../src/devices/serial/native-serial.ts';
import { TcpTransport } from '../../../src/devices/serial/tcp-transport.ts';
import { simUnitCommand } from '../../../src/commands/sim.ts';
import { requireTool } from '../../support/require-tool.ts';

/** firmware-sim/bin/unit.ts as the separate program it is: flags, JSON events, pty/TCP, control socket. */
const socat = requireTool('socat');
const dir = mkdtempSync(path.join(tmpdir(), 'hb-unit-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcessWithoutNullStreams;
  events: Record<string, unknown>[];
  next(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

function run(args: string[]): Running {
  const { command, args: argv } = simUnitCommand(args);
  const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  const waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const e = JSON.parse(line) as Record<string, unknown>;
    events.push(e);
    for (const w of [...waiters]) {
      if (!w.pred(e)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  child.stderr.resume();
  return {
    child,
    events,
    next: (pred) => {
      const seen = events.find(pred);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const code = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGTERM');
      return code;
    },
  };
}

async function ask(h: PortHandle, body: string): Promise<string[]> {
  const dec = new FrameDecoder();
  await h.write(encodeFrame(body));
  const got: string[] = [];
  const tag = body.slice(0, 2);
  while (!got.some((b) => b.startsWith(`${tag} `))) for (const e of dec.push(await h.read())) if (e.kind === 'frame') got.push(e.body);
  return got;
}

function control(socketPath: string, line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\n')) {
        s.end();
        resolve(JSON.parse(buf.slice(0, buf.indexOf('\n'))) as Record<string, unknown>);
      }
    });
    s.on('error', reject);
    s.write(line + '\n');
  });
}

describe.skipIf(!socat.ok)(`firmware-sim unit program over a pty${socat.ok ? '' : ` (${socat.reason})`}`, () => {
  it('prints ready, answers on the pty, takes control commands, replugs under a new path, exits on SIGTERM', async () => {
    const pty = path.join(dir, 'eq');
    const ctl = path.join(dir, 'eq.ctl');
    const script = path.join(dir, 'panel.txt');
    writeFileSync(script, '# turn two knobs\npanel ch1.band2.gainDb 2\nturn ch2.outputDb -4\n');
    const u = run(['--model', 'eq', '--serial', 'EQ-BIN', '--pty', pty, '--control', ctl, '--state-file', path.join(dir, 'eq.json'), '--script', script]);
    const ready = await u.next((e) => e.event === 'ready');
    expect(ready).toMatchObject({ event: 'ready', model: 'eq', modelName: 'HB-SEQ4', serial: 'EQ-BIN', transport: 'pty', port: pty, control: ctl, baud: 115200 });
    expect(await u.next((e) => e.event === 'script')).toMatchObject({ ok: true, commands: 2 });
    const h = await new NativeSerialBinding().open(pty, { baudRate: 115200 });
    expect((await ask(h, '01 IDN')).at(-1)).toMatch(/^01 ACK IDN model=HB-SEQ4 .*serial=EQ-BIN proto=1 params=31 boot=\d+$/);
    expect((await ask(h, '02 GET 16')).at(-1)).toBe('02 ACK GET 16 17');
    expect(await control(ctl, 'panel ch1.band3.gainDb -1.5')).toMatchObject({ ok: true, change: { name: 'ch1.band3.gainDb', value: -1.5 } });
    expect(await ask(h, '03 PING')).toEqual(['00 NTF 19 6', '03 ACK PING']);
    const state = await control(ctl, 'state');
    expect(state).toMatchObject({ ok: true, power: 'running', values: { 'ch1.band2.gainDb': 2, 'ch2.outputDb': -2, 'ch1.band3.gainDb': -1.5 } });
    expect(await control(ctl, 'bogus')).toMatchObject({ ok: false });
    // Unplug: the pty vanishes under the open handle.
    const pending = h.read().catch((e: unknown) => e);
    expect(await control(ctl, 'unplug')).toMatchObject({ ok: true });
    expect(await pending).toMatchObject({ code: 'E_DEVICE_DISCONNECTED' });
    await h.close();
    await u.next((e) => e.event === 'unplugged');
    expect(existsSync(pty)).toBe(false);
    const replug = await control(ctl, 'replug');
    expect(replug.port).toBe(`${pty}.1`);
    expect(await u.next((e) => e.event === 'plugged')).toMatchObject({ port: `${pty}.1` });
    const h2 = await new NativeSerialBinding().open(`${pty}.1`, { baudRate: 115200 });
    expect((await ask(h2, '04 GET 16')).at(-1)).toBe('04 ACK GET 16 17');
    await h2.close();
    expect(await u.stop()).toBe(0);
    expect(existsSync(`${pty}.1`)).toBe(false);
    expect(existsSync(ctl)).toBe(false);
  });
});

describe('firmware-sim unit program over TCP, and its argument checks', () => {
  it('listens on a TCP port (ser2net style) and answers', async () => {
    const u = run(['--model', 'comp', '--serial', 'BC-BIN', '--tcp', '127.0.0.1:0', '--state-file', path.join(dir, 'bc.json')]);
    const ready = await u.next((e) => e.event === 'ready');
    expect(ready.port).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const h = await new TcpTransport().open(ready.port as string, { baudRate: 115200 });
    expect((await ask(h, '01 IDN')).at(-1)).toMatch(/model=HB-BC2 .*serial=BC-BIN/);
    // Control over stdin works too.
    u.child.stdin.write('fault stall 10\n');
    expect(await u.next((e) => e.event === 'reply')).toMatchObject({ ok: true });
    await h.close();
    expect(await u.stop()).toBe(0);
  });

  it('refuses bad arguments with exit code 2 and a usage line', async () => {
    for (const args of [['--model', 'tape', '--serial', 'X', '--tcp', '127.0.0.1:0'], ['--model', 'eq', '--serial', 'X'], ['--model', 'eq', '--serial', 'bad serial', '--tcp', '127.0.0.1:0'], ['--nope']]) {
      const u = run(args);
      let err = '';
      u.child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((r) => u.child.once('exit', (c) => r(c)));
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(/usage: unit --model/);
    }
  });
});
