import { audioSectionSchema } from '../../src/config/sections/audio.ts';
import { AudioInterface } from '../../src/devices/audio/audio-interface.ts';
import type { XrunReport } from '../../src/devices/audio/binding.ts';
import { DEFAULT_CHAIN_SPEC, createChain } from '../../src/engine/chain-factory.ts';
import { silentLogger } from '../../src/logger.ts';
import { SyntheticMeterFeed } from '../../test/server/synthetic-meter-feed.ts';
import { JACK_ALSA_CONFIG, type JackServer } from '../../test/support/jack.ts';
import { startBenchDaemon, type BenchDaemon } from './bench-daemon.ts';
import { procCpu } from './proc-cpu.ts';

export type XrunCounts = Record<XrunReport['kind'], number>;

export interface TabletHost {
  readonly wsUrl: string;
  /** Meter frames the tablet server has sent, all clients. */
  framesSent(): number;
  /** Where the meters come from (for the printout). */
  readonly feed: string;
  stop(): Promise<void>;
}

/** One way of running the duplex stream + default chain, as the benchmark measures it. */
export interface DuplexRig {
  readonly label: string;
  readonly xruns: XrunCounts;
  /** The stream's child process (naudiodon), once open. */
  childPid(): number | undefined;
  /** Audio frames through the duplex graph since start. */
  framesProcessed(): number;
  running(): boolean;
  /** What the rig knows about its own blocks (the worker's engine status), for the printout. */
  details(): string;
  /** A daemon in this process that tablets can connect to. */
  tablets(): Promise<TabletHost>;
  stop(): Promise<void>;
}

export interface RigOptions {
  readonly server: JackServer;
  readonly sampleRate: number;
  readonly blockSize: number;
  readonly bufferBlocks: number;
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The daemon's real path (docs/audio.md, "Threads"): a Daemon in this process whose AudioHost runs
 * the PortAudio stream, the duplex graph and the default chain in the audio worker, the demo
 * source playing through the session machine's transport; its tablet server fans out the engine's
 * own meters (polled from the shared meter buffer at engine.meterRateHz).
 */
export async function startWorkerRig(o: RigOptions): Promise<DuplexRig> {
  // The worker copies this thread's environment when it starts; the stream process inherits it.
  for (const [k, v] of Object.entries(o.server.env)) if (typeof v === 'string') process.env[k] = v;
  const yaml = `engine: { sampleRate: ${o.sampleRate}, blockSize: ${o.blockSize} }
audio:
  backend: portaudio
  device: loop8
  portaudio: { bufferBlocks: ${o.bufferBlocks}, alsaConfig: ${JSON.stringify(JACK_ALSA_CONFIG)} }
  source: { type: demo, loop: true }
`;
  const bench: BenchDaemon = await startBenchDaemon(yaml);
  const { daemon } = bench;
  const audio = daemon.audio;
  const engine = daemon.engine;
  if (!audio || !engine) throw new Error('the daemon has no audio part');
  // Chain load and longest block: the worker reads the clock per block only while probing.
  engine.probeTiming(true);
  const xruns: XrunCounts = { late: 0, device: 0, gap: 0 };
  audio.on('xrun', (r) => (xruns[r.kind] += r.added));
  for (let i = 0; i < 100 && !(engine.running && (engine.latest()?.timeS ?? 0) > 0.5); i++) await wait(100);
  if ((engine.latest()?.timeS ?? 0) <= 0.5) {
    await bench.stop();
    throw new Error('the stream did not start in the audio worker');
  }
  daemon.session.send({ type: 'transport.play' });
  for (let i = 0; i < 100 && audio.transport?.state !== 'playing'; i++) await wait(50);
  if (audio.transport?.state !== 'playing') await audio.play();
  let child: number | undefined;
  return {
    label: 'audio worker (AudioHost in a Daemon, default chain, demo source)',
    xruns,
    childPid: () => {
      if (child === undefined || procCpu.children(process.pid, 'portaudio-child').indexOf(child) < 0) child = procCpu.children(process.pid, 'portaudio-child')[0];
      return child;
    },
    framesProcessed: () => engine.status().frames,
    running: () => engine.running && audio.transport?.state === 'playing',
    details: () => {
      const st = engine.status();
      return `worker: ${st.blocks} blocks, chain load ${(100 * st.load).toFixed(2)} % of real time, longest block ${(st.maxBlockUs / 1000).toFixed(2)} ms, ${st.xruns} xruns in all`;
    },
    tablets: () =>
      Promise.resolve({
        wsUrl: bench.wsUrl,
        framesSent: () => daemon.tablet.stats().framesSent,
        feed: "the engine's own meters (the worker's meter buffer, polled by the main thread)",
        stop: () => Promise.resolve(),
      }),
    stop: () => bench.stop(),
  };
}

/**
 * Before the move (the figures recorded before the audio worker hosted the stream): the
 * AudioInterface with the default chain on this process's main thread, next to a daemon whose
 * tablets are fed by a synthetic 60 Hz meter feed.
 */
export async function startMainThreadRig(o: RigOptions, file: string): Promise<DuplexRig> {
  const audio = audioSectionSchema.parse({
    backend: 'portaudio',
    device: 'loop8',
    portaudio: { bufferBlocks: o.bufferBlocks, alsaConfig: JACK_ALSA_CONFIG },
    source: { type: 'file', file, loop: true },
  });
  const iface = new AudioInterface({
    audio,
    engine: { sampleRate: o.sampleRate, blockSize: o.blockSize },
    log: silentLogger(),
    env: o.server.env,
    chain: (insert) => {
      const chain = createChain(DEFAULT_CHAIN_SPEC, { createInsert: () => insert });
      chain.prepare(o.sampleRate, o.blockSize, 2);
      return chain;
    },
  });
  const xruns: XrunCounts = { late: 0, device: 0, gap: 0 };
  iface.on('xrun', (r: XrunReport) => (xruns[r.kind] += r.added));
  await iface.start();
  if (!iface.running) throw new Error('the stream did not start');
  iface.transport.play();
  let timer: NodeJS.Timeout | undefined;
  return {
    label: 'main thread (AudioInterface + default chain, file source)',
    xruns,
    childPid: () => (iface.backend as { childPid?: number } | undefined)?.childPid,
    framesProcessed: () => iface.graph.framesProcessed,
    running: () => iface.running,
    details: () => `main thread: ${iface.graph.framesProcessed / o.blockSize} blocks`,
    tablets: async () => {
      const feed = new SyntheticMeterFeed({ bands: 64 });
      const d = await startBenchDaemon('audio: { backend: none }\n', feed);
      timer = setInterval(() => feed.publish(), 1000 / 60);
      return {
        wsUrl: d.wsUrl,
        framesSent: () => d.daemon.tablet.stats().framesSent,
        feed: 'a synthetic 60 Hz meter feed',
        stop: async () => {
          clearInterval(timer);
          await d.stop();
        },
      };
    },
    stop: async () => {
      await iface.stop();
    },
  };
}
