import { openAudioFile } from '../audio-file/open-audio-file.ts';
import type { AudioFileReader } from '../audio-file/audio-file-types.ts';
import { audioFileError } from '../audio-file/audio-file-error.ts';
import { isBridgeError } from '../errors.ts';
import { channelWeights } from '../engine/meters/channel-weights.ts';
import { levelDifferenceDb } from '../engine/meters/levels.ts';
import { emptyLoudnessReading, LoudnessMeter } from '../engine/meters/loudness-meter.ts';
import { emptyPeakReading, TruePeakMeter } from '../engine/meters/true-peak-meter.ts';

export interface MeterCommandOptions {
  json: boolean;
  /** Also report momentary and short-term loudness sampled at this rate (Hz). */
  seriesHz?: number;
}

export interface MeterCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One file's results. Levels in LUFS / LU / dBTP / dBFS / dB; silence is -Infinity. */
export interface FileMeasurement {
  file: string;
  sampleRate: number;
  channels: number;
  durationS: number;
  integratedLufs: number;
  loudnessRangeLu: number;
  momentaryMaxLufs: number;
  shortTermMaxLufs: number;
  truePeakDbtp: number;
  samplePeakDbfs: number;
  /** True peak minus integrated loudness. */
  plrDb: number;
  /** [timeS, lufs] at seriesHz, when asked for. */
  momentary?: [number, number][];
  shortTerm?: [number, number][];
}

/**
 * Frames per file read (~0.7 s at 48 kHz; two such blocks are all the audio the command holds): large
 * reads keep the thread-pool round trips few. The meters work through them in METER_BLOCK pieces,
 * whose scratch arrays stay in cache.
 */
const BLOCK_FRAMES = 32768;
const METER_BLOCK = 4096;

/**
 * `hybrid-bridge meter FILE... [--json] [--series HZ]`: EBU R 128 / BS.1770 loudness, LRA, true and
 * sample peak of each file, streamed block by block. `--json` prints one JSON object per file, one per
 * line (-Infinity as null). A file that cannot be measured gets one line on stderr naming it and the
 * problem; the others are still measured; the exit code is then 1 (2 for bad options).
 */
