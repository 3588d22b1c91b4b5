import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { kernelMemory } from '../../../src/engine/dsp/wasm-kernel.ts';
import { WasmFft } from '../../../src/engine/dsp/wasm-fft.ts';
import { SpectrumMeter } from '../../../src/engine/meters/spectrum-meter.ts';
import { cicReference, decimatePair } from './cic-pairs.ts';
import { lcg, noise, sine } from './signals.ts';

// The spectrum's WebAssembly path (staging, scrub, stage buffers, CIC, window, FFT, band sums in
// one memory) does the JS reference's arithmetic in the same order, FFT included: the readings
// must be the same to the bit, whatever the block size, channel count, FFT size or input.

const RATE = 48000;

/** Values spread over many decades, both signs. */
function randomData(n: number, seed: number): Float64Array {
  const r = lcg(seed);
  return Float64Array.from({ length: n }, () => (r() - 0.5) * 10 ** (10 * r() - 5));
}

describe('WasmFft against fft.js', () => {
  it('gives the same spectrum to the bit for every size 4 .. 65536 (odd and even log2: radix-2 or radix-4 first pass)', () => {
    for (let bits = 2; bits <= 16; bits++) {
      const size = 2 ** bits;
      const ref = new FFT(size);
      const wasm = new WasmFft(size);
      for (let seed = 1; seed <= (bits <= 12 ? 4 : 1); seed++) {
        const x = randomData(2 * size, seed + 100 * bits);
        const want = new Float64Array(2 * size);
        ref.transform(want, x);
        wasm.data.set(x);
        wasm.transform();
        expect(Array.from(wasm.data), `size ${size}`).toEqual(Array.from(want));
        expect(want.some((v) => Math.abs(v) > 0)).toBe(true);
      }
    }
  });

  it('placed in a shared memory, transformReversed() of input written in bit-reversed order is the same transform', () => {
    for (const size of [256, 1024, 2048]) {
      const memory = kernelMemory(64 + WasmFft.bytes(size));
      const fft = new WasmFft(size, { memory, at: 64 });
      expect(fft.dataAt).toBe(64);
      expect(() => new WasmFft(size, { memory, at: 8 })).toThrow(RangeError);
      const x = randomData(2 * size, size);
      const want = new Float64Array(2 * size);
      new FFT(size).transform(want, x);
      const reversed = new Int32Array(memory.buffer, fft.reversedAt, size);
      const f64 = new Float64Array(memory.buffer);
      for (let n = 0; n < size; n++) {
        f64[(fft.dataAt + reversed[n]!) / 8] = x[2 * n]!;
        f64[(fft.dataAt + reversed[n]!) / 8 + 1] = x[2 * n + 1]!;
      }
      fft.transformReversed();
      expect(Array.from(fft.data), `size ${size}`).toEqual(Array.from(want));
    }
  });
});

describe('CicPairDecimator against cicFir', () => {
  it('decimates a pair in place to the bit, both kernels, factors 8 and 3, segments 1 .. 500', () => {
    const frames = 6000;
    const a = Float64Array.from(noise(frames, 0.3, 1));
    const b = Float64Array.from(noise(frames, 0.1, 2));
    for (const [factor, order] of [
      [8, 5],
      [3, 4],
    ] as const) {
      // Reference: the JS FIR over each whole channel in one call.
      const ref = [cicReference(a, factor, order), cicReference(b, factor, order)];
      expect(ref[0]!.length).toBe(Math.floor(frames / factor));
      for (const seg of [1, 7, 64, 500]) {
        for (const kernel of ['wasm', 'js'] as const) {
          const got = decimatePair(a, b, factor, order, seg, kernel);
          expect(got[0], `${kernel}, factor ${factor}, segments of ${seg}`).toEqual(ref[0]);
          expect(got[1], `${kernel}, factor ${factor}, segments of ${seg}`).toEqual(ref[1]);
        }
      }
    }
  });
});

interface Run {
  readonly channels: number;
  readonly fftSize?: number;
  readonly rate?: number;
  /** Frames per process() call, cycled. */
  readonly blocks: readonly number[];
  /** Length of the buffers handed to process() (>= every block; a host's fixed buffers). */
  readonly bufferFrames?: number;
  /** Kernel per block index (to switch while running). */
  readonly kernelAt: (block: number) => 'wasm' | 'js';
  /** Channels the host leaves out of the input array. */
  readonly missing?: number;
}

