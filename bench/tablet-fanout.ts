/**
 * Tablet fan-out: 20 WebSocket clients at 60 fps against a real daemon.
 *
 *   node --import tsx bench/tablet-fanout.ts [--seconds 10] [--clients 20] [--fps 60] [--bands 64] [--feed both|synthetic|worker]
 *
 * The daemon runs in this process; the clients run in a child process so that their work does not
 * count as the daemon's (bench/support/tablet-clients-child.ts). Two feeds, each in two phases:
 *   synthetic (the reference): a SyntheticMeterFeed published at 60 Hz on this thread's timer;
 *   worker (the real path): a Daemon with `audio.backend: simulated`, the demo source playing, so
 *     the audio worker runs the chain and publishes meter frames into the shared meter buffer,
 *     which the main thread polls at engine.meterRateHz and hands to the tablet server
 *     (`tablet.setMeterFeed(engine)`, as src/daemon.ts wires it). `engine.probeTiming(true)`: the
 *     worker stamps each frame with its publish time; this process keeps seq -> publishedMs.
 * Phases: idle (clients connected, not subscribed; feed and audio running) and fan-out (every
 * client subscribed to every meter section at --fps).
 * Printed per feed: daemon CPU (process.cpuUsage, all threads; and the main thread alone, from
 * /proc, 10 ms ticks) in each phase, the fan-out's cost (the difference) and its cost per
 * delivered frame; frames delivered and skipped; latency p50/p99/max over every frame:
 *   synthetic: publish (the feed calling the server) -> client receipt;
 *   worker:    the worker's publish -> client receipt, split into the poll share (worker publish ->
 *              the main thread's poll handing it to the tablet server: the frame's publishedAtMs)
 *              and the fan-out share (that -> client receipt).
 * Both processes (and the worker thread) read the same clock (performance.timeOrigin + now()).
 */
import os from 'node:os';
import { SyntheticMeterFeed } from '../test/server/synthetic-meter-feed.ts';
import { benchArg as arg } from './support/bench-arg.ts';
import { startBenchDaemon, type BenchDaemon } from './support/bench-daemon.ts';
import { procCpu } from './support/proc-cpu.ts';
import { TabletClients, type ClientsReport } from './support/tablet-clients.ts';

const a = {
  seconds: Number(arg('seconds', '10')),
  clients: Number(arg('clients', '20')),
  fps: Number(arg('fps', '60')),
  bands: Number(arg('bands', '64')),
  feed: arg('feed', 'both'),
};

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function dist(name: string, values: number[]): string {
  const s = values.sort((x, y) => x - y);
  const mean = s.reduce((acc, v) => acc + v, 0) / Math.max(1, s.length);
  return `${name.padEnd(34)} p50 ${percentile(s, 50).toFixed(2).padStart(6)} ms, p99 ${percentile(s, 99).toFixed(2).padStart(6)} ms, max ${(s.at(-1) ?? NaN).toFixed(2).padStart(6)} ms, mean ${mean.toFixed(2).padStart(6)} ms (${s.length} frames)`;
}

/** A 60 Hz publisher that keeps to its schedule (setInterval drifts and rounds to ms). */
function startPublishing(feed: SyntheticMeterFeed, hz: number): () => void {
  const period = 1000 / hz;
  let next = performance.now() + period;
  let timer: NodeJS.Timeout;
  const loop = (): void => {
    feed.publish();
    next += period;
    const now = performance.now();
    if (next < now) next = now + period;
    timer = setTimeout(loop, next - now);
  };
  timer = setTimeout(loop, period);
  return () => clearTimeout(timer);
}

interface Cpu {
  processPercent: number;
  mainPercent: number;
  wallS: number;
}

async function measureCpu(seconds: number): Promise<Cpu> {
  const c0 = procCpu.self();
  const m0 = procCpu.thread(process.pid);
  const t0 = performance.now();
  await wait(seconds * 1000);
  const wallS = (performance.now() - t0) / 1000;
  return { processPercent: ((procCpu.self() - c0) / wallS) * 100, mainPercent: ((procCpu.thread(process.pid) - m0) / wallS) * 100, wallS };
}

interface PhaseResult {
  idle: Cpu;
  busy: Cpu;
  sent: number;
  dropped: number;
  report: ClientsReport;
}

/** Idle baseline (clients connected, not subscribed), then the fan-out (all subscribed), on a running daemon. */
async function fanout(bench: BenchDaemon): Promise<PhaseResult> {
  const clients = await TabletClients.start({ url: bench.wsUrl, clients: a.clients, fps: a.fps });
  try {
    await wait(1000);
    const idle = await measureCpu(a.seconds);
    await clients.subscribe();
    await wait(1000);
    await clients.report(); // discard the warm-up second
    const stats0 = bench.daemon.tablet.stats();
    const busy = await measureCpu(a.seconds);
    const stats1 = bench.daemon.tablet.stats();
    const report = await clients.report();
    return { idle, busy, sent: stats1.framesSent - stats0.framesSent, dropped: stats1.framesDropped - stats0.framesDropped, report };
  } finally {
    clients.exit();
  }
}

