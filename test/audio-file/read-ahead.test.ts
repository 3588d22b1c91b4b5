/**
 * The read-ahead buffer and the decoder's fast paths: whatever the block sizes (1 frame, odd sizes,
 * sizes straddling the read-ahead buffer) and however calls are issued, the samples are exactly those
 * of one whole read and of an independent decode of the bytes written.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudioFile } from '../../src/audio-file/open-audio-file.ts';
import type { AudioFileReader } from '../../src/audio-file/audio-file-types.ts';
import { READ_AHEAD_BYTES } from '../../src/audio-file/streaming-audio-file-reader.ts';
import { isBridgeError } from '../../src/errors.ts';
import { aiffBytes, floatBytes, pcmBytes, wavBytes } from './build-files.ts';
import { rng } from '../support/rng.ts';

let dir = '';
let fileNo = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-read-ahead-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Kind = 'f32' | 'f64' | 'i16' | 'i24' | 'i32' | 'i8' | 'aiff24' | 'aifcFl32';

interface TestFile {
  readonly path: string;
  readonly bytes: Buffer;
  readonly frames: number;
  readonly channels: number;
  readonly blockAlign: number;
  readonly dataOffset: number;
  /** Planar values decoded in the test from the numbers written, independent of the reader. */
  readonly expected: Float32Array[];
}


const BITS: Record<Kind, number> = { f32: 32, f64: 64, i16: 16, i24: 24, i32: 32, i8: 8, aiff24: 24, aifcFl32: 32 };

async function makeFile(kind: Kind, channels: number, frames: number, seed: number): Promise<TestFile> {
  const next = rng(seed);
  const bits = BITS[kind];
  const float = kind === 'f32' || kind === 'f64' || kind === 'aifcFl32';
  const full = 2 ** (bits - 1);
  // Integers over the whole range, the extremes included; floats are any value in [-1, 1).
  const ints = Array.from({ length: channels }, () => Array.from({ length: frames }, () => (next() < 0.01 ? (next() < 0.5 ? -full : full - 1) : Math.floor(next() * 2 * full) - full)));
  const floats = ints.map((ch) => ch.map((v) => v / full + next() / full));
  const bytesPerSample = bits / 8;
  let bytes: Buffer;
  let data: Buffer;
  if (kind === 'aiff24') {
    data = pcmBytes(ints, 3, true);
    bytes = aiffBytes({ channels, frames, bits: 24, sampleRate: 48000, data, ssndOffset: 2 });
  } else if (kind === 'aifcFl32') {
    data = floatBytes(floats, 4, true);
    bytes = aiffBytes({ channels, frames, bits: 32, sampleRate: 48000, compression: 'fl32', data });
  } else {
    data = float ? floatBytes(floats, kind === 'f64' ? 8 : 4) : pcmBytes(ints, bytesPerSample, false, kind === 'i8');
    bytes = wavBytes({ formatTag: float ? 3 : 1, channels, sampleRate: 48000, bitsPerSample: bits, data });
  }
  const expected = (float ? floats : ints).map((ch) => Float32Array.from(ch, (v) => (float ? v : v / full)));
  const path = join(dir, `${kind}-${fileNo++}.${kind.startsWith('aif') ? 'aif' : 'wav'}`);
  await writeFile(path, bytes);
  // Both builders put the samples last (AIFF: after the SSND offset bytes), then a pad byte if odd.
  return { path, bytes, frames, channels, blockAlign: channels * bytesPerSample, dataOffset: bytes.length - data.length - (data.length % 2), expected };
}

