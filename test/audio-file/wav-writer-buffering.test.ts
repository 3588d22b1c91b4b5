import { access, mkdtemp, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAudioFile } from '../../src/audio-file/open-audio-file.ts';
import { createWavWriter } from '../../src/audio-file/wav-writer.ts';
import { isBridgeError } from '../../src/errors.ts';
import { createReferenceWavWriter } from './reference-wav-writer.ts';
import { firstDifference, randomBlocks, writeCase, type WriteCase } from './wav-writer-cases.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-wav-buffering-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface WriteResult {
  bytesWritten: number;
  buffer: Uint8Array;
}
/** The one FileHandle.write overload the writer uses (positional). */
interface HandleMethods {
  write: (this: FileHandle, buffer: Uint8Array, offset: number, length: number, position: number) => Promise<WriteResult>;
}
interface WriteCall {
  readonly length: number;
  readonly position: number;
}
type Intercept = (call: WriteCall, index: number, original: (length: number) => Promise<WriteResult>) => Promise<WriteResult>;

async function handlePrototype(): Promise<HandleMethods> {
  const fh = await open(join(dir, 'prototype'), 'w');
  const proto = Object.getPrototypeOf(fh) as HandleMethods;
  await fh.close();
  return proto;
}

/** Record every FileHandle.write (writes of this worker only) and let `intercept` fail or shorten one. */
async function spyWrites(intercept?: Intercept): Promise<WriteCall[]> {
  const proto = await handlePrototype();
  const original = proto.write;
  const calls: WriteCall[] = [];
  vi.spyOn(proto, 'write').mockImplementation(function (this: FileHandle, buffer, offset, length, position) {
    const call = { length, position };
    calls.push(call);
    const through = (n: number): Promise<WriteResult> => original.call(this, buffer, offset, n, position);
    return intercept ? intercept(call, calls.length - 1, through) : through(length);
  });
  return calls;
}

