import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWavWriter, openAudioFile } from '../../src/audio-file/index.ts';
import { paramsCommand } from '../../src/commands/params.ts';
import { processCommand } from '../../src/commands/process.ts';
import type { ParamSpec } from '../../src/params/param-spec.ts';
import { db, noise, peakAbs, sine, truePeak } from './support/signals.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function io(): { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture() };
}

let dir = '';
const FS = 48000;
let input: Float32Array[] = [];

async function readAll(path: string): Promise<{ sampleRate: number; data: Float32Array[] }> {
  const r = await openAudioFile(path);
  const data = Array.from({ length: r.channels }, () => new Float32Array(r.frames));
  let at = 0;
  for (;;) {
    const chunk = await r.read(8192);
    if (!chunk) break;
    chunk.forEach((c, i) => data[i]!.set(c, at));
    at += chunk[0]!.length;
  }
  await r.close();
  return { sampleRate: r.sampleRate, data };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-process-'));
  const frames = FS * 2 + 123; // not a multiple of the block size
  const tone = sine(frames, 440, FS, 0.5);
  input = [noise(frames, 0.2, 5).map((v, i) => v + tone[i]!), noise(frames, 0.2, 6)];
  const w = await createWavWriter(join(dir, 'in.wav'), { sampleRate: FS, channels: 2, format: 'float32' });
  await w.write(input, frames);
  await w.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hybrid-bridge process', () => {
  it('at neutral settings writes a float WAV identical to the input: same length, latency compensated', async () => {
    const out = join(dir, 'neutral.wav');
    const c = io();
    expect(await processCommand(join(dir, 'in.wav'), out, { set: [] }, c)).toBe(0);
    expect(c.stdout.text).toMatch(/latency 254 samples compensated/);
    const { sampleRate, data } = await readAll(out);
    expect(sampleRate).toBe(FS);
    expect(data[0]!.length).toBe(input[0]!.length);
    expect(data[0]).toEqual(input[0]);
    expect(data[1]).toEqual(input[1]);
  });

  it('applies --set (numbers, choice labels, on/off) and a params file, in that order', async () => {
    const params = join(dir, 'p.json');
    await writeFile(params, JSON.stringify({ params: { 'gain.gainDb': 12, 'limiter.ceilingDbtp': -3 } }));
    const out = join(dir, 'loud.wav');
    const c = io();
    const code = await processCommand(join(dir, 'in.wav'), out, { set: ['limiter.ceilingDbtp=-2', 'eq.band3.type=highShelf', 'width.monoMakerEnabled=on'], paramsFile: params }, c);
    expect(code, c.stderr.text).toBe(0);
    const { data } = await readAll(out);
    // +12 dB into a -2 dBTP ceiling (--set wins over the file's -3).
    expect(db(truePeak(data[0]!))).toBeLessThanOrEqual(-1.9);
    expect(db(peakAbs(data[0]!))).toBeGreaterThan(-2.5);
    expect(c.stdout.text).toMatch(/limiter \d+\.\d+ dB/);
  });

  it('bad options exit 2 with the parameter named; an unreadable input exits 1', async () => {
    const c1 = io();
    expect(await processCommand(join(dir, 'in.wav'), join(dir, 'x.wav'), { set: ['eq.band99.gainDb=1'] }, c1)).toBe(2);
    expect(c1.stderr.text).toMatch(/eq\.band99\.gainDb.*E_PARAM_UNKNOWN/);
    const c2 = io();
    expect(await processCommand(join(dir, 'in.wav'), join(dir, 'x.wav'), { set: ['gain.gainDb=99'] }, c2)).toBe(2);
    expect(c2.stderr.text).toMatch(/E_PARAM_RANGE/);
    const c3 = io();
    expect(await processCommand(join(dir, 'in.wav'), join(dir, 'x.wav'), { set: ['eq.band3.type=squiggle'] }, c3)).toBe(2);
    expect(c3.stderr.text).toMatch(/one of bell, lowShelf/);
    const c4 = io();
    expect(await processCommand(join(dir, 'missing.wav'), join(dir, 'x.wav'), { set: [] }, c4)).toBe(1);
    expect(c4.stderr.text).toMatch(/E_WAV_NOT_FOUND/);
  });
});

describe('hybrid-bridge params', () => {
  it('lists every parameter with range, unit and default; --json is the ParamSpec list', async () => {
    const c = io();
    expect(await paramsCommand({ json: true }, c)).toBe(0);
    const specs = JSON.parse(c.stdout.text) as ParamSpec[];
    const gain = specs.find((p) => p.id === 'eq.band3.gainDb')!;
    expect(gain).toMatchObject({ unit: 'dB', min: -24, max: 24, default: 0 });
    expect(specs.find((p) => p.id === 'eq.band3.type')!.choices).toContain('highShelf');
    expect(specs.length).toBeGreaterThan(90);
    const t = io();
    expect(await paramsCommand({ json: false }, t)).toBe(0);
    expect(t.stdout.text).toMatch(/limiter\.ceilingDbtp\s+continuous\s+-12 \.\. 0\s+dBTP\s+-1 dBTP/);
    expect(t.stdout.text).toMatch(new RegExp(`${specs.length} parameters`));
  });
});