/** Band readings (dB) every ~100 ms over `input`. */
function spectrum(input: readonly Float32Array[], run: Run): number[][] {
  const m = new SpectrumMeter();
  m.prepare(run.rate ?? RATE, run.channels, run.fftSize);
  const maxBlock = Math.max(...run.blocks);
  const bufs = input.slice(0, run.channels - (run.missing ?? 0)).map(() => new Float32Array(run.bufferFrames ?? maxBlock));
  const out: number[][] = [];
  const db = new Float64Array(m.bands);
  const every = 4800;
  let k = 0;
  for (let pos = 0; pos < input[0]!.length; k++) {
    // Blocks end at the reads, so the readings do not depend on the block sizes.
    const n = Math.min(run.blocks[k % run.blocks.length]!, input[0]!.length - pos, every - (pos % every));
    bufs.forEach((b, c) => b.set(input[c]!.subarray(pos, pos + n)));
    m.kernel = run.kernelAt(k);
    m.process(bufs, n);
    pos += n;
    if (pos % every === 0) {
      m.read(db);
      out.push(Array.from(db));
    }
  }
  return out;
}

const js = (): 'js' => 'js';
const wasm = (): 'wasm' => 'wasm';

function signals(channels: number, frames: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => {
    const x = c % 2 === 0 ? noise(frames, 0.2, 7 + c) : sine(RATE, frames / RATE, 97 * (c + 1), 0.5);
    return x.subarray(0, frames);
  });
}

/** Readings that went somewhere: not all silent, not all equal. */
function expectLive(r: readonly number[][]): void {
  expect(r.length).toBeGreaterThan(3);
  const flat = r.flat();
  expect(flat.some((v) => v > -60)).toBe(true);
  expect(new Set(flat).size).toBeGreaterThan(20);
}

describe('SpectrumMeter: WASM against the JS reference', () => {
  it('reads the same to the bit, stereo, blocks 1 / 7 / 64 / 512 / 4096 / 9000 (longer than the staging)', () => {
    const input = signals(2, RATE);
    const ref = spectrum(input, { channels: 2, blocks: [4096], kernelAt: js });
    expectLive(ref);
    for (const block of [1, 7, 64, 512, 4096, 9000]) {
      expect(spectrum(input, { channels: 2, blocks: [block], kernelAt: wasm }), `block ${block}`).toEqual(ref);
    }
  });

  it('reads the same to the bit for 1, 3 and 6 channels, and with a channel missing from the input', () => {
    for (const channels of [1, 3, 6]) {
      const input = signals(channels, RATE / 2);
      const ref = spectrum(input, { channels, blocks: [480], kernelAt: js });
      expectLive(ref);
      expect(spectrum(input, { channels, blocks: [100, 333], kernelAt: wasm }), `${channels} channels`).toEqual(ref);
    }
    const input = signals(3, RATE / 2);
    const ref = spectrum(input, { channels: 3, blocks: [480], kernelAt: js, missing: 1 });
    expect(spectrum(input, { channels: 3, blocks: [256], kernelAt: wasm, missing: 1 })).toEqual(ref);
    expect(ref).not.toEqual(spectrum(input, { channels: 3, blocks: [480], kernelAt: js }));
  });

  it('reads the same to the bit at other FFT sizes and rates (one stage only, other decimations)', () => {
    const cases = [
      { rate: 48000, fftSize: 256 }, // one full-rate stage
      { rate: 48000, fftSize: 1024 }, // decimation by 4
      { rate: 44100, fftSize: 8192 },
      { rate: 96000, fftSize: 16384 },
    ];
    for (const { rate, fftSize } of cases) {
      const input = [noise(rate / 2, 0.2, 3), noise(rate / 2, 0.05, 4)];
      const ref = spectrum(input, { channels: 2, rate, fftSize, blocks: [512], kernelAt: js });
      expectLive(ref);
      expect(spectrum(input, { channels: 2, rate, fftSize, blocks: [77, 1000], kernelAt: wasm }), `${rate} Hz, FFT ${fftSize}`).toEqual(ref);
    }
  });

  it('scrubs NaN and Inf as the JS loop does, and host buffers longer than the block are fine', () => {
    const input = signals(2, RATE / 2);
    input[0]![100] = Number.NaN;
    input[1]![5000] = Number.POSITIVE_INFINITY;
    input[0]![9001] = Number.NEGATIVE_INFINITY;
    input[1]!.fill(-0, 12000, 13000);
    const ref = spectrum(input, { channels: 2, blocks: [4096], kernelAt: js });
    expectLive(ref);
    expect(ref.flat().every((v) => !Number.isNaN(v))).toBe(true);
    for (const bufferFrames of [4096, 8192, 16384]) {
      expect(spectrum(input, { channels: 2, blocks: [1000, 3], bufferFrames, kernelAt: wasm }), `buffers of ${bufferFrames}`).toEqual(ref);
    }
  });

  it('switches kernels while running without losing its state (both work on the same buffers)', () => {
    const input = signals(2, RATE);
    const ref = spectrum(input, { channels: 2, blocks: [300], kernelAt: js });
    const alternating = spectrum(input, { channels: 2, blocks: [300], kernelAt: (k) => (k % 3 === 0 ? 'js' : 'wasm') });
    expect(alternating).toEqual(ref);
  });
});
