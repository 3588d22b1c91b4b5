import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWavWriter, type WavWriteFormat } from '../../src/audio-file/wav-writer.ts';
import { createReferenceWavWriter } from './reference-wav-writer.ts';
import { firstDifference, randomBlocks, writeCase, type WriteCase } from './wav-writer-cases.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-wav-identity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileNo = 0;
/** Both writers, same blocks: the files must be equal byte for byte. */
async function expectIdentical(c: WriteCase, reuse = false): Promise<number> {
  fileNo++;
  const want = await writeCase(createReferenceWavWriter, join(dir, `ref-${fileNo}.wav`), c, reuse);
  const got = await writeCase(createWavWriter, join(dir, `new-${fileNo}.wav`), c, reuse);
  expect(firstDifference(got, want)).toBeUndefined();
  await rm(join(dir, `ref-${fileNo}.wav`));
  await rm(join(dir, `new-${fileNo}.wav`));
  return got.length;
}

const FORMATS: WavWriteFormat[] = ['pcm16', 'pcm24', 'float32'];
const BYTES_PER_SAMPLE: Record<WavWriteFormat, number> = { pcm16: 2, pcm24: 3, float32: 4 };
const MIB = 1 << 20;

describe('WAV writer output is byte-identical to the per-sample reference writer', () => {
  describe.each(FORMATS)('%s', (format) => {
    it.each([1, 2, 3, 6])('%i channel(s): blocks of 1, 7 and 4096 frames through a small buffer and the default one', async (channels) => {
      const sizes = [1, 7, 4096, 1, 0, 7, 333, 4096, 1, 7];
      const blocks = randomBlocks(channels * 101 + format.length, channels, sizes);
      // 100 bytes: no block fits whole, most straddle a flush; one frame: every frame is its own write.
      for (const writeBufferBytes of [undefined, 100, channels * BYTES_PER_SAMPLE[format], 1]) {
        await expectIdentical({ format, channels, blocks, ...(writeBufferBytes === undefined ? {} : { writeBufferBytes }) });
      }
      await expectIdentical({ format, channels, blocks, writeBufferBytes: 1000 }, true);
    });

    it('blocks straddling the default 1 MiB buffer, stereo', async () => {
      const capacityFrames = Math.floor(MIB / (2 * BYTES_PER_SAMPLE[format]));
      const sizes = [capacityFrames - 1, 1, 1, capacityFrames + 1, 7, 2 * capacityFrames + 3, 1];
      const blocks = randomBlocks(7 + format.length, 2, sizes);
      const bytes = await expectIdentical({ format, channels: 2, blocks }, true);
      expect(bytes).toBeGreaterThan(4 * MIB);
    });

    it('becomes RF64 the same way, with the data sizes in ds64', async () => {
      const blocks = randomBlocks(99, 3, [1, 7, 500, 64]);
      await expectIdentical({ format, channels: 3, blocks, rf64ThresholdBytes: 1000, writeBufferBytes: 256 });
      await expectIdentical({ format, channels: 3, blocks, rf64ThresholdBytes: 100 });
    });
  });

  it('an empty file and a mono 24-bit file with an odd data size (pad byte) match', async () => {
    expect(await expectIdentical({ format: 'float32', channels: 2, blocks: [] })).toBe(94); // RIFF 12 + JUNK 36 + fmt 26 + fact 12 + data 8
    const odd = await expectIdentical({ format: 'pcm24', channels: 1, blocks: randomBlocks(5, 1, [7, 1, 1]), writeBufferBytes: 4 });
    expect(odd % 2).toBe(0);
  });

  it.each([1, 2, 6])('float32 with %i channel(s) stores every bit pattern as given, signalling NaNs included', async (channels) => {
    // The reference went through float32 -> double -> float32, which may quiet a signalling NaN
    // depending on the JIT tier; the new writer copies bits, so its output does not depend on that.
    const frames = 1000;
    const planar = Array.from({ length: channels }, (_, c) => {
      const bits = Uint32Array.from({ length: frames }, (_, i) => [0x7f800001, 0xffbfffff, 0x7fc00001, 0x80000000, 0x00000001, (i * 2654435761 + c) >>> 0][i % 6]!);
      return new Float32Array(bits.buffer);
    });
    const path = join(dir, `bits-${channels}.wav`);
    const w = await createWavWriter(path, { sampleRate: 48000, channels, format: 'float32', writeBufferBytes: 4000 });
    await w.write(planar, 600);
    await w.write(planar.map((x) => x.subarray(600)), 400);
    await w.close();
    const bytes = await readFile(path);
    const start = bytes.indexOf('data', 12, 'latin1') + 8;
    const data = new Uint32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
    expect(data.length).toBe(frames * channels);
    for (let c = 0; c < channels; c++) {
      const want = new Uint32Array(planar[c]!.buffer);
      for (let i = 0; i < frames; i++) if (data[i * channels + c] !== want[i]) expect.fail(`channel ${c} frame ${i}: ${data[i * channels + c]} vs ${want[i]}`);
    }
  });

  it('property: random formats, channel counts, buffer sizes and block sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          format: fc.constantFrom<WavWriteFormat>(...FORMATS),
          channels: fc.integer({ min: 1, max: 8 }),
          sizes: fc.array(fc.oneof(fc.constantFrom(0, 1, 7), fc.integer({ min: 0, max: 600 })), { maxLength: 12 }),
          writeBufferBytes: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
          rf64ThresholdBytes: fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
          seed: fc.integer(),
          reuse: fc.boolean(),
        }),
        async ({ format, channels, sizes, writeBufferBytes, rf64ThresholdBytes, seed, reuse }) => {
          const c: WriteCase = {
            format,
            channels,
            blocks: randomBlocks(seed, channels, sizes),
            ...(writeBufferBytes === undefined ? {} : { writeBufferBytes }),
            ...(rf64ThresholdBytes === undefined ? {} : { rf64ThresholdBytes }),
          };
          await expectIdentical(c, reuse);
        },
      ),
      { numRuns: 120 },
    );
  });
});
