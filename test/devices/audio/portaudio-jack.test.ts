/**
 * The PortAudio backend for real: naudiodon in its child process, through ALSA's `jack` PCM
 * (config/alsa/jack-loopback.conf), to a private real-time JACK2 server whose dummy driver loops
 * every playback port back to its capture port. One server per file, stopped by pid afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudioFile } from '../../../src/audio-file/index.ts';
import { engineSectionSchema } from '../../../src/config/sections/engine.ts';
import { AudioHost } from '../../../src/devices/audio/audio-host.ts';
import { AudioInterface } from '../../../src/devices/audio/audio-interface.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import type { BackendStatusReport } from '../../../src/devices/audio/binding.ts';
import { PortAudioBackend } from '../../../src/devices/audio/portaudio-backend.ts';
import { isBridgeError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/logger.ts';
import { JACK_ALSA_CONFIG, requireJack, startJack, type JackServer } from '../../support/jack.ts';
import { audioConfig, FS, programme, tempDir, writeWav } from './audio-fixture.ts';

const jack = requireJack();
const B = 256;
/** Generous queue: the test process shares 2 cores with everyone's test runs. */
const BUFFER_BLOCKS = 16;
/** The dummy driver's loop at -p 256 (768 frames) plus the queue. */
const EXPECTED_ROUND_TRIP = 768 + BUFFER_BLOCKS * B;

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function backend(server: JackServer, extra: Partial<ConstructorParameters<typeof PortAudioBackend>[0]> = {}): PortAudioBackend {
  return new PortAudioBackend({
    device: 'loop8',
    bufferBlocks: BUFFER_BLOCKS,
    realtimePriority: 40,
    stopTimeoutMs: 1500,
    stallTimeoutMs: 600,
    alsaConfig: JACK_ALSA_CONFIG,
    env: server.env,
    // Out 8 loops back to in 8: a sample counter there turns silent slips of the JACK plugin into xruns.
    pilot: { output: 7, input: 7 },
    log: silentLogger(),
    ...extra,
  });
}

function paInterface(server: JackServer, audio: ReturnType<typeof audioConfig>): AudioInterface {
  return new AudioInterface({ audio, engine: { sampleRate: FS, blockSize: B }, log: silentLogger(), env: server.env });
}

function portaudioConfig(partial: Record<string, unknown> = {}) {
  return audioConfig({
    backend: 'portaudio',
    device: 'loop8',
    // The interface runs on the test's own thread here: keep it out of SCHED_FIFO (the AudioHost
    // tests below run it in the audio worker, real-time, as the daemon does).
    portaudio: { bufferBlocks: BUFFER_BLOCKS, alsaConfig: JACK_ALSA_CONFIG, stallTimeoutMs: 600, pilot: { output: 8, input: 8 }, threadRealtimePriority: 0 },
    // The VM this runs on stalls even real-time threads now and then (steal time): allow retries.
    calibration: { sweepMs: 300, maxLatencyMs: 150, attempts: 12 },
    ...partial,
  });
}

/** The daemon's audio part on this JACK server (its environment reaches the stream process). */
function jackAudioHost(
  server: JackServer,
  o: { audio: ReturnType<typeof audioConfig>; reports: string[]; calibrations?: ConstructorParameters<typeof AudioHost>[0]['calibrations'] },
): AudioHost {
  return new AudioHost({
    audio: o.audio,
    engineConfig: engineSectionSchema.parse({ sampleRate: FS, blockSize: B }),
    outboard: [],
    simUnits: [],
    store: new ParamStore(),
    log: silentLogger(),
    report: (_id, status) => o.reports.push(status),
    calibrations: o.calibrations ?? (() => undefined),
    env: Object.fromEntries(Object.entries(server.env).filter((e): e is [string, string] => typeof e[1] === 'string')),
  });
}