function diskFull(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

async function reference(name: string, c: WriteCase): Promise<Buffer> {
  return writeCase(createReferenceWavWriter, join(dir, `${name}-ref.wav`), c, false);
}

const MIB = 1 << 20;
const HEADER_FLOAT = 94; // RIFF 12 + JUNK 36 + fmt 26 + fact 12 + data 8

describe('WAV writer write-behind buffer', () => {
  it('goes to disk in 1 MiB writes, the last one on close, then patches the header', async () => {
    const blocks = randomBlocks(1, 2, Array.from({ length: 100 }, () => 4096));
    const want = await reference('batch', { format: 'float32', channels: 2, blocks });
    const calls = await spyWrites();
    const path = join(dir, 'batch.wav');
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'float32' });
    for (let b = 0; b < 32; b++) await w.write(blocks[b]!, 4096);
    expect(calls).toEqual([{ length: HEADER_FLOAT, position: 0 }]); // 32 blocks of 32 KiB fill the buffer, nothing written yet
    for (let b = 32; b < 100; b++) await w.write(blocks[b]!, 4096);
    await w.close();
    expect(calls).toEqual([
      { length: HEADER_FLOAT, position: 0 },
      { length: MIB, position: HEADER_FLOAT },
      { length: MIB, position: HEADER_FLOAT + MIB },
      { length: MIB, position: HEADER_FLOAT + 2 * MIB },
      { length: 4 * 4096 * 8, position: HEADER_FLOAT + 3 * MIB },
      { length: 4, position: 4 }, // RIFF size
      { length: 4, position: HEADER_FLOAT - 4 }, // data size
      { length: 4, position: 82 }, // fact sample count
    ]);
    expect(firstDifference(await readFile(path), want)).toBeUndefined();
  });

  it('a disk error rejects the write that needed the flush; that block is dropped, the earlier ones are written later', async () => {
    // 1000 bytes = 125 stereo float frames; blocks of 100 frames.
    const blocks = randomBlocks(2, 2, [100, 100, 100, 100]);
    const want = await reference('retry', { format: 'float32', channels: 2, blocks: [blocks[0]!, blocks[1]!, blocks[3]!] });
    let dataWrites = 0;
    const calls = await spyWrites((call, _i, through) => {
      if (call.position >= HEADER_FLOAT && call.length > 4 && ++dataWrites === 2) return Promise.reject(diskFull());
      return through(call.length);
    });
    const path = join(dir, 'retry.wav');
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'float32', writeBufferBytes: 1000 });
    await w.write(blocks[0]!, 100);
    await w.write(blocks[1]!, 100); // flush 1 (block 0 and 25 frames of block 1) succeeds
    const err: unknown = await w.write(blocks[2]!, 100).catch((e: unknown) => e); // flush 2 fails
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(w.frames).toBe(200);
    await w.write(blocks[3]!, 100);
    await w.close();
    expect(calls.filter((c) => c.length > 4 && c.position >= HEADER_FLOAT).map((c) => c.position)).toEqual([94, 1094, 1094, 2094]);
    expect(firstDifference(await readFile(path), want)).toBeUndefined();
  });

  it('a disk error after part of a long block went out takes the block back and truncates its bytes on close', async () => {
    const blocks = randomBlocks(3, 2, [100, 400, 10]);
    const want = await reference('rollback', { format: 'float32', channels: 2, blocks: [blocks[0]!, blocks[2]!] });
    let dataWrites = 0;
    await spyWrites((call, _i, through) => {
      if (call.position >= HEADER_FLOAT && call.length > 4 && ++dataWrites === 3) return Promise.reject(diskFull());
      return through(call.length);
    });
    const path = join(dir, 'rollback.wav');
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'float32', writeBufferBytes: 1000 });
    await w.write(blocks[0]!, 100);
    await expect(w.write(blocks[1]!, 400)).rejects.toMatchObject({ code: 'ENOSPC' }); // 2 flushes got through, the 3rd did not
    expect(w.frames).toBe(100);
    await w.write(blocks[2]!, 10);
    await w.close();
    expect(firstDifference(await readFile(path), want)).toBeUndefined();
  });

  it('completes short writes', async () => {
    const c: WriteCase = { format: 'pcm24', channels: 3, blocks: randomBlocks(4, 3, [1, 7, 700, 33]), writeBufferBytes: 999 };
    const want = await reference('short', c);
    const calls = await spyWrites((call, _i, through) => through(Math.ceil(call.length / 3)));
    const got = await writeCase(createWavWriter, join(dir, 'short.wav'), c, false);
    expect(firstDifference(got, want)).toBeUndefined();
    expect(calls.length).toBeGreaterThan(10);
  });

  it('when the last flush fails, close() rejects, closes the handle and leaves a valid file of what reached the disk', async () => {
    const blocks = randomBlocks(5, 2, [100, 100]);
    const want = await reference('close-fail', { format: 'float32', channels: 2, blocks: [blocks[0]!] });
    let dataWrites = 0;
    await spyWrites((call, _i, through) => {
      if (call.position >= HEADER_FLOAT && call.length > 4 && ++dataWrites === 2) return Promise.reject(diskFull());
      return through(call.length);
    });
    // FileHandle#close is an instance field, not on the prototype: count this process's descriptors instead.
    const fdsBefore = (await readdir('/proc/self/fd')).length;
    const path = join(dir, 'close-fail.wav');
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'float32', writeBufferBytes: 800 });
    await w.write(blocks[0]!, 100);
    await w.write(blocks[1]!, 100); // block 0 goes to disk
    await expect(w.close()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect((await readdir('/proc/self/fd')).length).toBe(fdsBefore);
    await expect(w.close()).resolves.toBeUndefined();
    const after: unknown = await w.write(blocks[0]!, 100).catch((e: unknown) => e);
    expect(isBridgeError(after, 'E_WAV_NOT_FOUND')).toBe(true);
    vi.restoreAllMocks();
    expect(firstDifference(await readFile(path), want)).toBeUndefined();
    const r = await openAudioFile(path);
    expect(r.frames).toBe(100);
    await r.close();
  });

  it('a refused block (bad arguments) leaves the buffered ones alone', async () => {
    const blocks = randomBlocks(6, 1, [7, 5]);
    const want = await reference('refused', { format: 'pcm16', channels: 1, blocks });
    const path = join(dir, 'refused.wav');
    const w = await createWavWriter(path, { sampleRate: 48000, channels: 1, format: 'pcm16' });
    await w.write(blocks[0]!, 7);
    await expect(w.write([new Float32Array(3)], 4)).rejects.toThrow(TypeError);
    await expect(w.write([], 1)).rejects.toThrow(TypeError);
    await w.write(blocks[1]!, 5);
    await w.close();
    expect(firstDifference(await readFile(path), want)).toBeUndefined();
  });

  it('refuses a buffer size that is not a positive integer before creating the file', async () => {
    const path = join(dir, 'never.wav');
    for (const writeBufferBytes of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      await expect(createWavWriter(path, { sampleRate: 48000, channels: 2, format: 'pcm16', writeBufferBytes })).rejects.toThrow(TypeError);
    }
    await expect(access(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
