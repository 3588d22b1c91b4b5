/**
 * Engine benchmark (issue 3): `node --import tsx bench/engine-chain.ts [--seconds 120] [--changes 10000]`
 *
 * 1. The default chain (8 active EQ bells, compressor, true-peak limiter; width and dither neutral)
 *    plus the meter bank (BS.1770 loudness, true peak, stage meters, correlation, spectrum), on a
 *    stereo file read from disk, at 48 and 96 kHz: x real time on one core (this thread).
 * 2. The equivalent ffmpeg chain on the same file in the same run (equalizer x8, acompressor,
 *    alimiter, ebur128=peak=true, output to null, one thread): the speed ratio, in CPU time (ours
 *    from process.cpuUsage, ffmpeg's from its own -benchmark line), best of ROUNDS interleaved runs.
 *    Three of our configurations against it: the chain with the BS.1770 loudness and true-peak
 *    meters (what ebur128=peak=true measures: the like-for-like pair), the chain with every meter
 *    of the tablet (stage taps, correlation, spectrum too, publishing at 60 Hz as the worker does),
 *    and the chain alone against ffmpeg's chain without ebur128.
 * 3. ParamStore.set -> the change leaving the audio worker (the block that carries it handed to
 *    the sink), realtime worker at 48 kHz / 256 frames: p50 / p99 over N changes.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { openAudioFile } from '../src/audio-file/index.ts';
import { engineSectionSchema } from '../src/config/sections/engine.ts';
import { AudioEngine } from '../src/engine/audio-engine.ts';
import { createChain, DEFAULT_CHAIN_SPEC } from '../src/engine/chain-factory.ts';
import { nativeDsp } from '../src/engine/dsp/native-kernel.ts';
import type { KernelChoice } from '../src/engine/dsp/wasm-kernel.ts';
import { TAP_OUTPUT, type ChainTaps } from '../src/engine/chain-taps.ts';
import { Compressor } from '../src/engine/compressor.ts';
import { Eq } from '../src/engine/eq.ts';
import { Limiter } from '../src/engine/limiter.ts';
import { LoudnessMeter } from '../src/engine/meters/loudness-meter.ts';
import { MeterBank } from '../src/engine/meters/meter-bank.ts';
import { createMeterBuffer, MeterBufferWriter } from '../src/engine/meters/meter-buffer.ts';
import { SpectrumMeter } from '../src/engine/meters/spectrum-meter.ts';
import { StageMeter } from '../src/engine/meters/stage-meter.ts';
import { TruePeakMeter } from '../src/engine/meters/true-peak-meter.ts';
import { silentLogger } from '../src/logger.ts';
import { ParamStore } from '../src/params/param-store.ts';

const run = promisify(execFile);
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 120);
const CHANGES = arg('changes', 10_000);
const ROUNDS = arg('rounds', 3);
const BLOCK = 4096;

/** EQ bells matching the ffmpeg equalizers below (frequency, gain dB, Q). */
const BELLS: [number, number, number][] = [
  [60, 2, 1],
  [150, -2, 1],
  [400, 2, 1],
  [1000, -2, 1],
  [2500, 2, 1],
  [5000, -2, 1],
  [10000, 2, 1],
  [15000, -2, 1],
];
const FFMPEG_PROCESSING = [
  ...BELLS.map(([f, g, q]) => `equalizer=f=${f}:t=q:w=${q}:g=${g}`),
  'acompressor=threshold=-20dB:ratio=3:attack=10:release=150:knee=2.8',
  'alimiter=limit=0.891:attack=1.5:release=100:level=false',
].join(',');
const FFMPEG_CHAIN = `${FFMPEG_PROCESSING},ebur128=peak=true`;

function ensureFile(rate: number): string {
  const file = join(tmpdir(), `hb-bench-pink-${rate}-${SECONDS}s.wav`);
  if (!existsSync(file)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `anoisesrc=d=${SECONDS}:c=pink:r=${rate}:a=0.35:s=7`, '-ac', '2', '-c:a', 'pcm_f32le', file]);
  }
  return file;
}

function busyChain(sampleRate: number, channels: number): ReturnType<typeof createChain> {
  const chain = createChain(DEFAULT_CHAIN_SPEC);
  const set = (id: string, v: number): void => chain.setParam(chain.indexOf(id), v);
  BELLS.forEach(([f, g, q], b) => {
    set(`eq.band${b + 1}.enabled`, 1);
    set(`eq.band${b + 1}.type`, 0);
    set(`eq.band${b + 1}.freqHz`, f);
    set(`eq.band${b + 1}.gainDb`, g);
    set(`eq.band${b + 1}.q`, q);
  });
  set('comp.thresholdDb', -20);
  set('comp.ratio', 3);
  set('comp.kneeDb', 2.8);
  set('limiter.ceilingDbtp', -1);
  chain.prepare(sampleRate, BLOCK, channels);
  return chain;
}