describe.skipIf(!jack.ok)(`PortAudio over a private JACK loopback ${jack.reason}`, () => {
  let server: JackServer;

  beforeAll(async () => {
    server = await startJack({ sampleRate: FS, period: B });
  }, 20_000);

  afterAll(async () => {
    await server?.stop();
    expect(alive(server?.pid)).toBe(false);
  });

  it('lists the loopback PCMs by name', async () => {
    const names = (await backend(server).listDevices()).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['loop2', 'loop8', 'default']));
  }, 20_000);

  it('opens a duplex stream; what is sent on out 3 comes back bit-exact on in 3 at a constant round trip; stop kills nothing it should not', async () => {
    const b = backend(server);
    const M = 1 << 20;
    let n = 0;
    const lags = new Set<number>();
    let received = 0;
    await b.open({ sampleRate: FS, blockSize: B, inputChannels: 8, outputChannels: 8 }, (input, output, frames) => {
      for (let i = 0; i < frames; i++) {
        const v = (input[2] as Float32Array)[i] as number;
        if (v > 0) {
          // The sample counter sent earlier: exact float values, so any change shows as a new lag.
          const sent = Math.round(v * M) - 1;
          lags.add((((n + i - sent) % M) + M) % M);
          received++;
        }
        (output[2] as Float32Array)[i] = (((n + i) % M) + 1) / M;
        (output[0] as Float32Array)[i] = 0.25; // monitor out 1: must come back on in 1, not in 3
      }
      n += frames;
    });
    expect(b.status).toBe('online');
    const pid = b.childPid;
    expect(alive(pid)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    await b.close();
    expect(b.status).toBe('closed');
    expect(alive(pid)).toBe(false);
    expect(received).toBeGreaterThan(FS / 2);
    if (b.xruns === 0) expect([...lags]).toEqual([EXPECTED_ROUND_TRIP]);
    else expect([...lags]).toContain(EXPECTED_ROUND_TRIP);
  }, 20_000);

  it('the stream process dies with the daemon (killed by SIGKILL: no orphan left inside naudiodon)', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./portaudio-holder.ts', import.meta.url))], {
      env: { ...process.env, ...server.env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const childPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      holder.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /child (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      holder.once('exit', () => reject(new Error(`holder exited early: ${out}`)));
    });
    expect(alive(childPid)).toBe(true);
    const exited = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 40 && alive(childPid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(childPid)).toBe(false);
  }, 20_000);

  it('an unknown device fails the open with E_AUDIO_DEVICE and a reason naming the devices', async () => {
    const b = backend(server, { device: 'Fireface' });
    const err = await b.open({ sampleRate: FS, blockSize: B, inputChannels: 8, outputChannels: 8 }, () => undefined).catch((e: unknown) => e);
    expect(isBridgeError(err, 'E_AUDIO_DEVICE')).toBe(true);
    expect((err as Error).message).toMatch(/no audio device matches "Fireface".*loop8/);
    expect(b.status).toBe('reconnecting');
    await b.close();
    expect(b.status).toBe('closed');
  }, 20_000);

  it('calibrates the insert to the sample, identically over 10 runs', async () => {
    const iface = paInterface(server, portaudioConfig());
    await iface.start();
    try {
      expect(iface.running).toBe(true);
      const runs = [];
      for (let i = 0; i < 10; i++) runs.push(await iface.calibrate());
      for (const r of runs) {
        expect({ latencySamples: r.latencySamples, gainDb: r.gainDb, polarity: r.polarity }).toEqual({ latencySamples: EXPECTED_ROUND_TRIP, gainDb: 0, polarity: 1 });
        expect(r.confidence).toBe(1);
      }
      expect(iface.calibration.state).toBe('valid');
      expect(iface.calibration.route.interface).toBe(`loop8 (PortAudio, ${BUFFER_BLOCKS} buffers)`);
    } finally {
      await iface.stop();
    }
  }, 60_000);

  it('prints through the real stream aligned to the source, sample for sample', async () => {
    const { dir, cleanup } = tempDir();
    const iface = paInterface(server, portaudioConfig({ source: { type: 'file', file: path.join(dir, 'src.wav'), loop: true } }));
    try {
      const prog = programme(FS);
      await writeWav(path.join(dir, 'src.wav'), prog);
      await iface.start();
      await iface.calibrate();
      // A print with an xrun is failed by design; the machine is shared, so allow two more tries.
      let result;
      let out = '';
      for (let attempt = 0; attempt < 3 && !result; attempt++) {
        out = path.join(dir, `print${attempt}.wav`);
        result = await iface.print({ file: out, format: 'float32' }).catch((e: unknown) => {
          if (isBridgeError(e, 'E_PRINT_XRUN')) return undefined;
          throw e;
        });
      }
      expect(result).toMatchObject({ frames: FS, latencySamples: EXPECTED_ROUND_TRIP, xruns: 0 });
      const reader = await openAudioFile(out);
      const printed = await reader.read(FS);
      await reader.close();
      for (let c = 0; c < 2; c++) {
        const p = printed?.[c] as Float32Array;
        const s = prog[c] as Float32Array;
        expect(p.length).toBe(s.length);
        let diff = 0;
        for (let i = 0; i < s.length; i++) diff = Math.max(diff, Math.abs((p[i] as number) - (s[i] as number)));
        // The JACK loopback is bit-exact and the compensation is unity: exactly the source.
        expect(diff).toBe(0);
      }
    } finally {
      await iface.stop();
      cleanup();
    }
  }, 60_000);
});

