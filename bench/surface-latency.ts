/**
 * Control surfaces: how long from a surface message arriving to the ParamStore change, and whether
 * a fast fader throw (a burst of 1,000 messages) is absorbed without a backlog.
 *
 *   node --import tsx bench/surface-latency.ts [--messages 10000] [--burst 1000]
 *
 * Subject: the real SurfaceManager with an X-Touch (Mackie Control) surface on the fake MIDI binding
 * (bytes cross the seam one event-loop turn later, as rtmidi's callback does), V-Pot 3 bound to a
 * parameter; each message alternates +1/-1 tick so every one changes the value.
 * References, measured interleaved in the same run (same load):
 *   decoder  the raw decoders alone on the same bytes (MidiStreamParser + decodeMcu);
 *   floor    one setImmediate hop + a bare store.set: what any path through this seam costs.
 * Burst: a touched fader thrown through 1,000 positions in one delivery, then released; through the
 * fake binding and through the network MIDI binding (unix socket, as firmware-sim surfaces run).
 * Reported: time to drain, messages left unapplied when the burst ends (backlog), and the feedback
 * it caused (nothing while touched, one final position on release).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NetMidiServer } from '../firmware-sim/surfaces/net-midi-server.ts';
import { XTouchSim } from '../firmware-sim/surfaces/xtouch.ts';
import { RecordingActionSink } from '../src/control/action-sink.ts';
import { SurfaceManager } from '../src/control/surface-manager.ts';
import { FakeHidWorld } from '../src/devices/hid/fake-hid-binding.ts';
import type { MidiBinding } from '../src/devices/midi/binding.ts';
import { FakeMidiWorld } from '../src/devices/midi/fake-midi-binding.ts';
import { decodeMcu } from '../src/devices/midi/mcu-decoder.ts';
import { MidiStreamParser } from '../src/devices/midi/midi-parser.ts';
import { createNetMidiBinding } from '../src/devices/midi/net-midi-binding.ts';
import { silentLogger } from '../src/logger.ts';
import { ParamStore } from '../src/params/param-store.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : def;
}
const MESSAGES = arg('messages', 10_000);
const BURST = arg('burst', 1000);

const MAP = `
version: 1
type: mcu
mcu: { model: xtouch, onlineTimeoutMs: 0 }
pages:
  - id: eq
    label: EQ
    strips:
${Array.from({ length: 8 }, (_, i) => `      - { param: eq.band${i + 1}.gainDb, step: 0.5 }`).join('\n')}
`;

function store(): ParamStore {
  const s = new ParamStore();
  s.register(Array.from({ length: 8 }, (_, i) => ({ id: `eq.band${i + 1}.gainDb`, label: `Band ${i + 1} gain`, kind: 'continuous' as const, unit: 'dB', min: -24, max: 24, default: 0 })));
  s.register({ id: 'bench.floor', label: 'floor', kind: 'continuous', unit: '', min: 0, max: 1, default: 0 });
  return s;
}

async function manager(dir: string, s: ParamStore, midi: MidiBinding, match: string): Promise<SurfaceManager> {
  await writeFile(path.join(dir, 'xt.yaml'), MAP);
  const m = new SurfaceManager({
    store: s,
    surfaces: [{ id: 'xtouch', type: 'mcu', match, map: 'xt', required: false }],
    mapsDir: dir,
    dataDir: path.join(dir, 'data'),
    log: silentLogger(),
    report: () => {},
    midi,
    hid: new FakeHidWorld().binding(),
    actions: new RecordingActionSink(),
    pollIntervalMs: 0,
  });
  await m.start();
  while (m.surfaces()[0]?.status !== 'online') await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setTimeout(r, 20));
  return m;
}

const ns = (): bigint => process.hrtime.bigint();
const us = (d: bigint): number => Number(d) / 1000;
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
function stats(xs: number[]): { p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 50), p99: pct(s, 99), max: s[s.length - 1] as number };
}
const fmt = (n: number): string => n.toFixed(1).padStart(8);

async function latency(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hb-bench-surf-'));
  const s = store();
  const world = new FakeMidiWorld();
  const device = world.plug('X-Touch');
  const m = await manager(dir, s, world.binding(), 'X-Touch');
  const subject: number[] = [];
  const decoder: number[] = [];
  const floor: number[] = [];
  const parser = new MidiStreamParser();
  let sink = 0;
  let resolveChange: (() => void) | undefined;
  s.on('change', (c) => {
    if (c.id === 'eq.band3.gainDb' || c.id === 'bench.floor') resolveChange?.();
  });
  const warm = Math.min(500, MESSAGES / 10);
  for (let i = 0; i < MESSAGES + warm; i++) {
    const bytes = Uint8Array.of(0xb0, 0x12, i % 2 === 0 ? 0x01 : 0x41);
    // subject: device -> store change, through the seam
    const changed = new Promise<void>((r) => (resolveChange = r));
    const t0 = ns();
    device.send(bytes);
    await changed;
    const t1 = ns();
    // reference 1: the decoders alone on the same bytes
    const t2 = ns();
    parser.push(bytes, (msg) => {
      const ev = decodeMcu(msg);
      if (ev?.type === 'vpot') sink += ev.ticks;
    });
    const t3 = ns();
    // reference 2: one event-loop hop + a bare store.set
    const f = new Promise<void>((r) => (resolveChange = r));
    const t4 = ns();
    setImmediate(() => s.set('bench.floor', i % 2 === 0 ? 1 : 0, 'bench'));
    await f;
    const t5 = ns();
    if (i >= warm) {
      subject.push(us(t1 - t0));
      decoder.push(us(t3 - t2));
      floor.push(us(t5 - t4));
    }
  }
  const a = stats(subject);
  const b = stats(decoder);
  const c = stats(floor);
  console.log(`surface-latency: ${MESSAGES} V-Pot messages, X-Touch surface on the fake MIDI binding, microseconds`);
  console.log(`subject: message in -> ParamStore change   p50 ${fmt(a.p50)}   p99 ${fmt(a.p99)}   max ${fmt(a.max)}`);
  console.log(`reference: raw decoders alone              p50 ${fmt(b.p50)}   p99 ${fmt(b.p99)}   max ${fmt(b.max)}`);
  console.log(`reference: setImmediate hop + store.set    p50 ${fmt(c.p50)}   p99 ${fmt(c.p99)}   max ${fmt(c.max)}`);
  console.log(`subject / floor p50 ${(a.p50 / c.p50).toFixed(2)}x   p99 ${(a.p99 / c.p99).toFixed(2)}x;  subject - floor p50 ${(a.p50 - c.p50).toFixed(1)} us;  decoder share of subject p50 ${((100 * b.p50) / a.p50).toFixed(1)} %  (${sink === 0 ? 'ok' : sink})`);
  await m.stop();
  await rm(dir, { recursive: true, force: true });
}

async function burst(kind: 'fake' | 'net', label: string | undefined, warmups = 0): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hb-bench-burst-'));
  const s = store();
  const sim = new XTouchSim();
  let m: SurfaceManager;
  let server: NetMidiServer | undefined;
  let midi: MidiBinding;
  // Raw device -> host writer, so the whole throw leaves in one write (as a USB-MIDI batch would).
  let write: (bytes: number[]) => void;
  if (kind === 'fake') {
    const world = new FakeMidiWorld();
    const device = world.plug('X-Touch');
    device.on('receive', (b) => sim.receive(b));
    sim.connect((b) => device.send(b));
    write = (b) => device.send(b);
    midi = world.binding();
    m = await manager(dir, s, midi, 'X-Touch');
  } else {
    let send: (bytes: number[]) => void = () => {};
    server = new NetMidiServer('sim:xtouch', {
      connect: (f) => {
        send = f;
        sim.connect(f);
      },
      receive: (b) => sim.receive(b),
    });
    write = (b) => send(b);
    await server.listen(path.join(dir, 'xtouch.sock'));
    midi = createNetMidiBinding({ socketDir: dir });
    m = await manager(dir, s, midi, 'sim');
  }
  await new Promise((r) => setTimeout(r, 50));
  const values = Array.from({ length: BURST }, (_, i) => Math.round((16383 * (i + 1)) / BURST));
  const bytes: number[] = [];
  for (const v of values) bytes.push(0xe0, v & 0x7f, v >> 7);
  // Reference: the decoders alone over the same bytes.
  const parser = new MidiStreamParser();
  let decoded = 0;
  const r0 = ns();
  parser.push(Uint8Array.from(bytes), (msg) => {
    if (decodeMcu(msg)?.type === 'fader') decoded++;
  });
  const decoderUs = us(ns() - r0);
  const lags: number[] = [];
  let t0 = 0n;
  s.on('change', (c) => {
    if (c.id === 'eq.band1.gainDb' && c.source === 'surface:xtouch/fader1') lags.push(us(ns() - t0));
  });
  const faderOut = (): number => sim.received.filter((msg) => msg[0] === 0xe0).length;
  sim.touch(1);
  await new Promise((r) => setTimeout(r, 20));
  // Earlier throws in the same session (so the fader path is compiled, as in a session in use).
  for (let w = 0; w < warmups; w++) {
    const wb: number[] = [];
    for (let i = 0; i < BURST; i++) wb.push(0xe0, (i * 7 + w) & 0x7f, (i * 13) & 0x7f);
    lags.length = 0;
    t0 = ns();
    write(wb);
    const until = Date.now() + 10_000;
    while (lags.length < BURST - 50 && Date.now() < until) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
  }
  s.set('eq.band1.gainDb', -24, 'bench');
  await new Promise((r) => setTimeout(r, 10));
  lags.length = 0;
  const outBefore = faderOut();
  t0 = ns();
  write(bytes);
  const deadline = Date.now() + 10_000;
  while (lags.length < BURST && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 30));
  const duringTouch = faderOut() - outBefore;
  sim.untouch(1);
  await new Promise((r) => setTimeout(r, 30));
  const afterRelease = faderOut() - outBefore - duringTouch;
  const l = stats(lags);
  const drainMs = l.max / 1000;
  // A DIN MIDI cable carries at most 31250 / 10 / 3 = 1042 three-byte messages per second.
  const dinMs = (BURST * 30) / 31.25;
  if (label !== undefined)
    console.log(
      `burst ${label}: ${BURST} touched fader positions in one write; applied ${lags.length}/${BURST} (final ${s.get('eq.band1.gainDb').toFixed(2)} dB); ` +
        `lag from the write p50 ${(l.p50 / 1000).toFixed(2)} ms p99 ${(l.p99 / 1000).toFixed(2)} ms; drained in ${drainMs.toFixed(2)} ms = ${(BURST / drainMs).toFixed(0)} msg/ms, ` +
        `${(dinMs / drainMs).toFixed(0)}x faster than a DIN cable delivers them (${dinMs.toFixed(0)} ms); reference decoders alone ${(decoderUs / 1000).toFixed(2)} ms for ${decoded} ` +
        `(drain / decoders ${(l.max / decoderUs).toFixed(1)}x); feedback while touched ${duringTouch} msg, on release ${afterRelease}`,
    );
  await m.stop();
  await midi.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
}

await latency();
await burst('fake', 'fake binding, first throw after start (cold JIT)');
await burst('fake', 'fake binding, after 5 throws         ', 5);
await burst('net', 'network MIDI (unix socket), after 5   ', 5);