/** Which meters run on the chain: every meter of the tablet, the BS.1770 pair only, or none. */
type Meters = 'all' | 'bs1770' | 'none';

/**
 * 'all': the MeterBank as the audio worker drives it (4 stage taps, loudness, true peak, correlation,
 * spectrum; gain reductions; a frame published into a meter buffer every 800 frames, 60 Hz at 48 kHz).
 * 'bs1770': loudness and true peak on the output only, what ffmpeg's ebur128=peak=true measures.
 */
function withMeters(chain: ReturnType<typeof createChain>, sampleRate: number, channels: number, meters: Meters): void {
  if (meters === 'none') return;
  if (meters === 'bs1770') {
    const loudness = new LoudnessMeter();
    loudness.prepare(sampleRate, BLOCK, channels);
    const peak = new TruePeakMeter();
    peak.prepare(sampleRate, BLOCK, channels);
    chain.setTaps({
      tap(point, chans, frames) {
        if (point !== TAP_OUTPUT) return;
        loudness.process(chans, frames);
        peak.process(chans, frames);
      },
    });
    return;
  }
  const bank = new MeterBank();
  const gr = chain.dynamics.map((d) => d.id);
  bank.prepare(sampleRate, BLOCK, channels, ['input', 'insertSend', 'insertReturn', 'output'], gr);
  const writer = new MeterBufferWriter(createMeterBuffer(bank.layout), bank.layout);
  const interval = Math.round(sampleRate / 60);
  let toPublish = interval;
  const taps: ChainTaps = {
    tap(point, chans, frames) {
      bank.tap(point, chans, frames);
      if (point !== TAP_OUTPUT) return;
      bank.measure(chans, frames);
      for (let d = 0; d < chain.dynamics.length; d++) bank.setGainReduction(d, chain.dynamics[d]!.slot.inner.gainReductionDb);
      toPublish -= frames;
      if (toPublish <= 0) {
        toPublish += interval;
        bank.publish(writer);
      }
    },
  };
  chain.setTaps(taps);
}

/** End to end: read the file block by block, chain + meters, as `process` and the worker do. */
async function oursFromFile(file: string): Promise<{ seconds: number; audioS: number }> {
  const reader = await openAudioFile(file);
  const chain = busyChain(reader.sampleRate, reader.channels);
  withMeters(chain, reader.sampleRate, reader.channels, 'all');
  const bufs = Array.from({ length: reader.channels }, () => new Float32Array(BLOCK));
  const start = process.cpuUsage();
  let frames = 0;
  for (;;) {
    const n = await reader.readInto(bufs, BLOCK);
    if (n === 0) break;
    chain.process(bufs, n);
    frames += n;
  }
  const seconds = cpuSeconds(start);
  await reader.close();
  return { seconds, audioS: frames / reader.sampleRate };
}

async function load(file: string): Promise<{ data: Float32Array[]; sampleRate: number }> {
  const reader = await openAudioFile(file);
  const data = Array.from({ length: reader.channels }, () => new Float32Array(reader.frames));
  const bufs = Array.from({ length: reader.channels }, () => new Float32Array(65536));
  let at = 0;
  for (;;) {
    const n = await reader.readInto(bufs, 65536);
    if (n === 0) break;
    bufs.forEach((b, c) => data[c]!.set(b.subarray(0, n), at));
    at += n;
  }
  await reader.close();
  return { data, sampleRate: reader.sampleRate };
}

/** CPU seconds (user + system) of this process since `start` (the bench runs on one thread). */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

/** In memory: the chain and the chosen meters, one core; CPU seconds. */
function oursInMemory(data: Float32Array[], sampleRate: number, meters: Meters): number {
  const chain = busyChain(sampleRate, data.length);
  withMeters(chain, sampleRate, data.length, meters);
  const bufs = data.map(() => new Float32Array(BLOCK));
  const frames = data[0]!.length;
  const start = process.cpuUsage();
  for (let pos = 0; pos < frames; pos += BLOCK) {
    const n = Math.min(BLOCK, frames - pos);
    for (let c = 0; c < data.length; c++) bufs[c]!.set(data[c]!.subarray(pos, pos + n));
    chain.process(bufs, n);
  }
  return cpuSeconds(start);
}

interface Blockwise {
  process(channels: Float32Array[], frames: number): void;
  /** The code that ran ('js', 'wasm', 'native'), where the processor says. */
  readonly backend?: string | null;
}