/** Read to the end with `blocks` (cycled) as the requested sizes; planar concatenation of the result. */
async function readBlocks(r: AudioFileReader, blocks: readonly number[]): Promise<Float32Array[]> {
  const maxBlock = Math.max(...blocks);
  const out = Array.from({ length: r.channels }, () => new Float32Array(r.frames));
  const bufs = Array.from({ length: r.channels }, () => new Float32Array(maxBlock));
  let at = 0;
  for (let i = 0; ; i++) {
    const want = blocks[i % blocks.length]!;
    const n = await r.readInto(bufs, want);
    if (n !== Math.min(want, r.frames - at)) expect(n, `call ${i} at frame ${at}`).toBe(Math.min(want, r.frames - at));
    if (n === 0) break;
    bufs.forEach((b, c) => out[c]!.set(b.subarray(0, n), at));
    at += n;
  }
  expect(at).toBe(r.frames);
  return out;
}

async function readWhole(path: string): Promise<Float32Array[]> {
  const r = await openAudioFile(path);
  const bufs = Array.from({ length: r.channels }, () => new Float32Array(Math.max(1, r.frames)));
  expect(await r.readInto(bufs, r.frames)).toBe(r.frames);
  expect(await r.readInto(bufs, 1)).toBe(0);
  await r.close();
  return bufs.map((b) => b.subarray(0, r.frames));
}

/** Bitwise equality with the index of the first difference in the failure message. */
function expectSame(got: readonly Float32Array[], want: readonly Float32Array[], what: string): void {
  expect(got.length, what).toBe(want.length);
  want.forEach((w, c) => {
    const g = got[c]!;
    expect(g.length, what).toBe(w.length);
    if (!Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength))) {
      const i = w.findIndex((v, k) => !Object.is(v, g[k]));
      expect.fail(`${what}: channel ${c} frame ${i}: got ${g[i]}, want ${w[i]}`);
    }
  });
}

