import { mkdtemp, rm } from 'node:fs/promises';
import type * as Os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWavWriter, type WavWriteFormat } from '../../src/audio-file/wav-writer.ts';
import { createReferenceWavWriter } from './reference-wav-writer.ts';
import { firstDifference, randomBlocks, writeCase } from './wav-writer-cases.ts';

// Pretend to be a big-endian host: the writer must take its DataView path (explicit little-endian
// stores) instead of the typed-array views, and still write the same bytes.
const endianness = vi.hoisted(() => vi.fn(() => 'BE' as const));
vi.mock('node:os', async (importOriginal) => ({ ...(await importOriginal<typeof Os>()), endianness }));

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-wav-be-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('WAV writer on a big-endian host', () => {
  it.each<[WavWriteFormat, number]>([
    ['pcm16', 1],
    ['pcm16', 2],
    ['pcm24', 3],
    ['float32', 1],
    ['float32', 2],
    ['float32', 6],
  ])('%s, %i channel(s): same bytes as the reference', async (format, channels) => {
    endianness.mockClear();
    const c = { format, channels, blocks: randomBlocks(channels * 31 + format.length, channels, [1, 7, 4096, 0, 333]), writeBufferBytes: 1000 };
    const want = await writeCase(createReferenceWavWriter, join(dir, `${format}-${channels}-ref.wav`), c, false);
    const got = await writeCase(createWavWriter, join(dir, `${format}-${channels}-new.wav`), c, true);
    expect(endianness).toHaveBeenCalled();
    expect(firstDifference(got, want)).toBeUndefined();
  });
});
