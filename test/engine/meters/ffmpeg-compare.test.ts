/**
 * Cross-check against ffmpeg's ebur128 filter (an independent implementation) on programme-like
 * signals: integrated loudness, LRA and true peak should agree within ffmpeg's printed precision.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWavWriter } from '../../../src/audio-file/wav-writer.ts';
import { measureFile } from '../../../src/commands/meter.ts';
import { requireTool } from '../../support/require-tool.ts';
import { lcg, noise } from './signals.ts';

const ffmpeg = requireTool('ffmpeg');
const run = promisify(execFile);

interface FfmpegSummary {
  integrated: number;
  lra: number;
  truePeak: number;
}

async function ffmpegEbur128(path: string): Promise<FfmpegSummary> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 });
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const num = (re: RegExp): number => {
    const m = re.exec(summary);
    if (m === null) throw new Error(`ffmpeg summary without ${String(re)}:\n${summary}`);
    return Number(m[1]);
  };
  return { integrated: num(/I:\s+(-?[\d.]+) LUFS/), lra: num(/LRA:\s+(-?[\d.]+) LU/), truePeak: num(/Peak:\s+(-?[\d.]+) dBFS/) };
}

/**
 * Noise with a music-like spectrum (falling 6 dB/octave above ~500 Hz) whose level wanders every
 * half second, with pauses: gating and LRA have work to do.
 */
function programme(fs: number, seconds: number, channels: number, seed: number): Float32Array[] {
  const r = lcg(seed);
  const gains = Array.from({ length: Math.ceil(seconds * 2) }, () => (r() < 0.1 ? 0 : 10 ** ((-20 * r()) / 20)));
  const k = Math.exp((-2 * Math.PI * 500) / fs);
  return Array.from({ length: channels }, (_, c) => {
    const x = noise(seconds * fs, 0.6, seed + c);
    let y = 0;
    for (let i = 0; i < x.length; i++) {
      y = k * y + (1 - k) * x[i]!;
      x[i] = 0.6 * y * gains[Math.floor(i / (fs / 2))]!;
    }
    return x;
  });
}

describe.skipIf(!ffmpeg.ok)(`agreement with ffmpeg ebur128 ${ffmpeg.reason}`, () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hb-ffmpeg-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [48000, 2, 'float32'],
    [44100, 2, 'pcm24'],
    [48000, 6, 'float32'],
  ] as const)('%i Hz, %i channels, %s: I, LRA and true peak agree', async (fs, channels, format) => {
    const path = join(dir, `p-${fs}-${channels}.wav`);
    const x = programme(fs, 40, channels, 17);
    if (channels === 6) x[3]!.fill(0); // the LFE carries nothing (ffmpeg and we both exclude it anyway)
    const w = await createWavWriter(path, { sampleRate: fs, channels, format });
    await w.write(x, x[0]!.length);
    await w.close();
    const ours = await measureFile(path);
    const theirs = await ffmpegEbur128(path);
    // ffmpeg prints one decimal.
    expect(Math.abs(ours.integratedLufs - theirs.integrated)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(ours.loudnessRangeLu - theirs.lra)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(ours.truePeakDbtp - theirs.truePeak)).toBeLessThanOrEqual(0.3);
  }, 60000);
});