function cpuLines(r: PhaseResult): string[] {
  const fan = r.busy.processPercent - r.idle.processPercent;
  const fanMain = r.busy.mainPercent - r.idle.mainPercent;
  const perFrameUs = (percent: number): number => (r.sent > 0 ? ((percent / 100) * r.busy.wallS * 1e6) / r.sent : NaN);
  const expected = a.clients * Math.min(a.fps, 60) * r.busy.wallS;
  return [
    `daemon CPU idle baseline (clients connected, not subscribed): ${r.idle.processPercent.toFixed(2)} % of one core (main thread ${r.idle.mainPercent.toFixed(1)} %)`,
    `daemon CPU with fan-out:                                      ${r.busy.processPercent.toFixed(2)} % of one core (main thread ${r.busy.mainPercent.toFixed(1)} %)`,
    `fan-out cost: ${fan.toFixed(2)} % of one core (main thread ${fanMain.toFixed(1)} %; x${(r.busy.processPercent / Math.max(r.idle.processPercent, 1e-9)).toFixed(2)} the idle baseline), per delivered frame ${perFrameUs(fan).toFixed(1)} us (main thread ${perFrameUs(fanMain).toFixed(1)} us)`,
    `frames delivered: ${r.sent} (${(r.sent / r.busy.wallS).toFixed(0)}/s, ${((r.sent / expected) * 100).toFixed(1)} % of ${Math.round(expected)} at ${a.fps} fps), skipped for backpressure: ${r.dropped}, fewest received by one client: ${Math.min(...r.report.frames)}`,
  ];
}

async function syntheticFeed(): Promise<void> {
  const feed = new SyntheticMeterFeed({ bands: a.bands });
  const bench = await startBenchDaemon('audio: { backend: none }\n', feed);
  const stopPublishing = startPublishing(feed, 60);
  let r: PhaseResult;
  try {
    r = await fanout(bench);
  } finally {
    stopPublishing();
    await bench.stop();
  }
  const lat: number[] = [];
  const s = r.report.samples;
  for (let i = 0; i + 2 < s.length; i += 3) lat.push((s[i + 2] as number) - (s[i + 1] as number));
  console.log(`\n[synthetic feed: a SyntheticMeterFeed with ${a.bands} bands published at 60 Hz on the main thread's timer]`);
  console.log([...cpuLines(r), dist('latency publish -> client receipt', lat)].join('\n'));
}

async function workerFeed(): Promise<void> {
  const bench = await startBenchDaemon('audio:\n  backend: simulated\n  source: { type: demo, loop: true }\n');
  const { daemon } = bench;
  const engine = daemon.engine;
  const audio = daemon.audio;
  let r: PhaseResult;
  const published = new Map<number, number>();
  const seqs = { first: -1, last: -1 };
  const meterRateHz = daemon.loaded.config.engine.meterRateHz;
  try {
    if (!engine || !audio) throw new Error('the daemon has no audio part');
    engine.probeTiming(true);
    engine.subscribe((snap) => {
      if (snap.publishedMs !== undefined) published.set(snap.seq >>> 0, snap.publishedMs);
      if (seqs.first < 0) seqs.first = snap.seq;
      seqs.last = snap.seq;
    });
    daemon.session.send({ type: 'transport.play' });
    for (let i = 0; i < 100 && audio.transport?.state !== 'playing'; i++) await wait(50);
    if (audio.transport?.state !== 'playing') throw new Error(`the transport did not start (${audio.transport?.state ?? 'no status'})`);
    r = await fanout(bench);
  } finally {
    await bench.stop();
  }
  const total: number[] = [];
  const poll: number[] = [];
  const send: number[] = [];
  let unmatched = 0;
  const s = r.report.samples;
  for (let i = 0; i + 2 < s.length; i += 3) {
    const workerMs = published.get(s[i] as number);
    const serverMs = s[i + 1] as number;
    const receiptMs = s[i + 2] as number;
    send.push(receiptMs - serverMs);
    if (workerMs === undefined) {
      unmatched++;
      continue;
    }
    total.push(receiptMs - workerMs);
    poll.push(serverMs - workerMs);
  }
  // As AudioHost has AudioEngine poll: setInterval(…, Math.max(5, Math.round(1000 / (2 * meterRateHz)))).
  const pollPeriodMs = Math.max(5, Math.round(1000 / (2 * meterRateHz)));
  console.log(
    `\n[worker feed: Daemon, audio.backend simulated (real-time pace), demo source playing, meters published by the audio worker every ${(1000 / meterRateHz).toFixed(2)} ms of audio, polled by the main thread every ${pollPeriodMs} ms]`,
  );
  console.log(
    [
      ...cpuLines(r),
      dist('latency worker publish -> receipt', total),
      dist('  poll share (publish -> server)', poll),
      dist('  fan-out share (server -> receipt)', send),
      `the main thread's poll saw ${published.size} of the ${seqs.last - seqs.first + 1} frames the worker published (the others were overwritten before a poll); frames without a worker stamp: ${unmatched}`,
      `the poll share of an unsynchronised poll averages half its period, ${(pollPeriodMs / 2).toFixed(1)} ms`,
    ].join('\n'),
  );
}

console.log(
  `tablet fan-out: ${a.clients} clients x ${a.fps} fps, ${a.bands} spectrum bands (synthetic feed), ${a.seconds} s per phase, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
if (a.feed !== 'worker') await syntheticFeed();
if (a.feed !== 'synthetic') await workerFeed();
console.log(`load at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
