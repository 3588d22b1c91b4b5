import { describe, expect, it } from 'vitest';
import { emptyLoudnessReading, LoudnessMeter, type LoudnessReading } from '../../../src/engine/meters/loudness-meter.ts';
import { requestedBackend, type KernelChoice } from '../../../src/engine/dsp/wasm-kernel.ts';
import { compiledKernels } from '../../support/compiled-kernels.ts';
import { impulse, noise, sine } from '../support/signals.ts';

const RATE = 48000;
/** 4.5 s: past the first 3 s window, so short-term, integrated and LRA all have values. */
const FRAMES = 216_000;
const BLOCK_SIZES = [1, 7, 64, 512, 4096];
const FIELDS = [
  'momentaryLufs',
  'shortTermLufs',
  'momentaryMaxSinceReadLufs',
  'shortTermMaxSinceReadLufs',
  'momentaryMaxLufs',
  'shortTermMaxLufs',
  'integratedLufs',
  'loudnessRangeLu',
] as const satisfies readonly (keyof LoudnessReading)[];

/** A logarithmic sweep 20 Hz -> 20 kHz at -3 dBFS. */
function sweep(frames: number): Float32Array {
  const out = new Float32Array(frames);
  const k = Math.log(1000) / frames;
  let phase = 0;
  for (let i = 0; i < frames; i++) {
    phase += (2 * Math.PI * 20 * Math.exp(k * i)) / RATE;
    out[i] = 0.7 * Math.sin(phase);
  }
  return out;
}

/**
 * Bursts of 1 kHz tone and noise, 10 to 700 ms long at -75 ... -6 dBFS, starting off the 100 ms grid,
 * with silence between: the gates, the maxima and the resync all have something to do.
 */
function bursts(frames: number, seed: number): Float32Array {
  const out = new Float32Array(frames);
  const n = noise(frames, 1, seed);
  let at = 1234;
  let k = 0;
  while (at < frames) {
    const len = Math.min(frames - at, 480 + ((k * 7919) % 33_120));
    const amp = 10 ** ((-75 + ((k * 13) % 70)) / 20);
    for (let i = 0; i < len; i++) out[at + i] = k % 2 === 0 ? amp * Math.sin((2 * Math.PI * 1000 * i) / RATE) : amp * n[at + i]!;
    at += len + 3001 + ((k * 4271) % 20_000);
    k++;
  }
  return out;
}

/** Noise with NaN, +-Inf, a stretch of f32 denormals and one of silence (the flush and resync paths). */
function nonFinite(seed: number, left: boolean): Float32Array {
  const x = noise(FRAMES, 0.3, seed);
  x.fill(1e-40, 50_000, 60_000);
  x.fill(0, 100_000, 150_000);
  const hits = left ? [0, 1, 4095, 4096, 77_777, 150_001, FRAMES - 1] : [3, 5000, 5001, 99_999, 160_000];
  hits.forEach((i, n) => (x[i] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][n % 3]!));
  return x;
}

const SIGNALS: Record<string, () => Float32Array[]> = {
  noise: () => [noise(FRAMES, 0.5, 11), noise(FRAMES, 0.5, 12)],
  sweep: () => [sweep(FRAMES), sine(FRAMES, 997, RATE, 0.9)],
  bursts: () => [bursts(FRAMES, 3), bursts(FRAMES, 4)],
  'NaN and Inf': () => [nonFinite(21, true), nonFinite(22, false)],
};

interface Lockstep {
  /** Reads whose fields were not all identical (Object.is), and the first of them. */
  mismatches: number;
  first: string;
  reads: number;
  last: LoudnessReading;
}

/**
 * Feed `input` to both meters in blocks of `block` frames (from caller arrays of exactly that length,
 * as an audio host does), read both after every block, and compare every field of every reading.
 */
function lockstep(a: LoudnessMeter, b: LoudnessMeter, input: readonly Float32Array[], block: number, bufferFrames = block): Lockstep {
  const ra = emptyLoudnessReading();
  const rb = emptyLoudnessReading();
  const bufs = input.map(() => new Float32Array(bufferFrames));
  const out: Lockstep = { mismatches: 0, first: '', reads: 0, last: ra };
  const total = input[0]!.length;
  for (let pos = 0; pos < total; pos += block) {
    const n = Math.min(block, total - pos);
    input.forEach((x, c) => bufs[c]!.set(x.subarray(pos, pos + n)));
    a.process(bufs, n);
    b.process(bufs, n);
    a.read(ra);
    b.read(rb);
    out.reads++;
    const bad = FIELDS.filter((f) => !Object.is(ra[f], rb[f]));
    if (bad.length > 0 && out.mismatches++ === 0) out.first = `at frame ${pos + n}: ${bad.map((f) => `${f} ${ra[f]} vs ${rb[f]}`).join(', ')}`;
  }
  return out;
}

function meter(kernel: KernelChoice, maxBlock: number, channels: number): LoudnessMeter {
  const m = new LoudnessMeter();
  m.kernel = kernel;
  m.prepare(RATE, maxBlock, channels);
  expect(m.backend).toBe(requestedBackend(kernel));
  return m;
}