/** One processor or meter per kernel choice, set as in the bench chain / meter bank. */
const KERNEL_CASES: Record<string, (sampleRate: number, kernel: KernelChoice) => Blockwise> = {
  'EQ (8 bells)': (rate, kernel) => {
    const eq = new Eq({ id: 'eq', bands: 8, smoothingMs: 20 });
    BELLS.forEach(([f, g, q], b) => [1, 0, f, g, q].forEach((v, p) => eq.setParam(b * 7 + p, v)));
    eq.kernel = kernel;
    eq.prepare(rate, BLOCK, 2);
    return eq;
  },
  'compressor (3:1, linked)': (rate, kernel) => {
    const comp = new Compressor({ id: 'comp', smoothingMs: 20 });
    [-20, 3, 2.8].forEach((v, p) => comp.setParam(p, v));
    comp.kernel = kernel;
    comp.prepare(rate, BLOCK, 2);
    return comp;
  },
  'limiter (-1 dBTP)': (rate, kernel) => {
    const lim = new Limiter({ id: 'limiter', smoothingMs: 20 });
    lim.setParam(0, -1);
    lim.kernel = kernel;
    lim.prepare(rate, BLOCK, 2);
    return lim;
  },
  'true-peak meter': (rate, kernel) => {
    const m = new TruePeakMeter();
    m.kernel = kernel;
    m.prepare(rate, BLOCK, 2, { trackWindow: true });
    return m;
  },
  'loudness meter': (rate, kernel) => {
    const m = new LoudnessMeter();
    m.kernel = kernel;
    m.prepare(rate, BLOCK, 2);
    return m;
  },
  'stage meter (one tap)': (rate, kernel) => {
    const m = new StageMeter();
    m.kernel = kernel === 'js' ? 'js' : 'wasm'; // no native stand-in
    m.prepare(rate, 2);
    return m;
  },
  spectrum: (rate, kernel) => {
    const m = new SpectrumMeter();
    m.kernel = kernel === 'js' ? 'js' : 'wasm'; // no native stand-in
    m.prepare(rate, 2);
    return m;
  },
};

/** Per kernel, JS reference, WebAssembly and native: ms of CPU per second of audio, best of 5 over 10 s. */
function kernels(data: Float32Array[], sampleRate: number): void {
  const frames = Math.min(data[0]!.length, 10 * sampleRate);
  const bufs = data.map(() => new Float32Array(BLOCK));
  const time = (p: Blockwise | null): number => {
    const start = performance.now();
    for (let pos = 0; pos < frames; pos += BLOCK) {
      const n = Math.min(BLOCK, frames - pos);
      for (let c = 0; c < data.length; c++) bufs[c]!.set(data[c]!.subarray(pos, pos + n));
      p?.process(bufs, n);
    }
    return ((performance.now() - start) / frames) * sampleRate;
  };
  for (const [name, make] of Object.entries(KERNEL_CASES)) {
    const procs = { js: make(sampleRate, 'js'), wasm: make(sampleRate, 'wasm'), native: make(sampleRate, 'native') };
    const hasNative = procs.native.backend === 'native';
    const best = { js: Infinity, wasm: Infinity, native: Infinity, copy: Infinity };
    for (let rep = 0; rep < 5; rep++) {
      best.js = Math.min(best.js, time(procs.js));
      best.wasm = Math.min(best.wasm, time(procs.wasm));
      if (hasNative) best.native = Math.min(best.native, time(procs.native));
      best.copy = Math.min(best.copy, time(null));
    }
    const js = best.js - best.copy;
    const wasm = best.wasm - best.copy;
    const native = best.native - best.copy;
    const nativeText = hasNative ? `  native ${native.toFixed(2)}` : '  native    -';
    const ratio = hasNative ? `wasm/native ${(wasm / native).toFixed(1)}x` : `js/wasm ${(js / wasm).toFixed(1)}x`;
    console.log(`  ${name.padEnd(24)} js ${js.toFixed(2)}  wasm ${wasm.toFixed(2)}${nativeText} ms per s of audio  (${ratio})`);
  }
}

/** ffmpeg's CPU seconds (user + system) for the filter chain on the file, from its -benchmark line. */
async function ffmpeg(file: string, chain: string): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-benchmark', '-threads', '1', '-filter_threads', '1', '-i', file, '-af', chain, '-f', 'null', '-']);
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  if (m === null) throw new Error(`ffmpeg printed no -benchmark line: ${stderr.slice(-300)}`);
  return Number(m[1]) + Number(m[2]);
}

