/**
 * The audio path for real: PortAudio (naudiodon in its child process) duplex at 48 kHz /
 * 256-frame blocks through a private real-time JACK2 loopback, carrying the engine's default
 * chain (gain, eq, insert, comp, limiter, width, dither) with the hardware insert in its slot,
 * the monitor (A/B loudness match, limiter) and a playing source.
 *
 *   node --import tsx bench/audio-duplex.ts [--duration-s 300] [--measure-s 20] [--burners 1] [--tablets 20] [--buffer-blocks 8]
 *
 * Phases, in one run:
 *   idle       this process with nothing running (the reference);
 *   duplex     the stream + chain running, machine otherwise as it is: CPU of this process
 *              (process.cpuUsage, all threads), of the stream's child process and of jackd
 *              (/proc/<pid>/stat), as a fraction of one core;
 *   load       the same for --duration-s while this very process also runs a daemon serving
 *              --tablets WebSocket clients subscribed to every meter section at 60 fps (a synthetic
 *              60 Hz meter feed; the clients are bench/tablet-fanout.ts's client process), and
 *              --burners busy-looping processes load the cores; xruns counted by kind.
 * Also printed: the in-process cost of one block of graph + chain (no I/O), against the block period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { audioSectionSchema } from '../src/config/sections/audio.ts';
import { DEFAULT_CHAIN_SPEC, createChain } from '../src/engine/chain-factory.ts';
import { AudioInterface } from '../src/devices/audio/audio-interface.ts';
import { SimulatedLoopBackend } from '../src/devices/audio/simulated-loop-backend.ts';
import { silentLogger } from '../src/logger.ts';
import type { XrunReport } from '../src/devices/audio/binding.ts';
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { parseConfig } from '../src/config/load-config.ts';
import { Daemon } from '../src/daemon.ts';
import { SyntheticMeterFeed } from '../test/server/synthetic-meter-feed.ts';
import { JACK_ALSA_CONFIG, requireJack, startJack } from '../test/support/jack.ts';
import { programme, tempDir, writeWav } from '../test/devices/audio/audio-fixture.ts';

const FS = 48000;
const B = 256;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : def;
}

const durationS = arg('duration-s', 300);
const measureS = arg('measure-s', 20);
const burners = arg('burners', 1);
const tablets = arg('tablets', 20);
const bufferBlocks = arg('buffer-blocks', 8);
const here = path.dirname(fileURLToPath(import.meta.url));
const TICK = 100; // getconf CLK_TCK on Linux
/** Set by SIGINT/SIGTERM: the running phase ends early and everything is cleaned up. */
const run = { interrupted: false };

function procCpuS(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return 0;
  }
}

function selfCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function measure(seconds: number, pids: () => { child: number | undefined; jackd: number | undefined }): Promise<{ self: number; child: number; jackd: number }> {
  const p0 = pids();
  const s0 = selfCpuS();
  const c0 = procCpuS(p0.child);
  const j0 = procCpuS(p0.jackd);
  const t0 = performance.now();
  const until = performance.now() + seconds * 1000;
  while (!run.interrupted && performance.now() < until) await new Promise((r) => setTimeout(r, 200));
  const wall = (performance.now() - t0) / 1000;
  const p1 = pids();
  return {
    self: (selfCpuS() - s0) / wall,
    child: p1.child === p0.child ? (procCpuS(p1.child) - c0) / wall : NaN,
    jackd: (procCpuS(p1.jackd) - j0) / wall,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2).padStart(6)} %`;

function chainFactory() {
  return (insert: Parameters<NonNullable<ConstructorParameters<typeof AudioInterface>[0]['chain']>>[0]) => {
    const chain = createChain(DEFAULT_CHAIN_SPEC, { createInsert: () => insert });
    chain.prepare(FS, B, 2);
    return chain;
  };
}

/**
 * A daemon in this process serving `clients` tablets (subscribed to every meter section at 60 fps)
 * from a synthetic 60 Hz meter feed; the clients run in a child process at normal priority.
 */
async function startTablets(clients: number, renice: string[]): Promise<{ stop: () => Promise<void>; framesSent: () => number }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hb-bench-audio-tablets-'));
  const feed = new SyntheticMeterFeed({ bands: 64 });
  const loaded = parseConfig(`version: 1\ndataDir: ${JSON.stringify(dataDir)}\nserver:\n  host: 127.0.0.1\n  port: 0\naudio: { backend: none }\n`, path.join(dataDir, 'bench.yaml'));
  const daemon = new Daemon(loaded, { log: silentLogger(), tablet: { meters: feed, terminal: null } });
  await daemon.start();
  const timer = setInterval(() => feed.publish(), 1000 / 60);
  const port = new URL(daemon.url).port;
  const child = fork(path.join(here, 'tablet-fanout.ts'), ['--client-process', '--url', `ws://127.0.0.1:${port}/ws`, '--clients', String(clients), '--fps', '60'], {
    execPath: 'nice',
    execArgv: [...renice, process.execPath, '--import', 'tsx'],
  });
  child.on('error', () => undefined); // a client process that died must not take the benchmark down
  const next = (key: string): Promise<void> =>
    new Promise((resolve) => {
      const on = (m: Record<string, unknown>): void => {
        if (key in m) {
          child.off('message', on);
          resolve();
        }
      };
      child.on('message', on);
    });
  await next('ready');
  child.send({ cmd: 'subscribe' });
  await next('subscribed');
  return {
    framesSent: () => daemon.tablet.stats().framesSent,
    stop: async () => {
      child.send({ cmd: 'exit' });
      clearInterval(timer);
      await daemon.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Graph + chain cost per block, in process, no I/O (simulated loop in manual pace). */
async function blockCost(file: string): Promise<number> {
  const backend = new SimulatedLoopBackend({ patch: { from: [2, 3], to: [2, 3] }, latencySamples: 61, gainDb: 0, polarity: 1, pace: 'manual' });
  const audio = audioSectionSchema.parse({ backend: 'simulated', source: { type: 'file', file, loop: true } });
  const iface = new AudioInterface({ audio, engine: { sampleRate: FS, blockSize: B }, log: silentLogger(), backend, chain: chainFactory() });
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

async function main(): Promise<void> {
  // Ctrl-C / TERM: still stop jackd and the loaders (the finally below).
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
  const { dir, cleanup } = tempDir('hb-bench-audio-');
  const loaders: ChildProcess[] = [];
  const server = await startJack({ sampleRate: FS, period: B });
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
    const audio = audioSectionSchema.parse({
      backend: 'portaudio',
      device: 'loop8',
      portaudio: { bufferBlocks, alsaConfig: JACK_ALSA_CONFIG },
      source: { type: 'file', file, loop: true },
    });
    const iface = new AudioInterface({ audio, engine: { sampleRate: FS, blockSize: B }, log: silentLogger(), env: server.env, chain: chainFactory() });
    const xruns = { late: 0, device: 0, gap: 0 };
    iface.on('xrun', (r: XrunReport) => (xruns[r.kind] += r.added));
    await iface.start();
    if (!iface.running) throw new Error('the stream did not start');
    const childPid = (): number | undefined => (iface.backend as { childPid?: number } | undefined)?.childPid;
    iface.transport.play();
    await new Promise((r) => setTimeout(r, 2000));
    const x0 = { ...xruns };
    const duplex = await measure(measureS, () => ({ child: childPid(), jackd: server.pid }));
    const xDuplex = { late: xruns.late - x0.late, device: xruns.device - x0.device, gap: xruns.gap - x0.gap };
    console.log('');
    console.log(`phase                     this process   stream child      jackd     total`);
    console.log(`idle (reference)          ${pct(idle.self)}        -         ${pct(idle.jackd)}  ${pct(idle.self + idle.jackd)}`);
    const tot = duplex.self + duplex.child + duplex.jackd;
    console.log(`duplex + chain            ${pct(duplex.self)}   ${pct(duplex.child)}   ${pct(duplex.jackd)}  ${pct(tot)}   (x${(duplex.self / idle.self).toFixed(1)} idle for this process)`);
    console.log(`  xruns in ${measureS} s: late ${xDuplex.late}, device ${xDuplex.device}, gap ${xDuplex.gap}`);

    // Load: tablets served by this process, and CPU burners at normal priority (children inherit
    // the raised priority of the thread that answers the stream: undo it).
    const renice = ['-n', String(-osPriority())];
    const tabletLoad = tablets > 0 ? await startTablets(tablets, renice) : { stop: async () => undefined, framesSent: () => 0 };
    for (let i = 0; i < burners; i++) {
      const burner = spawn('nice', [...renice, process.execPath, '-e', 'for(;;){}'], { stdio: 'ignore' });
      burner.on('error', () => undefined);
      loaders.push(burner);
    }
    await new Promise((r) => setTimeout(r, 3000));
    const x1 = { ...xruns };
    const sent0 = tabletLoad.framesSent();
    const f1 = iface.graph.framesProcessed;
    const w1 = performance.now();
    const loaded = await measure(durationS, () => ({ child: childPid(), jackd: server.pid }));
    const pace = (iface.graph.framesProcessed - f1) / FS / ((performance.now() - w1) / 1000);
    const xLoad = { late: xruns.late - x1.late, device: xruns.device - x1.device, gap: xruns.gap - x1.gap };
    const ltot = loaded.self + loaded.child + loaded.jackd;
    console.log(`under load (${durationS} s)       ${pct(loaded.self)}   ${pct(loaded.child)}   ${pct(loaded.jackd)}  ${pct(ltot)}`);
    const sentPerS = (tabletLoad.framesSent() - sent0) / durationS;
    console.log(
      `  load: this process serving ${tablets} tablets (${sentPerS.toFixed(0)} meter frames/s sent) + ${burners} busy-loop process(es); load average at the end ${os().toFixed(2)}`,
    );
    console.log(`  xruns in ${durationS} s under load: late ${xLoad.late}, device ${xLoad.device}, gap ${xLoad.gap} (stream ${iface.running ? 'running' : 'NOT running'}, ${pace.toFixed(3)}x real time)`);
    await iface.stop();
    await tabletLoad.stop();
  } finally {
    for (const l of loaders) l.kill('SIGKILL');
    await server.stop();
    cleanup();
  }
}

function osPriority(): number {
  return getPriority(0);
}

function os(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

await main();
