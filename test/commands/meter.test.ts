import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWavWriter } from '../../src/audio-file/wav-writer.ts';
import { meterCommand } from '../../src/commands/meter.ts';
import { toneSequence } from '../engine/meters/signals.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir = '';
let tone = '';
let silence = '';
let surround = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-meter-cmd-'));
  tone = join(dir, 'tone.wav');
  const x = toneSequence(48000, [{ dbfs: -23, seconds: 20 }]);
  const w = await createWavWriter(tone, { sampleRate: 48000, channels: 2, format: 'pcm24' });
  await w.write([x, x], x.length);
  await w.close();
  silence = join(dir, 'silence.wav');
  const s = await createWavWriter(silence, { sampleRate: 44100, channels: 1, format: 'pcm16' });
  await s.write([new Float32Array(44100 * 2)], 44100 * 2);
  await s.close();
  // Tech 3341 case 6 as a 6-channel file with a silent LFE (mask 0x3F from the writer).
  surround = join(dir, 'surround.wav');
  const levels = [-28, -28, -24, null, -30, -30];
  const chans = levels.map((db) => (db === null ? new Float32Array(20 * 48000) : toneSequence(48000, [{ dbfs: db, seconds: 20 }])));
  const f = await createWavWriter(surround, { sampleRate: 48000, channels: 6, format: 'float32' });
  await f.write(chans, 20 * 48000);
  await f.close();
  await writeFile(join(dir, 'corrupt.wav'), Buffer.from('RIFF\x04\x00\x00\x00WAVEfmt ', 'latin1'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(files: string[], opts: { json: boolean; seriesHz?: number }): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await meterCommand(files, opts, { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

describe('hybrid-bridge meter', () => {
  it('--json prints one object per file with the documented keys', async () => {
    const { code, out, err } = await run([tone, surround], { json: true });
    expect(code).toBe(0);
    expect(err).toBe('');
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    const a = JSON.parse(lines[0]!) as Record<string, number | string | null>;
    expect(Object.keys(a)).toEqual(['file', 'sampleRate', 'channels', 'durationS', 'integratedLufs', 'loudnessRangeLu', 'momentaryMaxLufs', 'shortTermMaxLufs', 'truePeakDbtp', 'samplePeakDbfs', 'plrDb']);
    expect(a).toMatchObject({ file: tone, sampleRate: 48000, channels: 2, durationS: 20 });
    for (const k of ['integratedLufs', 'momentaryMaxLufs', 'shortTermMaxLufs']) expect(Math.abs((a[k] as number) + 23)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((a.truePeakDbtp as number) + 23)).toBeLessThan(0.2);
    expect(a.loudnessRangeLu).toBeLessThan(0.1);
    expect(Math.abs(a.plrDb as number)).toBeLessThan(0.2);
    const b = JSON.parse(lines[1]!) as Record<string, number>;
    expect(b.channels).toBe(6);
    expect(Math.abs(b.integratedLufs! + 23)).toBeLessThanOrEqual(0.1);
  });

  it('reports silence as null, never NaN', async () => {
    const { code, out } = await run([silence], { json: true });
    expect(code).toBe(0);
    expect(out).not.toContain('NaN');
    const r = JSON.parse(out) as Record<string, unknown>;
    expect(r.integratedLufs).toBeNull();
    expect(r.truePeakDbtp).toBeNull();
    expect(r.plrDb).toBeNull();
    expect(r.loudnessRangeLu).toBe(0);
  });

  it('--series HZ adds momentary and short-term arrays of [timeS, lufs]', async () => {
    const { out } = await run([tone], { json: true, seriesHz: 10 });
    const r = JSON.parse(out) as { momentary: [number, number | null][]; shortTerm: [number, number | null][] };
    expect(r.momentary).toHaveLength(200);
    expect(r.shortTerm).toHaveLength(200);
    expect(r.momentary[0]![0]).toBe(0.1);
    expect(r.momentary[199]![0]).toBe(20);
    expect(Math.abs(r.momentary[50]![1]! + 23)).toBeLessThan(0.1);
    expect(Math.abs(r.shortTerm[50]![1]! + 23)).toBeLessThan(0.1);
    // Before 3 s the short-term window is still filling (silence before the start counts).
    expect(r.shortTerm[9]![1]!).toBeLessThan(-25);
  });

  it('a bad or missing file gets one stderr line naming it; the others are still measured; exit 1', async () => {
    const missing = join(dir, 'missing.wav');
    const corrupt = join(dir, 'corrupt.wav');
    const { code, out, err } = await run([missing, tone, corrupt], { json: true });
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toHaveLength(1);
    const lines = err.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(missing);
    expect(lines[0]).toContain('E_WAV_NOT_FOUND');
    expect(lines[1]).toContain(corrupt);
    expect(lines[1]).toMatch(/E_WAV_(CORRUPT|TRUNCATED)/);
  });

  it('prints a short table per file without --json', async () => {
    const { code, out } = await run([tone, silence], { json: false });
    expect(code).toBe(0);
    expect(out).toContain(tone);
    expect(out).toMatch(/Integrated\s+-23\.0 LUFS/);
    expect(out).toMatch(/True peak\s+-23\.0 dBTP/);
    expect(out).toMatch(/Integrated\s+-inf LUFS/);
  });

  it('a rate without a whole number of samples per 100 ms is E_WAV_UNSUPPORTED', async () => {
    const odd = join(dir, 'odd-rate.wav');
    const w = await createWavWriter(odd, { sampleRate: 11025, channels: 1, format: 'pcm16' });
    await w.write([new Float32Array(11025)], 11025);
    await w.close();
    const { code, err } = await run([odd], { json: true });
    expect(code).toBe(1);
    expect(err).toContain(odd);
    expect(err).toContain('E_WAV_UNSUPPORTED');
  });

  it('refuses bad options with exit 2', async () => {
    expect((await run([tone], { json: true, seriesHz: 0 })).code).toBe(2);
    expect((await run([tone], { json: true, seriesHz: Number.NaN })).code).toBe(2);
    expect((await run([], { json: true })).code).toBe(2);
  });
});
