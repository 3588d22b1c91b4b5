/**
 * Outboard latency: knob-to-unit (ParamStore.set to the unit's ACK) and whole-unit recall time, over
 * real pseudo-terminals to firmware-sim units running as their own processes at 115200 baud.
 * Reference measured in the same run: the raw pty round trip (socat pty <-> cat, the same 20-byte
 * frame), and the wire time the protocol cannot beat at 115200 baud.
 *
 *   node --import tsx bench/outboard-latency.ts            # --iterations 300 --recalls 30
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulatedUnits } from '../src/commands/sim.ts';
import { encodeFrame } from '../src/devices/serial/frame-codec.ts';
import { NativeSerialBinding } from '../src/devices/serial/native-serial.ts';
import { OutboardManager } from '../src/devices/serial/outboard-manager.ts';
import { silentLogger } from '../src/logger.ts';
import { ParamStore } from '../src/params/param-store.ts';

const { values: opts } = parseArgs({ options: { iterations: { type: 'string', default: '300' }, recalls: { type: 'string', default: '30' } } });
const N = Number(opts.iterations);
const RECALLS = Number(opts.recalls);
const BAUD = 115200;

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}
const fmt = (ms: number): string => `${ms.toFixed(3).padStart(8)} ms`;
const line = (label: string, xs: readonly number[]): string => `${label.padEnd(44)} p50 ${fmt(pct(xs, 50))}   p99 ${fmt(pct(xs, 99))}   max ${fmt(Math.max(...xs))}`;

async function ptyRoundTrip(dir: string): Promise<number[]> {
  const link = path.join(dir, 'echo');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${link}`, 'EXEC:cat'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let t = '';
    socat.stderr.on('data', (d: Buffer) => {
      t += d.toString();
      if (t.includes('starting data transfer loop')) resolve();
    });
    socat.once('exit', () => reject(new Error(`socat: ${t}`)));
  });
  socat.stderr.resume();
  const h = await new NativeSerialBinding().open(link, { baudRate: BAUD });
  const frame = encodeFrame('0A SET 16 14');
  const out: number[] = [];
  for (let i = 0; i < N + 20; i++) {
    const t0 = performance.now();
    await h.write(frame);
    let got = 0;
    while (got < frame.length) got += (await h.read()).length;
    if (i >= 20) out.push(performance.now() - t0);
  }
  await h.close();
  const exited = new Promise((r) => socat.once('exit', r));
  socat.kill('SIGTERM');
  await exited;
  return out;
}

function controlState(socketPath: string): Promise<{ stats: { setsIn: number } }> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\n')) {
        s.end();
        resolve(JSON.parse(buf.slice(0, buf.indexOf('\n'))) as { stats: { setsIn: number } });
      }
    });
    s.on('error', reject);
    s.write('state\n');
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hb-bench-outboard-'));
  const reference = await ptyRoundTrip(dir);
  const studio = await startSimulatedUnits(
    {
      units: [
        { model: 'eq', serial: 'EQ-B', transport: 'pty' },
        { model: 'comp', serial: 'BC-B', transport: 'pty' },
        { model: 'switcher', serial: 'IS-B', transport: 'pty' },
      ],
    },
    { log: silentLogger(), dir },
  );
  const store = new ParamStore();
  const unit = (id: string, profile: string, serial: string) => ({ id, profile, serial, port: 'sim', baudRate: BAUD, required: true, onPowerCycle: 'resend' as const });
  const manager = new OutboardManager({
    store,
    units: [unit('eq1', 'hb-seq4', 'EQ-B'), unit('comp1', 'hb-bc2', 'BC-B'), unit('sw1', 'hb-is6', 'IS-B')],
    profilesDir: 'config/gear',
    log: silentLogger(),
    report: () => {},
    resolvePort: (u) => studio.resolvePort(u),
    timing: { scanSystemPorts: false },
  });
  try {
    await manager.start();
    for (const id of ['eq1', 'comp1', 'sw1']) await manager.whenStatus(id, 'online', 20_000);

    // Knob to unit: one detent at a time, waiting for the unit's ACK (the queue goes idle on it).
    const knob: number[] = [];
    const gain = 'outboard.eq1.ch1.band2.gainDb';
    for (let i = 0; i < N + 20; i++) {
      const t0 = performance.now();
      store.set(gain, i % 2 === 0 ? 1.5 : 2, 'bench');
      await manager.idle('eq1');
      if (i >= 20) knob.push(performance.now() - t0);
    }

    // A fast sweep: 200 values in one burst; the latest-wins queue sends only what the line can carry.
    const eqCtl = studio.units.find((u) => u.serial === 'EQ-B')?.control as string;
    const setsBefore = (await controlState(eqCtl)).stats.setsIn;
    const steps = store.spec('outboard.eq1.ch1.outputDb').steps as readonly number[];
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) store.set('outboard.eq1.ch1.outputDb', steps[i % steps.length] as number, 'bench');
    await manager.idle('eq1');
    const sweepMs = performance.now() - t0;
    const sweepSets = (await controlState(eqCtl)).stats.setsIn - setsBefore;

    // Whole-unit recall, alternating two snapshots so every value changes every time.
    const recallTimes: Record<string, number[]> = { eq1: [], comp1: [], sw1: [] };
    const counts: Record<string, number> = {};
    let notVerified = 0;
    for (const id of Object.keys(recallTimes)) {
      const entries = store.list(`outboard.${id}.`);
      counts[id] = entries.length;
      const snap = (k: number): Record<string, number> =>
        Object.fromEntries(entries.map((e, j) => [e.id, e.steps ? (e.steps[(k + j) % e.steps.length] as number) : e.min + ((k + j) % 10) * ((e.max - e.min) / 10)]));
      // The switcher's positions are a permutation: recall a valid order.
      const fix = (s: Record<string, number>, k: number): Record<string, number> => {
        if (id !== 'sw1') return s;
        for (let n = 1; n <= 6; n++) s[`outboard.sw1.loop${n}.position`] = ((n - 1 + k) % 6) + 1;
        return s;
      };
      for (let k = 0; k < RECALLS + 2; k++) {
        const r = await manager.recall(id, fix(snap(k % 2), k % 2));
        if (!r.ok) notVerified++;
        if (k >= 2) (recallTimes[id] as number[]).push(r.durationMs);
      }
    }

    // What the wire alone costs at 115200 baud: a SET frame out and its ACK back (10 bits a byte).
    const byteMs = 10_000 / BAUD;
    const setWire = (encodeFrame('0A SET 16 14').length + encodeFrame('0A ACK SET 16 14').length) * byteMs;
    const refP50 = pct(reference, 50);
    console.log(`outboard-latency: firmware-sim units as processes on socat ptys, ${BAUD} baud, ${N} knob moves, ${RECALLS} recalls per unit`);
    console.log(line('reference: raw pty round trip (20 B echo)', reference));
    console.log(`${'reference: wire time SET + ACK at 115200'.padEnd(44)}     ${fmt(setWire)}   (+0.3 ms unit processing)`);
    console.log(line('knob -> unit ACK (ParamStore.set to ACK)', knob));
    for (const [id, xs] of Object.entries(recallTimes)) console.log(line(`recall ${id} (${counts[id]} params, verified)`, xs));
    console.log(`sweep of 200 values: ${sweepMs.toFixed(1)} ms to the last ACK, ${sweepSets} SETs reached the unit (latest wins)`);
    console.log('');
    console.log(`knob p50 / raw pty p50              ${(pct(knob, 50) / refP50).toFixed(1)}x`);
    console.log(`knob p50 / wire floor (SET+ACK+0.3) ${(pct(knob, 50) / (setWire + 0.3)).toFixed(2)}x`);
    const eqFloor = (counts.eq1 as number) * (setWire / 2) + 0.3; // pipelined: the ACK stream is the bottleneck
    console.log(`recall eq1 p50 / 150 ms budget      ${(pct(recallTimes.eq1 as number[], 50) / 150).toFixed(2)}x   (pipelined wire floor ~${eqFloor.toFixed(0)} ms + read-back)`);
    if (notVerified > 0) console.log(`WARNING: ${notVerified} recalls not fully verified`);
  } finally {
    await manager.stop();
    await studio.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
