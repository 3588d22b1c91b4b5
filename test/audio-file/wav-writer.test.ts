import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudioFile } from '../../src/audio-file/open-audio-file.ts';
import { createWavWriter, type WavWriteFormat } from '../../src/audio-file/wav-writer.ts';
import { isBridgeError } from '../../src/errors.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-wav-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ramp(n: number, scale: number, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i * 0.37 + offset));
}

async function readBack(path: string): Promise<{ planar: Float32Array[]; format: string; frames: number; sampleRate: number; container: string }> {
  const r = await openAudioFile(path);
  const planar = Array.from({ length: r.channels }, () => new Float32Array(r.frames));
  let at = 0;
  for (;;) {
    const b = await r.read(777);
    if (b === null) break;
    b.forEach((x, c) => planar[c]!.set(x, at));
    at += b[0]!.length;
  }
  await r.close();
  return { planar, format: r.format, frames: r.frames, sampleRate: r.sampleRate, container: r.container };
}

describe('WAV writer', () => {
  it.each<[WavWriteFormat, number, number]>([
    ['pcm16', 1, 1 / 32768],
    ['pcm16', 2, 1 / 32768],
    ['pcm24', 2, 1 / 8388608],
    ['pcm24', 6, 1 / 8388608],
    ['float32', 2, 0],
    ['float32', 6, 0],
  ])('round-trips %s with %i channel(s), header sizes patched on close', async (format, channels, step) => {
    const path = join(dir, `rt-${format}-${channels}.wav`);
    const w = await createWavWriter(path, { sampleRate: 48000, channels, format });
    const a = Array.from({ length: channels }, (_, c) => ramp(1001, 0.9, c));
    await w.write(a.map((x) => x.subarray(0, 500)), 500);
    await w.write(a.map((x) => x.subarray(500)), 501);
    expect(w.frames).toBe(1001);
    await w.close();
    const got = await readBack(path);
    expect(got).toMatchObject({ format, frames: 1001, sampleRate: 48000, container: 'wav' });
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < 1001; i++) expect(Math.abs(got.planar[c]![i]! - a[c]![i]!)).toBeLessThanOrEqual(step / 2 + 1e-9);
    }
    const bytes = await readFile(path);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.length % 2).toBe(0); // odd data is padded
  });

  it('clamps PCM and writes NaN as 0', async () => {
    const path = join(dir, 'clip.wav');
    const w = await createWavWriter(path, { sampleRate: 44100, channels: 1, format: 'pcm16' });
    await w.write([Float32Array.from([2, -2, Number.NaN, 1, -1])], 5);
    await w.close();
    const got = await readBack(path);
    expect(Array.from(got.planar[0]!)).toEqual([32767 / 32768, -1, 0, 32767 / 32768, -1]);
  });

  it('writes a fact chunk for float and becomes RF64 past the RIFF size limit', async () => {
    const path = join(dir, 'big.wav');
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'float32', rf64ThresholdBytes: 1000 });
    const a = ramp(300, 0.5);
    await w.write([a, a], 300);
    await w.close();
    const bytes = await readFile(path);
    expect(bytes.toString('latin1', 0, 4)).toBe('RF64');
    expect(bytes.toString('latin1', 12, 16)).toBe('ds64');
    expect(bytes.readUInt32LE(4)).toBe(0xffffffff);
    const got = await readBack(path);
    expect(got).toMatchObject({ container: 'rf64', frames: 300 });
    expect(got.planar[1]![299]).toBe(a[299]);
  });

  it('refuses impossible options and writes after close', async () => {
    await expect(createWavWriter(join(dir, 'x.wav'), { sampleRate: 0, channels: 2, format: 'pcm16' })).rejects.toThrow(TypeError);
    await expect(createWavWriter(join(dir, 'x.wav'), { sampleRate: 48000, channels: 0, format: 'pcm16' })).rejects.toThrow(TypeError);
    const w = await createWavWriter(join(dir, 'closed.wav'), { sampleRate: 48000, channels: 1, format: 'pcm16' });
    await expect(w.write([new Float32Array(4)], 8)).rejects.toThrow(TypeError);
    await w.close();
    const err: unknown = await w.write([new Float32Array(4)], 4).catch((e: unknown) => e);
    expect(isBridgeError(err)).toBe(true);
    const bad: unknown = await createWavWriter(join(dir, 'no-such-dir', 'x.wav'), { sampleRate: 48000, channels: 1, format: 'pcm16' }).catch((e: unknown) => e);
    expect(isBridgeError(bad, 'E_WAV_NOT_FOUND')).toBe(true);
  });
});
