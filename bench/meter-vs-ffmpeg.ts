/**
 * Benchmark: the `meter` command (M/S/I/LRA/true peak) against `ffmpeg -af ebur128=peak=true -f null -`
 * on 120 s and 10 min 48 kHz stereo float files, in the same run. Also: peak RSS of the meter command on
 * the 10 min file, and EBU Tech 3341 case 13 (400 ms bursts off the 100 ms grid) through both.
 *
 *   node --import tsx bench/meter-vs-ffmpeg.ts [--runs N]
 *
 * Each side runs as a child process under /usr/bin/time (wall, CPU, max RSS); the best of N runs
 * (default 3) is kept, runs interleaved so a busy machine hurts both alike. Ratio = ffmpeg / ours
 * (> 1: we are faster).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createWavWriter } from '../src/audio-file/wav-writer.ts';
import { measureFile } from '../src/commands/meter.ts';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

interface Timing {
  wallS: number;
  cpuS: number;
  maxRssKb: number;
  stdout: string;
  stderr: string;
}

/** Run a command under GNU time; its report goes to a separate file descriptor-free marker in stderr. */
async function timed(cmd: string, args: string[]): Promise<Timing> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', '#time %e %U %S %M', cmd, ...args], { maxBuffer: 256 * 1024 * 1024 });
  const line = stderr.split('\n').reverse().find((l) => l.startsWith('#time '));
  if (line === undefined) throw new Error(`no timing from ${cmd}:\n${stderr.slice(-2000)}`);
  const [, e, u, s, m] = line.split(' ');
  return { wallS: Number(e), cpuS: Number(u) + Number(s), maxRssKb: Number(m), stdout, stderr };
}

async function ours(file: string): Promise<Timing & { computeMs: number; result: Record<string, number> }> {
  const t = await timed(process.execPath, ['--import', 'tsx', join(here, 'meter-child.ts'), file]);
  const lines = t.stdout.trim().split('\n');
  const stats = JSON.parse(lines.find((l) => l.startsWith('#stats '))!.slice(7)) as { computeMs: number };
  return { ...t, computeMs: stats.computeMs, result: JSON.parse(lines[0]!) as Record<string, number> };
}

async function ffmpeg(file: string, framelog = false): Promise<Timing & { i: number; lra: number; tp: number }> {
  const af = framelog ? 'ebur128=peak=true:framelog=info' : 'ebur128=peak=true';
  const t = await timed('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', af, '-f', 'null', '-']);
  const summary = t.stderr.slice(t.stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp): number => Number(re.exec(summary)?.[1] ?? NaN);
  return { ...t, i: num(/I:\s+(-?[\d.]+) LUFS/), lra: num(/LRA:\s+(-?[\d.]+) LU/), tp: num(/Peak:\s+(-?[\d.]+) dBFS/) };
}

/** Programme-like stereo float file: noise falling 6 dB/oct above 500 Hz, level wandering every 0.5 s. */
async function makeProgramme(path: string, seconds: number): Promise<void> {
  const fs = 48000;
  const block = 48000;
  const w = await createWavWriter(path, { sampleRate: fs, channels: 2, format: 'float32' });
  const l = new Float32Array(block);
  const r = new Float32Array(block);
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const k = Math.exp((-2 * Math.PI * 500) / fs);
  let yl = 0;
  let yr = 0;
  let gain = 1;
  for (let done = 0; done < seconds * fs; done += block) {
    for (let i = 0; i < block; i++) {
      if ((done + i) % (fs / 2) === 0) gain = rnd() < 0.05 ? 0.05 : 10 ** ((-15 * rnd()) / 20);
      const a = rnd() + rnd() + rnd() + rnd() - 2;
      const b = rnd() + rnd() + rnd() + rnd() - 2;
      yl = k * yl + (1 - k) * a;
      yr = k * yr + (1 - k) * (0.6 * a + 0.4 * b);
      l[i] = 2 * yl * gain;
      r[i] = 2 * yr * gain;
    }
    await w.write([l, r], block);
  }
  await w.close();
}

