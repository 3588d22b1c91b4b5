import { readFile } from 'node:fs/promises';
import type { WavWriteFormat, WavWriter, WavWriterOptions } from '../../src/audio-file/wav-writer.ts';
import { rng } from '../support/rng.ts';

/** What the byte-identity tests feed both writers: the blocks, already generated, so both see the same. */
export interface WriteCase {
  readonly format: WavWriteFormat;
  readonly channels: number;
  readonly blocks: readonly (readonly Float32Array[])[];
  readonly rf64ThresholdBytes?: number;
  readonly writeBufferBytes?: number;
}


const SPECIALS = [0, -0, 1, -1, 2, -2, Number.NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];

/**
 * One sample: mostly audio-like values past full scale, plus the cases the encoders must get right:
 * exact rounding halves at 16 and 24 bits, specials (NaN, ±Inf, ±0, denormals), and arbitrary float bit
 * patterns. Signalling NaNs are made quiet: V8 quiets them or not depending on the JIT tier, so the old
 * writer's own output for them was not deterministic (a float32 -> double -> float32 round trip).
 */
function sample(next: () => number, bits: Uint32Array, f32: Float32Array): number {
  const kind = next();
  if (kind < 0.55) return (next() * 2 - 1) * 1.2;
  if (kind < 0.65) return (Math.floor(next() * 65536) - 32768 + 0.5) / 32768;
  if (kind < 0.75) return (Math.floor(next() * 16777216) - 8388608 + 0.5) / 8388608;
  if (kind < 0.85) return SPECIALS[Math.floor(next() * SPECIALS.length)]!;
  let u = Math.floor(next() * 4294967296) >>> 0;
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) u = (u | 0x400000) >>> 0;
  bits[0] = u;
  return f32[0]!;
}

/** `frames` frames of planar channels, each a subarray at an odd offset of a larger array. */
export function randomBlock(next: () => number, channels: number, frames: number): Float32Array[] {
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  return Array.from({ length: channels }, () => {
    const offset = Math.floor(next() * 5);
    const backing = new Float32Array(offset + frames + 3);
    for (let i = 0; i < frames; i++) backing[offset + i] = sample(next, bits, f32);
    return backing.subarray(offset, offset + frames);
  });
}

export function randomBlocks(seed: number, channels: number, sizes: readonly number[]): Float32Array[][] {
  const next = rng(seed);
  return sizes.map((n) => randomBlock(next, channels, n));
}

type CreateWriter = (path: string, options: WavWriterOptions) => Promise<WavWriter>;

/**
 * Write the case through `create` and return the file. `reuse` copies every block into one array per
 * channel that lives across blocks (what the CLI and the print path do); otherwise each block's own
 * subarrays are passed.
 */
export async function writeCase(create: CreateWriter, path: string, c: WriteCase, reuse: boolean): Promise<Buffer> {
  const options: WavWriterOptions = {
    sampleRate: 48000,
    channels: c.channels,
    format: c.format,
    ...(c.rf64ThresholdBytes === undefined ? {} : { rf64ThresholdBytes: c.rf64ThresholdBytes }),
    ...(c.writeBufferBytes === undefined ? {} : { writeBufferBytes: c.writeBufferBytes }),
  };
  const w = await create(path, options);
  const longest = Math.max(0, ...c.blocks.map((b) => b[0]?.length ?? 0));
  const shared = Array.from({ length: c.channels }, () => new Float32Array(longest));
  let frames = 0;
  for (const block of c.blocks) {
    const n = block[0]?.length ?? 0;
    if (reuse) block.forEach((x, ch) => shared[ch]!.set(x));
    await w.write(reuse ? shared : block, n);
    frames += n;
  }
  if (w.frames !== frames) throw new Error(`writer counted ${w.frames} frames, ${frames} were written`);
  await w.close();
  return readFile(path);
}

/** First differing byte, for a readable failure instead of a megabyte diff. */
export function firstDifference(a: Buffer, b: Buffer): string | undefined {
  if (a.equals(b)) return undefined;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `byte ${i}: ${a[i]} vs ${b[i]} (lengths ${a.length}, ${b.length})`;
  return `lengths ${a.length} vs ${b.length}`;
}