describe('sequential reads through the read-ahead buffer', () => {
  // Large enough to need several buffer-fulls at the default size.
  const cases: { kind: Kind; frames: number }[] = [
    { kind: 'f32', frames: 3 * (READ_AHEAD_BYTES / 8) + 1001 },
    { kind: 'i16', frames: 2 * (READ_AHEAD_BYTES / 4) + 777 },
    { kind: 'i24', frames: 2 * Math.floor(READ_AHEAD_BYTES / 6) + 555 },
    { kind: 'aiff24', frames: Math.floor(READ_AHEAD_BYTES / 6) + 333 },
  ];
  for (const { kind, frames } of cases) {
    it(`${kind} stereo: every block size gives the samples of one whole read`, async () => {
      const f = await makeFile(kind, 2, frames, frames);
      const whole = await readWhole(f.path);
      expectSame(whole, f.expected, 'whole read');
      const bufferFrames = Math.floor(READ_AHEAD_BYTES / f.blockAlign);
      const sizes = [[1], [7], [4095], [4096], [65536], [bufferFrames - 1], [bufferFrames], [bufferFrames + 1], [2 * bufferFrames + 3], [4096, 1, bufferFrames - 4097, 7]];
      for (const blocks of sizes) {
        const r = await openAudioFile(f.path);
        expectSame(await readBlocks(r, blocks), whole, `blocks ${blocks.join(',')}`);
        await r.close();
      }
    });
  }

  it('a small read-ahead buffer that is not a whole number of frames, with blocks larger than it', async () => {
    for (const kind of ['f32', 'f64', 'i16', 'i24', 'i32', 'i8', 'aiff24', 'aifcFl32'] as const) {
      for (const channels of [1, 2, 3]) {
        const f = await makeFile(kind, channels, 3000, channels);
        // A one-frame buffer is a file read per frame: a shorter file for those.
        const short = await makeFile(kind, channels, 257, channels + 10);
        const plan: [TestFile, number, number[][]][] = [
          [short, 1, [[1], [7], [300]]],
          [short, f.blockAlign + 1, [[1], [256], [257]]],
          [f, 1000, [[1], [7], [333], [2999], [3000], [5000]]],
          [f, 4099, [[1], [7], [333], [2999], [3000], [5000]]],
        ];
        for (const [file, readAheadBytes, sizes] of plan) {
          for (const blocks of sizes) {
            const r = await openAudioFile(file.path, { readAheadBytes });
            expectSame(await readBlocks(r, blocks), file.expected, `${kind} ${channels} ch ${file.frames} frames, read-ahead ${readAheadBytes}, blocks ${blocks.join(',')}`);
            await r.close();
          }
        }
      }
    }
  });

  it('read() and readInto() share the position', async () => {
    const f = await makeFile('i24', 2, 3000, 9);
    const r = await openAudioFile(f.path, { readAheadBytes: 600 });
    const a = await r.read(150);
    const bufs = [new Float32Array(1000), new Float32Array(1000)];
    expect(await r.readInto(bufs, 1000)).toBe(1000);
    const b = await r.read(5000);
    expect(await r.read(1)).toBeNull();
    await r.close();
    expectSame([a![0]!, a![1]!], f.expected.map((e) => e.subarray(0, 150)), 'read 150');
    expectSame(bufs, f.expected.map((e) => e.subarray(150, 1150)), 'readInto 1000');
    expectSame([b![0]!, b![1]!], f.expected.map((e) => e.subarray(1150)), 'read rest');
  });

  it('calls made without waiting complete in order; those made before close() still complete', async () => {
    const f = await makeFile('f32', 2, 10000, 4);
    const r = await openAudioFile(f.path, { readAheadBytes: 8 * 1500 });
    const sizes = [100, 1400, 1, 3000, 2000, 5000];
    const bufs = sizes.map((n) => [new Float32Array(n), new Float32Array(n)]);
    const calls = sizes.map((n, i) => r.readInto(bufs[i]!, n));
    const closed = r.close();
    const late = r.readInto([new Float32Array(10), new Float32Array(10)], 10);
    await expect(late).rejects.toMatchObject({ code: 'E_WAV_NOT_FOUND' });
    const got = await Promise.all(calls);
    await closed;
    expect(got).toEqual([100, 1400, 1, 3000, 2000, 3499]);
    let at = 0;
    got.forEach((n, i) => {
      expectSame(bufs[i]!.map((b) => b.subarray(0, n)), f.expected.map((e) => e.subarray(at, at + n)), `call ${i}`);
      at += n;
    });
    await expect(r.read(1)).rejects.toMatchObject({ code: 'E_WAV_NOT_FOUND' });
  });

  it('refuses a read-ahead size that is not a positive integer', async () => {
    const f = await makeFile('i16', 1, 10, 1);
    for (const readAheadBytes of [0, -1, 1.5, NaN, Infinity]) {
      await expect(openAudioFile(f.path, { readAheadBytes })).rejects.toThrow(TypeError);
    }
  });
});

