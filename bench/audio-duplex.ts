/**
 * The audio path for real: PortAudio (naudiodon in its child process) duplex at 48 kHz /
 * 256-frame blocks through a private real-time JACK2 loopback, carrying the engine's default
 * chain (gain, eq, insert, comp, width, limiter, dither) with the hardware insert in its slot,
 * the monitor (A/B loudness match, limiter) and a playing source.
 *
 *   node --import tsx bench/audio-duplex.ts [--path worker|main] [--duration-s 300] [--measure-s 20] [--burners 1] [--tablets 20] [--buffer-blocks 8]
 *
 * --path worker (default, the daemon's real path): a Daemon in this process whose AudioHost runs
 *   the stream, the graph and the chain in the audio worker thread, the demo source playing; its
 *   tablet server is fed by the engine's own meters.
 * --path main (the "before"): the AudioInterface and the chain on this process's main thread (a
 *   file source), next to a daemon fed by a synthetic 60 Hz meter feed.
 *
 * Phases, in one run:
 *   idle       this process with nothing running (the reference);
 *   duplex     the stream + chain running, machine otherwise as it is: CPU of this process
 *              (process.cpuUsage, all threads; its main thread alone from /proc), of the stream's
 *              child process and of jackd (/proc/<pid>/stat), as a fraction of one core;
 *   load       the same for --duration-s while the daemon in this process serves --tablets
 *              WebSocket clients subscribed to every meter section at 60 fps (the clients in a
 *              child process), and --burners busy-looping processes load the cores; xruns by kind.
 * Also printed: the in-process cost of one block of graph + chain (no I/O), against the block period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { getPriority } from 'node:os';
import path from 'node:path';
import { audioSectionSchema } from '../src/config/sections/audio.ts';
import { DEFAULT_CHAIN_SPEC, createChain } from '../src/engine/chain-factory.ts';
import { AudioInterface } from '../src/devices/audio/audio-interface.ts';
import { SimulatedLoopBackend } from '../src/devices/audio/simulated-loop-backend.ts';
import { silentLogger } from '../src/logger.ts';
import { requireJack, startJack } from '../test/support/jack.ts';
import { programme, tempDir, writeWav } from '../test/devices/audio/audio-fixture.ts';
import { startMainThreadRig, startWorkerRig, type DuplexRig, type XrunCounts } from './support/audio-duplex-rigs.ts';
import { benchArg as arg } from './support/bench-arg.ts';
import { procCpu } from './support/proc-cpu.ts';
import { TabletClients } from './support/tablet-clients.ts';

const FS = 48000;
const B = 256;

const rigPath = arg('path', 'worker');
const durationS = Number(arg('duration-s', '300'));
const measureS = Number(arg('measure-s', '20'));
const burners = Number(arg('burners', '1'));
const tablets = Number(arg('tablets', '20'));
const bufferBlocks = Number(arg('buffer-blocks', '8'));
/** Set by SIGINT/SIGTERM: the running phase ends early and everything is cleaned up. */
const run = { interrupted: false };

interface Cpu {
  self: number;
  mainThread: number;
  child: number;
  jackd: number;
}