describe.skipIf(!jack.ok)(`PortAudio in the daemon's audio worker ${jack.reason}`, () => {
  it('the audio worker hosts the stream (its child process), calibrates to the sample and meters the chain', async () => {
    const server = await startJack({ sampleRate: FS, period: B });
    const saved: unknown[] = [];
    const reports: string[] = [];
    const host = jackAudioHost(server, {
      audio: portaudioConfig({
        source: { type: 'demo', loop: true },
        portaudio: { bufferBlocks: BUFFER_BLOCKS, alsaConfig: JACK_ALSA_CONFIG, stallTimeoutMs: 600, pilot: { output: 8, input: 8 }, threadRealtimePriority: 30 },
      }),
      reports,
      calibrations: () => ({ listCalibrations: () => [], saveCalibration: (c) => saved.push(c) }),
    });
    try {
      const fifoThreads = (): number => spawnSync('ps', ['-L', '-o', 'cls=', '-p', String(process.pid)], { encoding: 'utf8' }).stdout.split('\n').filter((c) => c.trim() === 'FF').length;
      const fifoBefore = fifoThreads();
      await host.start();
      expect(reports.at(-1)).toBe('online');
      // The worker thread that answers the stream runs SCHED_FIFO (audio.portaudio.threadRealtimePriority).
      expect(fifoThreads()).toBe(fifoBefore + 1);
      const r = await host.calibrate();
      expect({ latencySamples: r.latencySamples, gainDb: r.gainDb, polarity: r.polarity }).toEqual({ latencySamples: EXPECTED_ROUND_TRIP, gainDb: 0, polarity: 1 });
      expect(r.route.interface).toBe(`loop8 (PortAudio, ${BUFFER_BLOCKS} buffers)`);
      expect(saved).toHaveLength(1);
      // The demo plays through the chain in the worker; the main thread reads the meters.
      await host.play();
      const start = host.engine.latest()?.timeS ?? 0;
      for (let i = 0; i < 200 && (host.engine.latest()?.timeS ?? 0) < start + 1; i++) await new Promise((res) => setTimeout(res, 20));
      const m = host.engine.latest();
      expect(m?.timeS).toBeGreaterThan(start + 1);
      expect(m?.loudness.momentaryMaxLufs).toBeGreaterThan(-30);
    } finally {
      await host.stop();
      await server.stop();
    }
    expect(reports.at(-1)).toBe('absent');
  }, 60_000);
});

describe.skipIf(!jack.ok)(`PortAudio in the audio worker: the device disappearing ${jack.reason}`, () => {
  it('the worker reports reconnecting when jackd dies, the retry brings the stream back, the worker never stops', async () => {
    let server = await startJack({ sampleRate: FS, period: B });
    const reports: string[] = [];
    const host = jackAudioHost(server, {
      audio: portaudioConfig({ portaudio: { bufferBlocks: BUFFER_BLOCKS, alsaConfig: JACK_ALSA_CONFIG, stallTimeoutMs: 500, pilot: { output: 8, input: 8 } } }),
      reports,
    });
    try {
      await host.start();
      expect(reports.at(-1)).toBe('online');
      const frames = (): number => host.engine.status().frames;
      await server.stop();
      for (let i = 0; i < 100 && reports.at(-1) !== 'reconnecting'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(reports.at(-1)).toBe('reconnecting');
      expect(host.running).toBe(true);
      // The device comes back under its name (same server name, a new process): the session
      // machine's retry reaches the worker.
      server = await startJack({ sampleRate: FS, period: B, name: server.name });
      await host.retry();
      for (let i = 0; i < 100 && reports.at(-1) !== 'online'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(reports.at(-1)).toBe('online');
      const before = frames();
      for (let i = 0; i < 100 && frames() < before + 10 * B; i++) await new Promise((r) => setTimeout(r, 20));
      expect(frames()).toBeGreaterThanOrEqual(before + 10 * B);
    } finally {
      await host.stop();
      await server.stop();
    }
  }, 60_000);
});

describe.skipIf(!jack.ok)(`PortAudio: the device disappearing mid-stream ${jack.reason}`, () => {
  it('goes to reconnecting when jackd dies, and comes back online when it returns', async () => {
    let server = await startJack({ sampleRate: FS, period: B });
    const b = backend(server, { stallTimeoutMs: 500 });
    const statuses: BackendStatusReport[] = [];
    b.on('status', (s) => statuses.push(s));
    let blocks = 0;
    try {
      await b.open({ sampleRate: FS, blockSize: B, inputChannels: 8, outputChannels: 8 }, () => void blocks++);
      const firstPid = b.childPid;
      await new Promise((r) => setTimeout(r, 300));
      expect(blocks).toBeGreaterThan(10);
      await server.stop();
      for (let i = 0; i < 60 && b.status !== 'reconnecting'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(b.status).toBe('reconnecting');
      expect(statuses.find((s) => s.status === 'reconnecting')?.reason).toMatch(/no audio from the device|stream process ended|stream/);
      for (let i = 0; i < 40 && alive(firstPid); i++) await new Promise((r) => setTimeout(r, 50));
      expect(alive(firstPid)).toBe(false);
      // While the device is away, a retry fails and stays reconnecting.
      await b.retry();
      expect(b.status).toBe('reconnecting');
      // The device returns under its name: the same server name, a new process.
      server = await startJack({ sampleRate: FS, period: B, name: server.name });
      await b.retry();
      expect(b.status).toBe('online');
      const before = blocks;
      await new Promise((r) => setTimeout(r, 300));
      expect(blocks).toBeGreaterThan(before + 10);
    } finally {
      await b.close();
      await server.stop();
    }
  }, 60_000);
});
