/**
 * Tablet fan-out: 20 WebSocket clients at 60 fps against a real daemon.
 *
 *   node --import tsx bench/tablet-fanout.ts [--seconds 10] [--clients 20] [--fps 60] [--bands 64]
 *
 * The daemon (this process) publishes synthetic meter snapshots at 60 Hz. The clients run in a
 * child process so that their work does not count as the daemon's. Two phases in one run:
 *   idle:    the same daemon, feed publishing, the clients connected but not subscribed;
 *   fan-out: every client subscribed to every meter section at --fps.
 * Printed: daemon CPU (process.cpuUsage, user+system, % of one core) in each phase, the
 * difference (the fan-out's cost) and its ratio to idle, cost per delivered frame; frame
 * latency from the publish (the feed calling the server's listener) to the client's receipt,
 * p50/p99/max over every frame; frames delivered and skipped.
 * Both processes read the same system clock (performance.timeOrigin + now), so the latency
 * includes no clock offset beyond the sub-millisecond error of timeOrigin.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { parseConfig } from '../src/config/load-config.ts';
import { Daemon } from '../src/daemon.ts';
import { silentLogger } from '../src/logger.ts';
import { readFrameHeader } from '../src/server/ws/meter-frame.ts';
import { SyntheticMeterFeed } from '../test/server/synthetic-meter-feed.ts';

interface Args {
  seconds: number;
  clients: number;
  fps: number;
  bands: number;
}

function parseArgs(argv: string[]): Args & { role: string; url: string } {
  const get = (name: string, def: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : def;
  };
  return {
    role: argv.includes('--client-process') ? 'clients' : 'daemon',
    url: get('url', ''),
    seconds: Number(get('seconds', '10')),
    clients: Number(get('clients', '20')),
    fps: Number(get('fps', '60')),
    bands: Number(get('bands', '64')),
  };
}

const nowMs = (): number => performance.timeOrigin + performance.now();

type ToChild = { cmd: 'subscribe' } | { cmd: 'report' } | { cmd: 'exit' };
type FromChild = { ready: true } | { subscribed: true } | { report: { latencies: number[]; frames: number[] } };

// ---- the client process ----

async function runClients(a: ReturnType<typeof parseArgs>): Promise<void> {
  const sockets: WebSocket[] = [];
  const frames: number[] = [];
  let latencies: number[] = [];
  let measuring = false;
  for (let i = 0; i < a.clients; i++) {
    const ws = new WebSocket(a.url);
    const idx = i;
    frames.push(0);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const t = nowMs();
      const h = readFrameHeader(data as Buffer);
      if (!measuring) return;
      frames[idx] = (frames[idx] ?? 0) + 1;
      latencies.push(t - h.publishedAtMs);
    });
    const welcomed = new Promise<void>((resolve) => ws.on('message', (d, bin) => !bin && (d as Buffer).toString('utf8').includes('"type":"params"') && resolve()));
    ws.send(JSON.stringify({ type: 'hello', protocol: 1, client: `bench ${i}` }));
    await welcomed;
    sockets.push(ws);
  }
  const send = (m: FromChild): void => {
    process.send?.(m);
  };
  process.on('message', (m: ToChild) => {
    if (m.cmd === 'subscribe') {
      for (const ws of sockets) ws.send(JSON.stringify({ type: 'subscribe', meters: ['loudness', 'stages', 'gainReduction', 'phase', 'spectrum'], fps: a.fps }));
      measuring = true;
      latencies = [];
      frames.fill(0);
      send({ subscribed: true });
    } else if (m.cmd === 'report') {
      send({ report: { latencies, frames: [...frames] } });
    } else {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
  send({ ready: true });
}

// ---- the daemon process ----

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
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

async function measureCpu(seconds: number): Promise<{ cpuPercent: number; wallS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c = process.cpuUsage(c0);
  const wallS = (performance.now() - t0) / 1000;
  return { cpuPercent: ((c.user + c.system) / 1e6 / wallS) * 100, wallS };
}

async function runDaemon(a: ReturnType<typeof parseArgs>): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hb-bench-'));
  const feed = new SyntheticMeterFeed({ bands: a.bands });
  const loaded = parseConfig(`version: 1\ndataDir: ${JSON.stringify(dataDir)}\nserver:\n  host: 127.0.0.1\n  port: 0\naudio: { backend: none }\n`, path.join(dataDir, 'bench.yaml'));
  const daemon = new Daemon(loaded, { log: silentLogger(), tablet: { meters: feed, terminal: null } });
  await daemon.start();
  const stopPublishing = startPublishing(feed, 60);
  const port = new URL(daemon.url).port;

  const child = fork(fileURLToPath(import.meta.url), ['--client-process', '--url', `ws://127.0.0.1:${port}/ws`, '--clients', String(a.clients), '--fps', String(a.fps)], {
    execArgv: ['--import', 'tsx'],
  });
  const next = <K extends string>(key: K): Promise<Extract<FromChild, Record<K, unknown>>> =>
    new Promise((resolve) => {
      const on = (m: FromChild): void => {
        if (key in m) {
          child.off('message', on);
          resolve(m as Extract<FromChild, Record<K, unknown>>);
        }
      };
      child.on('message', on);
    });
  await next('ready');

  // Warm-up, then the idle baseline: same daemon, same feed, clients connected, no frames.
  await new Promise((r) => setTimeout(r, 1000));
  const idle = await measureCpu(a.seconds);

  child.send({ cmd: 'subscribe' } satisfies ToChild);
  await next('subscribed');
  await new Promise((r) => setTimeout(r, 1000));
  child.send({ cmd: 'report' } satisfies ToChild);
  await next('report'); // discard the warm-up second
  child.send({ cmd: 'subscribe' } satisfies ToChild);
  await next('subscribed');
  const stats0 = daemon.tablet.stats();
  const busy = await measureCpu(a.seconds);
  const stats1 = daemon.tablet.stats();
  child.send({ cmd: 'report' } satisfies ToChild);
  const { report } = await next('report');
  child.send({ cmd: 'exit' } satisfies ToChild);

  stopPublishing();
  await daemon.stop();
  await rm(dataDir, { recursive: true, force: true });

  const lat = [...report.latencies].sort((x, y) => x - y);
  const sent = stats1.framesSent - stats0.framesSent;
  const dropped = stats1.framesDropped - stats0.framesDropped;
  const fanoutPercent = busy.cpuPercent - idle.cpuPercent;
  const perFrameUs = sent > 0 ? ((fanoutPercent / 100) * busy.wallS * 1e6) / sent : NaN;
  const expected = a.clients * Math.min(a.fps, 60) * busy.wallS;
  const minFrames = Math.min(...report.frames);
  const lines = [
    `tablet fan-out: ${a.clients} clients x ${a.fps} fps, ${a.bands} spectrum bands, ${a.seconds} s per phase, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(2)}`,
    `daemon CPU idle baseline (feed 60 Hz, clients connected, not subscribed): ${idle.cpuPercent.toFixed(2)} % of one core`,
    `daemon CPU with fan-out:                                                  ${busy.cpuPercent.toFixed(2)} % of one core`,
    `fan-out cost: ${fanoutPercent.toFixed(2)} % of one core (x${(busy.cpuPercent / Math.max(idle.cpuPercent, 1e-9)).toFixed(2)} the idle baseline), ${perFrameUs.toFixed(1)} us per delivered frame`,
    `frames delivered: ${sent} (${(sent / busy.wallS).toFixed(0)}/s, ${((sent / expected) * 100).toFixed(1)} % of ${Math.round(expected)} due), skipped for backpressure: ${dropped}, fewest received by one client: ${minFrames}`,
    `latency publish -> client receipt over ${lat.length} frames: p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms, max ${(lat.at(-1) ?? NaN).toFixed(2)} ms`,
  ];
  console.log(lines.join('\n'));
}

const args = parseArgs(process.argv.slice(2));
if (args.role === 'clients') await runClients(args);
else await runDaemon(args);
