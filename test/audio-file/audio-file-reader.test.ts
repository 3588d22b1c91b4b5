import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudioFile } from '../../src/audio-file/open-audio-file.ts';
import { isBridgeError, type BridgeErrorCode } from '../../src/errors.ts';
import { aiffBytes, chunkBE, chunkLE, floatBytes, pcmBytes, rf64Bytes, wavBytes } from './build-files.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-audio-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function readAll(path: string, chunk = 1000): Promise<{ frames: number; data: number[][]; info: Record<string, unknown> }> {
  const r = await openAudioFile(path);
  const data: number[][] = Array.from({ length: r.channels }, () => []);
  let frames = 0;
  for (;;) {
    const block = await r.read(chunk);
    if (block === null) break;
    block.forEach((b, c) => data[c]!.push(...b));
    frames += block[0]!.length;
  }
  await r.close();
  return { frames, data, info: { sampleRate: r.sampleRate, channels: r.channels, frames: r.frames, format: r.format, container: r.container, channelMask: r.channelMask } };
}

async function expectCode(path: string, code: BridgeErrorCode): Promise<void> {
  const err: unknown = await openAudioFile(path).then(
    async (r) => {
      // Some damage only shows while reading.
      while ((await r.read(4096)) !== null);
      await r.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(isBridgeError(err), `expected a BridgeError, got ${String(err)}`).toBe(true);
  if (isBridgeError(err)) {
    expect(err.code).toBe(code);
    expect(err.message).toContain(path);
    expect(err.message).not.toContain('\n');
  }
}

const L = [0, 16384, -32768, 32767, -1];
const R = [1, -16384, 32767, -32768, 2];

describe('WAV reader', () => {
  it('reads 16-bit PCM stereo, in blocks, then null', async () => {
    const path = await file('pcm16.wav', wavBytes({ formatTag: 1, channels: 2, sampleRate: 44100, bitsPerSample: 16, data: pcmBytes([L, R], 2) }));
    const got = await readAll(path, 2);
    expect(got.info).toMatchObject({ sampleRate: 44100, channels: 2, frames: 5, format: 'pcm16', container: 'wav' });
    expect(got.data[0]).toEqual(L.map((v) => v / 32768));
    expect(got.data[1]).toEqual(R.map((v) => v / 32768));
  });

  it('reads 24-bit WAVE_FORMAT_EXTENSIBLE with its channel mask', async () => {
    const a = [0, 4194304, -8388608, 8388607];
    const path = await file('pcm24.wav', wavBytes({ formatTag: 0xfffe, subFormat: 1, channelMask: 0x3, channels: 2, sampleRate: 48000, bitsPerSample: 24, data: pcmBytes([a, a.map((v) => -v - 1)], 3) }));
    const got = await readAll(path);
    expect(got.info).toMatchObject({ format: 'pcm24', channelMask: 3, frames: 4 });
    expect(got.data[0]).toEqual(a.map((v) => v / 8388608));
  });

  it('reads 32-bit PCM, 8-bit unsigned PCM, 32- and 64-bit float', async () => {
    const p32 = await file('pcm32.wav', wavBytes({ formatTag: 1, channels: 1, sampleRate: 96000, bitsPerSample: 32, data: pcmBytes([[1073741824, -2147483648]], 4) }));
    expect((await readAll(p32)).data[0]).toEqual([0.5, -1]);
    const p8 = await file('pcm8.wav', wavBytes({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 8, data: pcmBytes([[0, 64, -128, 127]], 1, false, true) }));
    expect((await readAll(p8)).data[0]).toEqual([0, 0.5, -1, 127 / 128]);
    const f32 = await file('f32.wav', wavBytes({ formatTag: 3, channels: 2, sampleRate: 48000, bitsPerSample: 32, data: floatBytes([[0.25, -1.5], [0.125, 2]], 4) }));
    expect((await readAll(f32)).data).toEqual([[0.25, -1.5], [0.125, 2]]);
    const f64 = await file('f64.wav', wavBytes({ formatTag: 3, channels: 1, sampleRate: 48000, bitsPerSample: 64, data: floatBytes([[0.1, -0.2]], 8) }));
    const got = await readAll(f64);
    expect(got.info.format).toBe('float64');
    expect(got.data[0]![0]).toBeCloseTo(0.1, 7);
  });

  it('reads 5.1 float extensible', async () => {
    const planar = Array.from({ length: 6 }, (_, c) => [c / 10, -c / 10, 0.5]);
    const path = await file('51.wav', wavBytes({ formatTag: 0xfffe, subFormat: 3, channelMask: 0x3f, channels: 6, sampleRate: 48000, bitsPerSample: 32, data: floatBytes(planar, 4) }));
    const got = await readAll(path);
    expect(got.info).toMatchObject({ channels: 6, channelMask: 0x3f, format: 'float32' });
    got.data.forEach((d, c) => expect(d[0]).toBeCloseTo(c / 10, 6));
  });

  it('skips unknown chunks and honours odd-size padding, before and after the data', async () => {
    const odd = chunkLE('LIST', Buffer.from('hello')); // 5 bytes + pad
    const bext = chunkLE('bext', Buffer.alloc(602));
    const path = await file('chunks.wav', wavBytes({ formatTag: 1, channels: 1, sampleRate: 48000, bitsPerSample: 16, data: pcmBytes([[1, 2, 3]], 2), before: [odd, bext], after: [chunkLE('id3 ', Buffer.from('abc'))] }));
    expect((await readAll(path)).data[0]).toEqual([1, 2, 3].map((v) => v / 32768));
  });

  it('reads data that comes before the fmt chunk', async () => {
    const fmt = wavBytes({ formatTag: 1, channels: 1, sampleRate: 48000, bitsPerSample: 16, data: Buffer.alloc(0) }).subarray(12, 12 + 24);
    const data = chunkLE('data', pcmBytes([[5, 6]], 2));
    const head = Buffer.alloc(12);
    head.write('RIFF', 0, 'latin1');
    head.writeUInt32LE(4 + data.length + fmt.length, 4);
    head.write('WAVE', 8, 'latin1');
    const path = await file('data-first.wav', Buffer.concat([head, data, fmt]));
    expect((await readAll(path)).data[0]).toEqual([5 / 32768, 6 / 32768]);
  });

  it('reads RF64 (sizes in ds64)', async () => {
    const path = await file('rf64.wav', rf64Bytes({ formatTag: 1, channels: 2, sampleRate: 48000, bitsPerSample: 16, data: pcmBytes([L, R], 2) }));
    const got = await readAll(path);
    expect(got.info).toMatchObject({ container: 'rf64', frames: 5 });
    expect(got.data[1]).toEqual(R.map((v) => v / 32768));
  });

  it('reads a WAV streamed through a pipe (sizes left at 0xFFFFFFFF) to the end of the file', async () => {
    const bytes = wavBytes({ formatTag: 1, channels: 2, sampleRate: 48000, bitsPerSample: 16, data: pcmBytes([L, R], 2) });
    bytes.writeUInt32LE(0xffffffff, 4);
    bytes.writeUInt32LE(0xffffffff, bytes.length - 20 - 4);
    const path = await file('piped.wav', bytes);
    const got = await readAll(path);
    expect(got.frames).toBe(5);
    expect(got.data[0]).toEqual(L.map((v) => v / 32768));
  });

  it('readInto fills the caller arrays and returns 0 at the end', async () => {
    const path = await file('into.wav', wavBytes({ formatTag: 1, channels: 2, sampleRate: 48000, bitsPerSample: 16, data: pcmBytes([L, R], 2) }));
    const r = await openAudioFile(path);
    const bufs = [new Float32Array(3), new Float32Array(3)];
    expect(await r.readInto(bufs, 10)).toBe(3);
    expect(Array.from(bufs[0]!)).toEqual(L.slice(0, 3).map((v) => v / 32768));
    expect(await r.readInto(bufs, 10)).toBe(2);
    expect(await r.readInto(bufs, 10)).toBe(0);
    await r.close();
    await r.close(); // idempotent
  });
});

describe('AIFF / AIFF-C reader', () => {
  it('reads big-endian 16-bit AIFF with its 80-bit sample rate', async () => {
    const path = await file('a16.aiff', aiffBytes({ channels: 2, frames: 5, bits: 16, sampleRate: 44100, data: pcmBytes([L, R], 2, true) }));
    const got = await readAll(path);
    expect(got.info).toMatchObject({ sampleRate: 44100, channels: 2, frames: 5, format: 'pcm16', container: 'aiff' });
    expect(got.data[0]).toEqual(L.map((v) => v / 32768));
  });

  it('reads 24-bit AIFF at 96 kHz with an SSND offset and an unknown chunk', async () => {
    const a = [0, 4194304, -8388608];
    const path = await file('a24.aif', aiffBytes({ channels: 1, frames: 3, bits: 24, sampleRate: 96000, data: pcmBytes([a], 3, true), ssndOffset: 4, before: [chunkBE('NAME', Buffer.from('odd'))] }));
    const got = await readAll(path);
    expect(got.info.sampleRate).toBe(96000);
    expect(got.data[0]).toEqual(a.map((v) => v / 8388608));
  });

  it('reads AIFF-C sowt, fl32, FL32 and fl64', async () => {
    const sowt = await file('sowt.aifc', aiffBytes({ channels: 1, frames: 2, bits: 16, sampleRate: 48000, compression: 'sowt', data: pcmBytes([[100, -100]], 2, false) }));
    expect((await readAll(sowt)).data[0]).toEqual([100 / 32768, -100 / 32768]);
    for (const c of ['fl32', 'FL32']) {
      const p = await file(`${c}.aifc`, aiffBytes({ channels: 2, frames: 1, bits: 32, sampleRate: 48000, compression: c, data: floatBytes([[0.5], [-0.25]], 4, true) }));
      const got = await readAll(p);
      expect(got.info).toMatchObject({ format: 'float32', container: 'aifc' });
      expect(got.data).toEqual([[0.5], [-0.25]]);
    }
    const f64 = await file('fl64.aifc', aiffBytes({ channels: 1, frames: 1, bits: 64, sampleRate: 48000, compression: 'fl64', data: floatBytes([[0.75]], 8, true) }));
    expect((await readAll(f64)).data[0]).toEqual([0.75]);
  });
});

describe('bad files give one-line BridgeErrors naming the file', () => {
  const good = (): Buffer => wavBytes({ formatTag: 1, channels: 2, sampleRate: 48000, bitsPerSample: 16, data: pcmBytes([L, R], 2) });

  it('missing file and directory: E_WAV_NOT_FOUND', async () => {
    await expectCode(join(dir, 'nope.wav'), 'E_WAV_NOT_FOUND');
    const sub = join(dir, 'a-directory.wav');
    await mkdir(sub);
    await expectCode(sub, 'E_WAV_NOT_FOUND');
  });

  it('truncated: header cut, data shorter than declared, empty file', async () => {
    await expectCode(await file('cut-header.wav', good().subarray(0, 30)), 'E_WAV_TRUNCATED');
    await expectCode(await file('cut-data.wav', good().subarray(0, good().length - 3)), 'E_WAV_TRUNCATED');
    await expectCode(await file('empty.wav', Buffer.alloc(0)), 'E_WAV_TRUNCATED');
    const aiff = aiffBytes({ channels: 1, frames: 100, bits: 16, sampleRate: 48000, data: Buffer.alloc(200) });
    await expectCode(await file('cut.aiff', aiff.subarray(0, aiff.length - 50)), 'E_WAV_TRUNCATED');
  });

  it('corrupt: RIFF without WAVE, no fmt, no data, 0 channels, block align lies', async () => {
    const noWave = good();
    noWave.write('AVI ', 8, 'latin1');
    await expectCode(await file('avi.wav', noWave), 'E_WAV_CORRUPT');
    const head = Buffer.from('RIFF\x10\x00\x00\x00WAVE', 'latin1');
    await expectCode(await file('nofmt.wav', Buffer.concat([head, chunkLE('data', Buffer.alloc(4))])), 'E_WAV_CORRUPT');
    const fmtOnly = wavBytes({ formatTag: 1, channels: 1, sampleRate: 48000, bitsPerSample: 16, data: Buffer.alloc(0) });
    fmtOnly.write('junk', 36, 'latin1');
    await expectCode(await file('nodata.wav', fmtOnly), 'E_WAV_CORRUPT');
    const zero = good();
    zero.writeUInt16LE(0, 22);
    await expectCode(await file('zero-ch.wav', zero), 'E_WAV_CORRUPT');
    const align = good();
    align.writeUInt16LE(3, 32);
    await expectCode(await file('align.wav', align), 'E_WAV_CORRUPT');
  });

  it('unsupported: not audio, ADPCM, MP3-in-WAV, odd extensible GUID, AIFF-C ima4', async () => {
    await expectCode(await file('text.wav', Buffer.from('this is not a wave file at all')), 'E_WAV_UNSUPPORTED');
    const adpcm = wavBytes({ formatTag: 2, channels: 1, sampleRate: 48000, bitsPerSample: 4, data: Buffer.alloc(10) });
    await expectCode(await file('adpcm.wav', adpcm), 'E_WAV_UNSUPPORTED');
    const mp3 = wavBytes({ formatTag: 0x55, channels: 2, sampleRate: 48000, bitsPerSample: 0, data: Buffer.alloc(10) });
    await expectCode(await file('mp3.wav', mp3), 'E_WAV_UNSUPPORTED');
    const guid = wavBytes({ formatTag: 0xfffe, subFormat: 1, channels: 1, sampleRate: 48000, bitsPerSample: 16, data: Buffer.alloc(4) });
    guid.writeUInt8(0x42, 12 + 8 + 30);
    await expectCode(await file('guid.wav', guid), 'E_WAV_UNSUPPORTED');
    const ima = aiffBytes({ channels: 1, frames: 1, bits: 16, sampleRate: 48000, compression: 'ima4', data: Buffer.alloc(34) });
    await expectCode(await file('ima4.aifc', ima), 'E_WAV_UNSUPPORTED');
  });
});

describe('streaming', () => {
  it('opens a 2-hour 48 kHz stereo float file and reads blocks without loading it', async () => {
    const frames = 2 * 3600 * 48000;
    const header = wavBytes({ formatTag: 3, channels: 2, sampleRate: 48000, bitsPerSample: 32, data: Buffer.alloc(0) });
    header.writeUInt32LE(frames * 8, header.length - 4); // the data chunk's size
    header.writeUInt32LE(header.length - 8 + frames * 8, 4);
    const path = join(dir, 'two-hours.wav');
    await writeFile(path, header);
    const fh = await open(path, 'r+');
    await fh.truncate(header.length + frames * 8); // sparse: reads as zeros, takes no disk
    await fh.close();
    const rss = process.memoryUsage().rss;
    const r = await openAudioFile(path);
    expect(r.frames).toBe(frames);
    const bufs = [new Float32Array(65536), new Float32Array(65536)];
    for (let i = 0; i < 20; i++) expect(await r.readInto(bufs, 65536)).toBe(65536);
    await r.close();
    // 2.76 GB of samples; the reader touched 10 MB of them and kept one block.
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  });
});