describe('a file that shrinks after open (and grows back)', () => {
  // [frames kept, block size, read-ahead bytes]: the end inside the first buffer, on and next to a
  // buffer boundary, on and next to a block boundary.
  const cases: [number, number, number | undefined][] = [
    [1000, 4096, undefined],
    [4096, 4096, undefined],
    [4097, 4096, undefined],
    [READ_AHEAD_BYTES / 8, 4096, undefined],
    [READ_AHEAD_BYTES / 8 + 5, 7, undefined],
    [1499, 100, 8 * 500],
    [1500, 100, 8 * 500],
    [1501, 1, 8 * 500],
    [0, 64, 8 * 500],
  ];
  it.each(cases)('cut to %i frames, blocks of %i: E_WAV_TRUNCATED at that frame, the frames before it intact, and after once whole again', async (kept, block, readAheadBytes) => {
    const frames = READ_AHEAD_BYTES / 8 + 20000;
    const f = await makeFile('f32', 2, frames, kept);
    const r = await openAudioFile(f.path, readAheadBytes === undefined ? {} : { readAheadBytes });
    // A partial frame at the cut must not count.
    await truncate(f.path, f.dataOffset + kept * f.blockAlign + 3);
    const got = [new Float32Array(frames), new Float32Array(frames)];
    const bufs = [new Float32Array(block), new Float32Array(block)];
    let at = 0;
    let failure: unknown;
    for (;;) {
      let n: number;
      try {
        n = await r.readInto(bufs, block);
      } catch (err) {
        failure = err;
        break;
      }
      if (n !== block) expect(n).toBe(block);
      bufs.forEach((b, c) => got[c]!.set(b.subarray(0, n), at));
      at += n;
    }
    // The call that reaches the missing frame fails whole, as it did before the read-ahead.
    expect(at).toBe(Math.floor(kept / block) * block);
    expectSame(got.map((g) => g.subarray(0, at)), f.expected.map((e) => e.subarray(0, at)), 'frames before the cut');
    expect(isBridgeError(failure) && failure.code).toBe('E_WAV_TRUNCATED');
    expect(String((failure as Error).message)).toContain(`${f.path}: the file ended at frame ${kept} of ${frames}`);
    // The position stayed: asking again fails the same way.
    await expect(r.readInto(bufs, block)).rejects.toMatchObject({ code: 'E_WAV_TRUNCATED', message: expect.stringContaining(`frame ${kept} of`) as unknown });
    // Once the file is whole again, reading carries on from there with the right samples.
    await writeFile(f.path, f.bytes);
    for (;;) {
      const n = await r.readInto(bufs, block);
      if (n === 0) break;
      bufs.forEach((b, c) => got[c]!.set(b.subarray(0, n), at));
      at += n;
    }
    expect(at).toBe(frames);
    expectSame(got, f.expected, 'after the file is whole again');
    await r.close();
  });
});

describe('read-ahead properties', () => {
  it('any sequence of block sizes, any buffer size, awaited or not, gives the samples written', async () => {
    const kinds = fc.constantFrom<Kind>('f32', 'f64', 'i16', 'i24', 'i32', 'i8', 'aiff24', 'aifcFl32');
    const step = fc.record({ frames: fc.integer({ min: 1, max: 700 }), wait: fc.boolean(), viaRead: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        kinds,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2500 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.array(step, { minLength: 1, maxLength: 30 }),
        async (kind, channels, frames, readAheadBytes, steps) => {
          const f = await makeFile(kind, channels, frames, frames * 31 + channels);
          const r = await openAudioFile(f.path, { readAheadBytes });
          const out = f.expected.map(() => new Float32Array(frames));
          let at = 0;
          // Un-awaited calls pile up here and are checked in order, as a caller that pipelines would.
          let pending: { call: Promise<number | Float32Array[] | null>; bufs: Float32Array[] | null; want: number }[] = [];
          const settle = async (): Promise<void> => {
            for (const p of pending) {
              const res = await p.call;
              const got = p.bufs === null ? (res as Float32Array[] | null) : (p.bufs.map((b) => b.subarray(0, res as number)));
              const n = got === null ? 0 : got[0]!.length;
              expect(n).toBe(Math.min(p.want, frames - at));
              got?.forEach((g, c) => out[c]!.set(g, at));
              at += n;
            }
            pending = [];
          };
          for (let i = 0; at < frames || pending.length > 0; i++) {
            const s = steps[i % steps.length]!;
            if (s.viaRead) pending.push({ call: r.read(s.frames), bufs: null, want: s.frames });
            else {
              const bufs = f.expected.map(() => new Float32Array(s.frames));
              pending.push({ call: r.readInto(bufs, s.frames), bufs, want: s.frames });
            }
            if (s.wait || pending.length > 4) await settle();
            if (i > 10000) throw new Error('no progress');
          }
          expect(await r.readInto(f.expected.map(() => new Float32Array(4)), 4)).toBe(0);
          await r.close();
          expectSame(out, f.expected, `${kind} ${channels} ch ${frames} frames, read-ahead ${readAheadBytes}`);
        },
      ),
      { numRuns: 120 },
    );
  });
});