export async function meterCommand(files: string[], opts: MeterCommandOptions, io: MeterCommandIo): Promise<number> {
  if (opts.seriesHz !== undefined && !(Number.isFinite(opts.seriesHz) && opts.seriesHz > 0 && opts.seriesHz <= 1000)) {
    io.stderr.write(`meter: --series ${String(opts.seriesHz)} must be a rate in Hz between 0 and 1000\n`);
    return 2;
  }
  if (files.length === 0) {
    io.stderr.write('meter: no files given\n');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    try {
      const m = await measureFile(file, opts.seriesHz === undefined ? {} : { seriesHz: opts.seriesHz });
      io.stdout.write(opts.json ? `${toJsonLine(m)}\n` : formatTable(m));
    } catch (err) {
      failed++;
      io.stderr.write(`meter: ${describeError(file, err)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

/** Measure one file, streaming. Throws BridgeError (E_WAV_*) naming the file. */
export async function measureFile(path: string, options: { seriesHz?: number; blockFrames?: number } = {}): Promise<FileMeasurement> {
  const reader = await openAudioFile(path);
  try {
    return await measureReader(reader, options);
  } finally {
    await reader.close();
  }
}

async function measureReader(reader: AudioFileReader, options: { seriesHz?: number; blockFrames?: number }): Promise<FileMeasurement> {
  const { sampleRate, channels } = reader;
  const block = options.blockFrames ?? BLOCK_FRAMES;
  const loudness = new LoudnessMeter();
  const peaks = new TruePeakMeter();
  try {
    loudness.prepare(sampleRate, Math.min(block, METER_BLOCK), channels, { weights: channelWeights(channels, reader.channelMask) });
    peaks.prepare(sampleRate, Math.min(block, METER_BLOCK), channels);
  } catch (err) {
    throw audioFileError('E_WAV_UNSUPPORTED', reader.path, `${sampleRate} Hz cannot be measured (${err instanceof Error ? err.message : String(err)})`, err);
  }
  const seriesHz = options.seriesHz;
  const momentary: [number, number][] = [];
  const shortTerm: [number, number][] = [];
  let nextPoint = 1;
  let nextFrame = seriesHz === undefined ? Infinity : Math.round(sampleRate / seriesHz);
  let position = 0;

  // Two buffers: the next block is read while this one is measured.
  const planar = (): Float32Array[] => Array.from({ length: channels }, () => new Float32Array(block));
  let current = planar();
  let spare = planar();
  const views: Float32Array[] = new Array<Float32Array>(channels);
  let got = await reader.readInto(current, block);
  while (got > 0) {
    const pending = reader.readInto(spare, block);
    let done = 0;
    while (done < got) {
      const n = Math.min(got - done, nextFrame - position);
      for (let c = 0; c < channels; c++) views[c] = done === 0 && n === got ? current[c]! : current[c]!.subarray(done, done + n);
      loudness.process(views, n);
      peaks.process(views, n);
      done += n;
      position += n;
      if (position === nextFrame && seriesHz !== undefined) {
        const t = round(nextPoint / seriesHz, 6);
        momentary.push([t, loudness.momentaryLufs()]);
        shortTerm.push([t, loudness.shortTermLufs()]);
        nextPoint++;
        nextFrame = Math.round((nextPoint * sampleRate) / seriesHz);
      }
    }
    got = await pending;
    [current, spare] = [spare, current];
  }
  if (position !== reader.frames) {
    throw audioFileError('E_WAV_TRUNCATED', reader.path, `read ${position} of ${reader.frames} frames`);
  }
  peaks.finish();
  const l = emptyLoudnessReading();
  const p = emptyPeakReading();
  loudness.read(l);
  peaks.read(p);
  const result: FileMeasurement = {
    file: reader.path,
    sampleRate,
    channels,
    durationS: reader.frames / sampleRate,
    integratedLufs: l.integratedLufs,
    loudnessRangeLu: l.loudnessRangeLu,
    momentaryMaxLufs: l.momentaryMaxLufs,
    shortTermMaxLufs: l.shortTermMaxLufs,
    truePeakDbtp: p.truePeakDbtp,
    samplePeakDbfs: p.samplePeakDbfs,
    plrDb: levelDifferenceDb(p.truePeakDbtp, l.integratedLufs),
  };
  if (seriesHz !== undefined) {
    result.momentary = momentary;
    result.shortTerm = shortTerm;
  }
  return result;
}

function describeError(file: string, err: unknown): string {
  if (isBridgeError(err)) {
    const msg = err.message.startsWith(file) ? err.message : `${file}: ${err.message}`;
    return `${firstLine(msg)} (${err.code})`;
  }
  return `${file}: ${firstLine(err instanceof Error ? err.message : String(err))}`;
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? s).trim();
}

function round(v: number, places: number): number {
  const k = 10 ** places;
  return Math.round(v * k) / k;
}

/** JSON number, or null for -Infinity / NaN (JSON has neither). */
function level(v: number): number | null {
  return Number.isFinite(v) ? round(v, 4) : null;
}

export function toJsonLine(m: FileMeasurement): string {
  const out: Record<string, unknown> = {
    file: m.file,
    sampleRate: m.sampleRate,
    channels: m.channels,
    durationS: round(m.durationS, 6),
    integratedLufs: level(m.integratedLufs),
    loudnessRangeLu: level(m.loudnessRangeLu),
    momentaryMaxLufs: level(m.momentaryMaxLufs),
    shortTermMaxLufs: level(m.shortTermMaxLufs),
    truePeakDbtp: level(m.truePeakDbtp),
    samplePeakDbfs: level(m.samplePeakDbfs),
    plrDb: level(m.plrDb),
  };
  if (m.momentary !== undefined) out.momentary = m.momentary.map(([t, v]) => [t, level(v)]);
  if (m.shortTerm !== undefined) out.shortTerm = m.shortTerm.map(([t, v]) => [t, level(v)]);
  return JSON.stringify(out);
}

function fmt(v: number, unit: string): string {
  return `${Number.isFinite(v) ? v.toFixed(1).padStart(6) : '  -inf'} ${unit}`;
}

export function formatTable(m: FileMeasurement): string {
  const rows: [string, string][] = [
    ['Integrated', fmt(m.integratedLufs, 'LUFS')],
    ['Loudness range', fmt(m.loudnessRangeLu, 'LU')],
    ['Momentary max', fmt(m.momentaryMaxLufs, 'LUFS')],
    ['Short-term max', fmt(m.shortTermMaxLufs, 'LUFS')],
    ['True peak', fmt(m.truePeakDbtp, 'dBTP')],
    ['Sample peak', fmt(m.samplePeakDbfs, 'dBFS')],
    ['PLR', fmt(m.plrDb, 'dB')],
  ];
  const head = `${m.file}  ${m.sampleRate} Hz  ${m.channels} ch  ${m.durationS.toFixed(2)} s\n`;
  let body = rows.map(([k, v]) => `  ${k.padEnd(16)}${v}\n`).join('');
  if (m.momentary !== undefined && m.shortTerm !== undefined) {
    body += `  ${'time s'.padEnd(10)}${'M LUFS'.padStart(8)}${'S LUFS'.padStart(8)}\n`;
    m.momentary.forEach(([t, v], i) => {
      const s = m.shortTerm?.[i]?.[1] ?? -Infinity;
      body += `  ${t.toFixed(3).padEnd(10)}${(Number.isFinite(v) ? v.toFixed(1) : '-inf').padStart(8)}${(Number.isFinite(s) ? s.toFixed(1) : '-inf').padStart(8)}\n`;
    });
  }
  return head + body;
}