describe.each(compiledKernels('loudness-k'))('loudness meter: %s kernel against the JS reference', (kernel) => {
  for (const [name, make] of Object.entries(SIGNALS)) {
    it(`reads the same to the bit on ${name} at block sizes ${BLOCK_SIZES.join(', ')}`, () => {
      const input = make();
      for (const block of BLOCK_SIZES) {
        const js = meter('js', block, 2);
        const wasm = meter(kernel, block, 2);
        const r = lockstep(js, wasm, input, block);
        expect(r.mismatches, `block ${block}: ${r.first}`).toBe(0);
        expect(r.reads).toBe(Math.ceil(FRAMES / block));
        expect(wasm.nonFiniteSamples, `block ${block}`).toBe(js.nonFiniteSamples);
        expect(wasm.processedFrames).toBe(FRAMES);
        // Not a comparison of two silent meters.
        expect(Number.isFinite(r.last.integratedLufs)).toBe(true);
        expect(Number.isFinite(r.last.shortTermMaxLufs)).toBe(true);
      }
    });
  }

  it('counts NaN and Inf per channel the same way (and there are some)', () => {
    const input = SIGNALS['NaN and Inf']!();
    const js = meter('js', 512, 2);
    const wasm = meter(kernel, 512, 2);
    lockstep(js, wasm, input, 512);
    expect(js.nonFiniteSamples).toBe(12);
    expect(wasm.nonFiniteSamples).toBe(12);
  });

  it('is identical where LRA and both gates have real work (12 s of 2 s steps from -80 to -10 dBFS)', () => {
    const levels = [-20, -35, -10, -80, -28, -45];
    const steps = (seed: number): Float32Array => {
      const x = noise(12 * RATE, 1, seed);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! * 10 ** (levels[Math.floor(i / (2 * RATE))]! / 20);
      return x;
    };
    for (const block of [7, 4096]) {
      const js = meter('js', block, 2);
      const wasm = meter(kernel, block, 2);
      const r = lockstep(js, wasm, [steps(31), steps(32)], block);
      expect(r.mismatches, r.first).toBe(0);
      expect(r.last.loudnessRangeLu).toBeGreaterThan(10);
    }
  });

  it('is identical for mono, for a channel the caller did not pass, and for 5.1 (extra channels filtered in JS)', () => {
    const [l, r] = SIGNALS['NaN and Inf']!();
    const cases: [string, number, Float32Array[]][] = [
      ['mono', 1, [l!]],
      ['stereo meter fed one channel', 2, [l!]],
      ['5.1', 6, [l!, r!, bursts(FRAMES, 5), impulse(FRAMES, 777), noise(FRAMES, 0.2, 6), sweep(FRAMES)]],
    ];
    for (const [name, channels, input] of cases) {
      for (const block of [7, 4096]) {
        const js = meter('js', block, channels);
        const wasm = meter(kernel, block, channels);
        const res = lockstep(js, wasm, input, block);
        expect(res.mismatches, `${name}, block ${block}: ${res.first}`).toBe(0);
        expect(wasm.nonFiniteSamples, name).toBe(js.nonFiniteSamples);
        expect(js.nonFiniteSamples, name).toBeGreaterThan(0);
      }
    }
  });

  it('is identical when blocks exceed the kernel chunk, exceed maxBlock, or sit in longer caller arrays', () => {
    const input = SIGNALS['bursts']!();
    // maxBlock 20000: the kernel runs 8192-frame chunks; 6 channels: with the other channels' power.
    for (const channels of [2, 6]) {
      const x = Array.from({ length: channels }, (_, c) => input[c % 2]!);
      const res = lockstep(meter('js', 20_000, channels), meter(kernel, 20_000, channels), x, 20_000);
      expect(res.mismatches, `${channels} channels: ${res.first}`).toBe(0);
    }
    // Blocks of 3000 into meters prepared for 1000 (split by process()), from 5000-frame arrays.
    const res = lockstep(meter('js', 1000, 2), meter(kernel, 1000, 2), input, 3000, 5000);
    expect(res.mismatches, res.first).toBe(0);
  });

  it('can switch kernel between blocks: the state is shared', () => {
    const input = SIGNALS['noise']!();
    const ref = meter('js', 512, 2);
    const mixed = meter(kernel, 512, 2);
    const ra = emptyLoudnessReading();
    const rb = emptyLoudnessReading();
    let mismatches = 0;
    for (let pos = 0, k = 0; pos < FRAMES; pos += 512, k++) {
      const n = Math.min(512, FRAMES - pos);
      const block = input.map((x) => x.slice(pos, pos + n));
      mixed.kernel = k % 3 === 0 ? 'js' : kernel;
      ref.process(block, n);
      mixed.process(block, n);
      ref.read(ra);
      mixed.read(rb);
      if (FIELDS.some((f) => !Object.is(ra[f], rb[f]))) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(Number.isFinite(ra.integratedLufs)).toBe(true);
  });
});