async function latency(): Promise<{ p50: number; p99: number; max: number; blockMs: number; xruns: number }> {
  const store = new ParamStore();
  const engineConfig = engineSectionSchema.parse({ blockSize: 256 });
  const engine = new AudioEngine({ store, engineConfig, log: silentLogger(), source: { kind: 'noise', levelDbfs: -20 } });
  // The worker stamps the wall time a change leaves only while probing (the clock allocates).
  engine.probeTiming(true);
  await engine.start();
  await new Promise((r) => setTimeout(r, 500));
  // Spread the changes over the block period: wait a pseudo-random fraction of a block first.
  let jitter = 12345;
  const samples: number[] = [];
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < CHANGES; i++) {
    jitter = (jitter * 1103515245 + 12345) & 0x7fffffff;
    Atomics.wait(nap, 0, 0, (jitter % 1000) / 200);
    const t0 = performance.timeOrigin + performance.now();
    store.set('gain.gainDb', i % 2 === 0 ? -1 : -2, 'api');
    const seq = engine.parameterSequence;
    for (;;) {
      const a = engine.appliedParams();
      if (a.sequence >= seq) {
        samples.push(a.wallMs - t0);
        break;
      }
      // Poll every 50 us without spinning (a spinning main thread would take the worker's core).
      Atomics.wait(nap, 0, 0, 0.05);
    }
  }
  const status = engine.status();
  await engine.dispose();
  samples.sort((a, b) => a - b);
  const q = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  return { p50: q(0.5), p99: q(0.99), max: samples[samples.length - 1]!, blockMs: (256 / 48000) * 1000, xruns: status.xruns };
}

const native = nativeDsp();
console.log(native.ok ? `native DSP kernels: ${native.addon.kernels(false).join(', ')} (${native.isa})` : `native DSP kernels: none (${native.reason})`);
for (const rate of [48000, 96000]) {
  const file = ensureFile(rate);
  const { data, sampleRate } = await load(file);
  const audioS = data[0]!.length / sampleRate;
  oursInMemory(data, sampleRate, 'all'); // warm-up (JIT)
  // Interleaved rounds, the best (least disturbed) of each: ours and ffmpeg see the same machine load.
  const best = { all: Infinity, bs1770: Infinity, none: Infinity, e2e: Infinity, ffmpeg: Infinity, ffmpegChainOnly: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    best.all = Math.min(best.all, oursInMemory(data, sampleRate, 'all'));
    best.ffmpeg = Math.min(best.ffmpeg, await ffmpeg(file, FFMPEG_CHAIN));
    best.bs1770 = Math.min(best.bs1770, oursInMemory(data, sampleRate, 'bs1770'));
    best.ffmpegChainOnly = Math.min(best.ffmpegChainOnly, await ffmpeg(file, FFMPEG_PROCESSING));
    best.none = Math.min(best.none, oursInMemory(data, sampleRate, 'none'));
    best.e2e = Math.min(best.e2e, (await oursFromFile(file)).seconds);
  }
  const x = (s: number): string => `${(audioS / s).toFixed(0)}x`.padStart(5);
  const ms = (s: number): string => `${((s / audioS) * 1000).toFixed(2)} ms/s`;
  const line = (name: string, s: number): void => console.log(`  ${name.padEnd(44)} ${s.toFixed(3)} s CPU  ${x(s)} real time  ${ms(s)}`);
  console.log(`${rate / 1000} kHz stereo, ${audioS.toFixed(0)} s of pink noise, CPU time, best of ${ROUNDS} interleaved rounds`);
  line('ours, chain + loudness + true peak', best.bs1770);
  line('ours, chain + every meter (tablet)', best.all);
  line('ours, file -> chain + every meter', best.e2e);
  line('ours, chain only', best.none);
  line('ffmpeg, chain + ebur128=peak=true', best.ffmpeg);
  line('ffmpeg, chain only (no ebur128)', best.ffmpegChainOnly);
  console.log(`  ffmpeg / ours: chain + loudness + true peak ${(best.ffmpeg / best.bs1770).toFixed(2)}x (like for like), chain + every meter ${(best.ffmpeg / best.all).toFixed(2)}x, chain only ${(best.ffmpegChainOnly / best.none).toFixed(2)}x`);
  console.log('  kernels, JS reference, WebAssembly SIMD and native (the default where built):');
  kernels(data, sampleRate);
}
const l = await latency();
const lat = `ParamStore.set -> output, ${CHANGES} changes, 48 kHz / 256-frame blocks (${l.blockMs.toFixed(2)} ms): p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, max ${l.max.toFixed(2)} ms (target p99 < ${(l.blockMs + 1).toFixed(2)} ms); worker xruns during the run: ${l.xruns}`;
console.log(lat);