async function makeCase13(path: string, offsetS: number): Promise<void> {
  const fs = 48000;
  const n = Math.round((offsetS + 0.4 + 1) * fs);
  const x = new Float32Array(n);
  const start = Math.round(offsetS * fs);
  const a = 10 ** (-23 / 20);
  for (let i = start; i < start + 0.4 * fs; i++) x[i] = a * Math.sin((2 * Math.PI * 1000 * i) / fs);
  const w = await createWavWriter(path, { sampleRate: fs, channels: 2, format: 'float32' });
  await w.write([x, x], n);
  await w.close();
}

const fmt = (v: number, d = 2): string => v.toFixed(d);

async function main(): Promise<void> {
  execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
  const dir = await mkdtemp(join(tmpdir(), 'hb-bench-meter-'));
  try {
    const rows: string[] = [];
    let rss10 = 0;
    for (const [label, seconds] of [
      ['120 s', 120],
      ['10 min', 600],
    ] as const) {
      const file = join(dir, `programme-${seconds}.wav`);
      await makeProgramme(file, seconds);
      let best: { o: Awaited<ReturnType<typeof ours>>; f: Awaited<ReturnType<typeof ffmpeg>> } | undefined;
      const oWall: number[] = [];
      const fWall: number[] = [];
      const oCpu: number[] = [];
      const fCpu: number[] = [];
      const compute: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const o = await ours(file);
        const f = await ffmpeg(file);
        oWall.push(o.wallS);
        fWall.push(f.wallS);
        oCpu.push(o.cpuS);
        fCpu.push(f.cpuS);
        compute.push(o.computeMs / 1000);
        best ??= { o, f };
        if (seconds === 600) rss10 = Math.max(rss10, o.maxRssKb);
      }
      const min = (a: number[]): number => Math.min(...a);
      const o = best!.o.result;
      const f = best!.f;
      rows.push(
        `| ${label} | ${fmt(min(oWall))} s | ${fmt(min(fWall))} s | **${fmt(min(fWall) / min(oWall))}** | ${fmt(min(oCpu))} / ${fmt(min(fCpu))} s = ${fmt(min(fCpu) / min(oCpu))} | ` +
          `${fmt(min(compute))} s, ${fmt(min(fWall) / min(compute))} | ` +
          `I ${fmt(o.integratedLufs!, 1)} / ${fmt(f.i, 1)}, LRA ${fmt(o.loudnessRangeLu!, 1)} / ${fmt(f.lra, 1)}, TP ${fmt(o.truePeakDbtp!, 1)} / ${fmt(f.tp, 1)} |`,
      );
      console.error(`${label}: ours ${oWall.join(', ')} s, ffmpeg ${fWall.join(', ')} s`);
    }

    // Tech 3341 case 13: a 400 ms burst at -23 dBFS starting i x 20 ms late; max M must read -23.0 +-0.1.
    let ffFail = 0;
    let ffWorst = 0;
    let ourWorst = 0;
    for (let i = 0; i < 20; i++) {
      const file = join(dir, `case13-${i}.wav`);
      await makeCase13(file, i * 0.02);
      const m = await measureFile(file);
      ourWorst = Math.max(ourWorst, Math.abs(m.momentaryMaxLufs + 23));
      const f = await ffmpeg(file, true);
      const ms = [...f.stderr.matchAll(/M:\s*(-?[\d.]+)/g)].map((x) => Number(x[1]));
      const err = Math.abs(Math.max(...ms) + 23);
      ffWorst = Math.max(ffWorst, err);
      if (err > 0.1) ffFail++;
    }

    const out = [
      '| 48 kHz stereo float | `meter` process, wall | ffmpeg process, wall | ratio (wall) | CPU ours / ffmpeg = ratio | `meter` in-process time, ratio | results ours / ffmpeg |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `Peak RSS of the meter command (node + tsx) on the 10 min file: **${fmt(rss10 / 1024, 1)} MB**.`,
      '',
      `EBU Tech 3341 case 13 (20 bursts of 400 ms off the 100 ms grid, max M must read -23.0 +-0.1): ours worst error ${fmt(ourWorst, 3)} LU (20/20 pass); ffmpeg (max of its 10 Hz M values) worst error ${fmt(ffWorst, 2)} LU, ${ffFail}/20 outside the tolerance.`,
    ].join('\n');
    console.log(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
