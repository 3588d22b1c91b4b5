/**
 * Property tests: no byte sequence makes the readers crash. Any input either parses (and then every
 * frame it claims can be decoded) or is refused with a BridgeError; never another exception, never a hang.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../../src/audio-file/byte-source.ts';
import { openAudioFile, parseAudioHeader } from '../../src/audio-file/open-audio-file.ts';
import { decodeInterleaved } from '../../src/audio-file/sample-decoder.ts';
import { isBridgeError } from '../../src/errors.ts';
import { aiffBytes, chunkLE, floatBytes, pcmBytes, rf64Bytes, wavBytes } from './build-files.ts';

const seeds: Buffer[] = [
  wavBytes({ formatTag: 1, channels: 2, sampleRate: 48000, bitsPerSample: 16, data: pcmBytes([[1, 2, 3], [4, 5, 6]], 2), before: [chunkLE('LIST', Buffer.from('abc'))] }),
  wavBytes({ formatTag: 0xfffe, subFormat: 3, channelMask: 0x3f, channels: 6, sampleRate: 48000, bitsPerSample: 32, data: floatBytes(Array.from({ length: 6 }, () => [0.1, 0.2]), 4) }),
  wavBytes({ formatTag: 1, channels: 1, sampleRate: 44100, bitsPerSample: 24, data: pcmBytes([[1, -1, 5]], 3) }),
  rf64Bytes({ formatTag: 1, channels: 1, sampleRate: 48000, bitsPerSample: 16, data: pcmBytes([[7, 8]], 2) }),
  aiffBytes({ channels: 2, frames: 2, bits: 16, sampleRate: 44100, data: pcmBytes([[1, 2], [3, 4]], 2, true) }),
  aiffBytes({ channels: 1, frames: 2, bits: 32, sampleRate: 96000, compression: 'fl32', data: floatBytes([[0.5, 0.25]], 4, true) }),
];

/** Parse, then decode every frame the header claims, from memory. */
async function exercise(bytes: Buffer): Promise<'parsed' | 'refused'> {
  try {
    const info = await parseAudioHeader(new MemoryByteSource(bytes), 'fuzz.wav');
    const blockAlign = info.channels * info.bytesPerSample;
    expect(info.dataOffset + info.frames * blockAlign).toBeLessThanOrEqual(bytes.length);
    const out = Array.from({ length: info.channels }, () => new Float32Array(info.frames));
    const data = Buffer.from(bytes.subarray(info.dataOffset, info.dataOffset + info.frames * blockAlign));
    decodeInterleaved(data, info.frames, info, out);
    return 'parsed';
  } catch (err) {
    if (!isBridgeError(err)) throw err;
    expect(['E_WAV_CORRUPT', 'E_WAV_TRUNCATED', 'E_WAV_UNSUPPORTED']).toContain(err.code);
    return 'refused';
  }
}

const mutation = fc.record({
  seed: fc.integer({ min: 0, max: seeds.length - 1 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
});

function mutate(m: { seed: number; cut: number | undefined; flips: [number, number][] }): Buffer {
  const base = Buffer.from(seeds[m.seed]!);
  for (const [at, v] of m.flips) base[at % base.length] = v;
  return m.cut === undefined ? base : base.subarray(0, m.cut % (base.length + 1));
}

describe('parser properties', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hb-fuzz-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('random bytes, with and without a RIFF/FORM prefix, parse or throw a BridgeError', async () => {
    const prefix = fc.constantFrom(Buffer.alloc(0), Buffer.from('RIFF\x00\x00\x00\x00WAVE', 'latin1'), Buffer.from('RF64\xff\xff\xff\xffWAVE', 'latin1'), Buffer.from('FORM\x00\x00\x00\x00AIFF', 'latin1'), Buffer.from('FORM\x00\x00\x00\x00AIFC', 'latin1'));
    await fc.assert(
      fc.asyncProperty(prefix, fc.uint8Array({ maxLength: 300 }), async (p, rest) => {
        await exercise(Buffer.concat([p, Buffer.from(rest)]));
      }),
      { numRuns: 400 },
    );
  });

  it('truncated and bit-flipped real files parse or throw a BridgeError', async () => {
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        outcomes.add(await exercise(mutate(m)));
      }),
      { numRuns: 600 },
    );
    // The generator reaches both sides (otherwise the property would be vacuous).
    expect(outcomes).toEqual(new Set(['parsed', 'refused']));
  });

  it('the same holds through real files and the streaming reader', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const path = join(dir, `f${n++}.wav`);
        await writeFile(path, mutate(m));
        try {
          const r = await openAudioFile(path);
          try {
            let frames = 0;
            for (;;) {
              const b = await r.read(3);
              if (b === null) break;
              frames += b[0]!.length;
            }
            expect(frames).toBe(r.frames);
          } finally {
            await r.close();
          }
        } catch (err) {
          if (!isBridgeError(err)) throw err;
          expect(err.message).toContain(path);
        }
      }),
      { numRuns: 150 },
    );
  });
});