async function measure(seconds: number, pids: () => { child: number | undefined; jackd: number | undefined }): Promise<Cpu> {
  const p0 = pids();
  const s0 = procCpu.self();
  const m0 = procCpu.thread(process.pid);
  const c0 = procCpu.process(p0.child);
  const j0 = procCpu.process(p0.jackd);
  const t0 = performance.now();
  const until = performance.now() + seconds * 1000;
  while (!run.interrupted && performance.now() < until) await new Promise((r) => setTimeout(r, 200));
  const wall = (performance.now() - t0) / 1000;
  const p1 = pids();
  return {
    self: (procCpu.self() - s0) / wall,
    mainThread: (procCpu.thread(process.pid) - m0) / wall,
    child: p1.child !== undefined && p1.child === p0.child ? (procCpu.process(p1.child) - c0) / wall : NaN,
    jackd: (procCpu.process(p1.jackd) - j0) / wall,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2).padStart(6)} %`;
const row = (name: string, c: Cpu): string =>
  `${name.padEnd(24)}${pct(c.self)}  ${pct(c.mainThread)}   ${Number.isNaN(c.child) ? '     -  ' : pct(c.child)}   ${pct(c.jackd)}  ${pct(c.self + (Number.isNaN(c.child) ? 0 : c.child) + c.jackd)}`;
const delta = (a: XrunCounts, b: XrunCounts): XrunCounts => ({ late: a.late - b.late, device: a.device - b.device, gap: a.gap - b.gap });
const xrunText = (x: XrunCounts): string => `late ${x.late}, device ${x.device}, gap ${x.gap}`;

/** Graph + chain cost per block, in process, no I/O (simulated loop in manual pace). */
async function blockCost(file: string): Promise<number> {
  const backend = new SimulatedLoopBackend({ patch: { from: [2, 3], to: [2, 3] }, latencySamples: 61, gainDb: 0, polarity: 1, pace: 'manual' });
  const audio = audioSectionSchema.parse({ backend: 'simulated', source: { type: 'file', file, loop: true } });
  const iface = new AudioInterface({
    audio,
    engine: { sampleRate: FS, blockSize: B },
    log: silentLogger(),
    backend,
    chain: (insert) => {
      const chain = createChain(DEFAULT_CHAIN_SPEC, { createInsert: () => insert });
      chain.prepare(FS, B, 2);
      return chain;
    },
  });
  await iface.start();
  iface.transport.play();
  backend.step(4000);
  const n = 20000;
  const t0 = performance.now();
  backend.step(n);
  const perBlockMs = (performance.now() - t0) / n;
  await iface.stop();
  return perBlockMs;
}

async function loadPhase(rig: DuplexRig, jackdPid: number): Promise<void> {
  // Children inherit the priority of the thread that spawns them (on --path main, the raised
  // priority of the thread that answers the stream): undo it for the loaders.
  const renice = ['-n', String(-getPriority(0))];
  const loaders: ChildProcess[] = [];
  const host = tablets > 0 ? await rig.tablets() : undefined;
  const clients = host ? await TabletClients.start({ url: host.wsUrl, clients: tablets, fps: 60, renice }) : undefined;
  try {
    await clients?.subscribe();
    for (let i = 0; i < burners; i++) {
      const burner = spawn('nice', [...renice, process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' });
      burner.on('error', () => undefined);
      loaders.push(burner);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const x1 = { ...rig.xruns };
    const sent0 = host?.framesSent() ?? 0;
    const f1 = rig.framesProcessed();
    const w1 = performance.now();
    const load0 = procCpu.loadAverage();
    const loaded = await measure(durationS, () => ({ child: rig.childPid(), jackd: jackdPid }));
    const wallS = (performance.now() - w1) / 1000;
    const pace = (rig.framesProcessed() - f1) / FS / wallS;
    console.log(row(`under load (${Math.round(wallS)} s)`, loaded));
    const sentPerS = ((host?.framesSent() ?? 0) - sent0) / wallS;
    console.log(
      `  load: this process serving ${tablets} tablets (${sentPerS.toFixed(0)} meter frames/s sent, from ${host?.feed ?? 'nothing'}) + ${burners} busy-loop process(es); load average ${load0.toFixed(2)} at the start, ${procCpu.loadAverage().toFixed(2)} at the end`,
    );
    console.log(`  xruns in ${Math.round(wallS)} s under load: ${xrunText(delta(rig.xruns, x1))} (stream ${rig.running() ? 'running' : 'NOT running'}, ${pace.toFixed(3)}x real time)`);
    console.log(`  ${rig.details()}`);
  } finally {
    for (const l of loaders) l.kill('SIGKILL');
    clients?.exit();
    await host?.stop();
  }
}

async function main(): Promise<void> {
  // Ctrl-C / TERM: still stop jackd and the loaders (the finally blocks).
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  void stop.then(() => {
    run.interrupted = true;
  });
  const jack = requireJack();
  if (!jack.ok) {
    console.log(`audio-duplex: ${jack.reason}`);
    return;
  }
  if (rigPath !== 'worker' && rigPath !== 'main') throw new Error(`--path worker|main, not ${rigPath}`);
  const { dir, cleanup } = tempDir('hb-bench-audio-');
  const server = await startJack({ sampleRate: FS, period: B });
  let rig: DuplexRig | undefined;
  try {
    const file = path.join(dir, 'programme.wav');
    await writeWav(file, programme(FS * 30, 0.2));
    const periodMs = (1000 * B) / FS;
    const costMs = await blockCost(file);
    console.log(
      `audio-duplex: 48 kHz, ${B}-frame blocks (${periodMs.toFixed(3)} ms), default chain [${DEFAULT_CHAIN_SPEC.chain.join(', ')}], bufferBlocks ${bufferBlocks}, answering thread nice ${audioSectionSchema.parse({}).portaudio.niceness}`,
    );
    console.log(`graph + chain, in process      ${(costMs * 1000).toFixed(1).padStart(7)} us per block = ${pct(costMs / periodMs)} of one core (${(periodMs / costMs).toFixed(1)}x real time)`);

    const idle = await measure(measureS / 2, () => ({ child: undefined, jackd: server.pid }));
    const options = { server, sampleRate: FS, blockSize: B, bufferBlocks };
    rig = rigPath === 'worker' ? await startWorkerRig(options) : await startMainThreadRig(options, file);
    const active = rig;
    console.log(`path: ${rig.label}`);
    await new Promise((r) => setTimeout(r, 2000));
    const x0 = { ...rig.xruns };
    const duplex = await measure(measureS, () => ({ child: active.childPid(), jackd: server.pid }));
    console.log('');
    console.log(`phase                   this process  main thread  stream child      jackd     total`);
    console.log(row('idle (reference)', idle));
    console.log(`${row('duplex + chain', duplex)}   (x${(duplex.self / idle.self).toFixed(1)} idle for this process)`);
    console.log(`  xruns in ${measureS} s: ${xrunText(delta(rig.xruns, x0))}`);
    await loadPhase(rig, server.pid);
  } finally {
    await rig?.stop();
    await server.stop();
    cleanup();
  }
}

await main();
