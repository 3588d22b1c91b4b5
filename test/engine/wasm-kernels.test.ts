import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleWat, WASM_DIR, watFiles } from '../../scripts/build-wasm.ts';
import { Eq } from '../../src/engine/eq.ts';
import { Limiter } from '../../src/engine/limiter.ts';
import { SpectrumMeter } from '../../src/engine/meters/spectrum-meter.ts';
import { emptyStageReading, StageMeter, type StageReading } from '../../src/engine/meters/stage-meter.ts';
import { emptyPeakReading, TruePeakMeter, type PeakReading } from '../../src/engine/meters/true-peak-meter.ts';
import { requestedBackend, type KernelChoice } from '../../src/engine/dsp/wasm-kernel.ts';
import { compiledKernels } from '../support/compiled-kernels.ts';
import { decimatePair } from './meters/cic-pairs.ts';
import { setBand } from './support/eq-harness.ts';
import { impulse, noise, sine } from './support/signals.ts';

const BLOCK_SIZES = [1, 7, 64, 512, 4096];
const RATE = 48000;
const FRAMES = 12000;

/** A logarithmic sweep 20 Hz -> 20 kHz at -3 dBFS. */
function sweep(frames: number, sampleRate: number): Float32Array {
  const out = new Float32Array(frames);
  const k = Math.log(1000) / frames;
  let phase = 0;
  for (let i = 0; i < frames; i++) {
    phase += (2 * Math.PI * 20 * Math.exp(k * i)) / sampleRate;
    out[i] = 0.7 * Math.sin(phase);
  }
  return out;
}

const SIGNALS: Record<string, (frames?: number) => Float32Array[]> = {
  noise: (n = FRAMES) => [noise(n, 0.5, 11), noise(n, 0.5, 12)],
  sweep: (n = FRAMES) => [sweep(n, RATE), sine(n, 997, RATE, 0.9)],
  impulses: (n = FRAMES) => [impulse(n, 3), impulse(n, 4001)],
};

const WITH_NON_FINITE: Record<string, () => Float32Array[]> = {
  ...SIGNALS,
  'noise with NaN, Inf and quiet stretches': () => {
    const x = [noise(FRAMES, 0.5, 21), noise(FRAMES, 0.5, 22)];
    x[0]!.fill(0, 3000, 6000);
    x[1]!.fill(1e-4, 3000, 6000);
    x[0]![100] = Number.NaN;
    x[1]![9000] = Number.NEGATIVE_INFINITY;
    return x;
  },
};

/** Run `process` over copies of `input` in blocks of `block` frames; the processed copies. */
function blockwise(input: readonly Float32Array[], block: number, process: (bufs: Float32Array[], n: number, pos: number) => void): Float32Array[] {
  const out = input.map((x) => new Float32Array(x.length));
  const bufs = input.map(() => new Float32Array(block));
  for (let pos = 0; pos < input[0]!.length; pos += block) {
    const n = Math.min(block, input[0]!.length - pos);
    input.forEach((x, c) => bufs[c]!.set(x.subarray(pos, pos + n)));
    process(bufs, n, pos);
    bufs.forEach((b, c) => out[c]!.set(b.subarray(0, n), pos));
  }
  return out;
}

function differing(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let n = 0;
  a.forEach((x, c) => x.forEach((v, i) => (Object.is(v, b[c]![i]) ? 0 : n++)));
  return n;
}

describe('WebAssembly kernels: sources and binaries', () => {
  it('every committed .wasm is the assembly of its .wat, byte for byte', async () => {
    const files = watFiles();
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const built = await assembleWat(f, readFileSync(WASM_DIR + f, 'utf8'));
      const committed = new Uint8Array(readFileSync(WASM_DIR + f.replace(/\.wat$/, '.wasm')));
      expect(Buffer.from(built).equals(Buffer.from(committed)), f).toBe(true);
    }
  });
});

/** An 8-band EQ with varied types and slopes, every band in stereo mode (the WASM path's case). */
function busyEq(kernel: KernelChoice, maxBlock: number): Eq {
  const eq = new Eq({ id: 'eq', bands: 8, smoothingMs: 20 });
  eq.kernel = kernel;
  const bands: [number, number, number, number, number][] = [
    // type, freqHz, gainDb, q, slope
    [3, 25, 0, 0.7, 48], // 4-section high-pass
    [1, 90, 3, 0.7, 12],
    [0, 250, -4, 2, 12],
    [0, 1000, 2, 0.5, 12],
    [0, 3500, -3, 6, 12],
    [2, 9000, 2.5, 0.7, 12],
    [4, 19000, 0, 0.7, 18], // odd order low-pass
    [5, 1000, 1.5, 0.7, 12], // tilt
  ];
  bands.forEach(([type, f, g, q, slope], i) => {
    const b = i + 1;
    setBand(eq, b, 'enabled', 1);
    setBand(eq, b, 'type', type);
    setBand(eq, b, 'freqHz', f);
    setBand(eq, b, 'gainDb', g);
    setBand(eq, b, 'q', q);
    setBand(eq, b, 'slopeDbOct', slope);
  });
  eq.prepare(RATE, maxBlock, 2);
  expect(eq.backend).toBe(requestedBackend(kernel));
  return eq;
}

describe.each(compiledKernels('biquad-cascade'))('EQ: %s biquad cascade against the JS kernels', (kernel) => {
  for (const [name, make] of Object.entries(SIGNALS)) {
    it(`is bit-identical on ${name} at block sizes ${BLOCK_SIZES.join(', ')}`, () => {
      const input = make();
      const js = busyEq('js', 4096);
      const ref = blockwise(input, 4096, (bufs, n) => js.process(bufs, n));
      expect(differing(ref, input)).toBeGreaterThan(0);
      for (const block of BLOCK_SIZES) {
        const eq = busyEq(kernel, block);
        const out = blockwise(input, block, (bufs, n) => eq.process(bufs, n));
        expect(differing(out, ref), `block ${block}`).toBe(0);
      }
    });
  }

  it('stays bit-identical while parameters and stereo modes move (paths switch block by block)', () => {
    const input = SIGNALS['noise']!();
    const moves = (eq: Eq, pos: number): void => {
      if (pos === 2048) setBand(eq, 2, 'gainDb', 6); // a glide: JS path until it lands
      if (pos === 4096) setBand(eq, 3, 'mode', 1); // mid only: JS path for good
      if (pos === 8192) setBand(eq, 3, 'mode', 0);
      if (pos === 9216) setBand(eq, 1, 'enabled', 0);
    };
    const js = busyEq('js', 512);
    const ref = blockwise(input, 512, (bufs, n, pos) => {
      moves(js, pos);
      js.process(bufs, n);
    });
    const eq = busyEq(kernel, 512);
    const out = blockwise(input, 512, (bufs, n, pos) => {
      moves(eq, pos);
      eq.process(bufs, n);
    });
    expect(differing(out, ref)).toBe(0);
  });

  it('recovers from a non-finite input like the JS path', () => {
    const input = SIGNALS['noise']!();
    input[0]![5000] = Number.NaN;
    input[1]![7000] = Number.POSITIVE_INFINITY;
    const js = busyEq('js', 256);
    const ref = blockwise(input, 256, (bufs, n) => js.process(bufs, n));
    const eq = busyEq(kernel, 256);
    const out = blockwise(input, 256, (bufs, n) => eq.process(bufs, n));
    expect(differing(out, ref)).toBe(0);
    expect(eq.stateResets).toBe(js.stateResets);
    expect(eq.stateResets).toBeGreaterThan(0);
    expect(Number.isFinite(out[0]![FRAMES - 1]!)).toBe(true);
  });
});

/** Process `input` in blocks of `block` and take `read()` whenever `every` frames have gone by. */
function readEvery<T>(input: readonly Float32Array[], block: number, every: number, m: { process(c: Float32Array[], n: number): void }, read: () => T): T[] {
  const out: T[] = [];
  let sinceRead = 0;
  blockwise(input, block, (bufs, n) => {
    m.process(bufs, n);
    sinceRead += n;
    if (sinceRead >= every) {
      sinceRead = 0;
      out.push(read());
    }
  });
  return out;
}

function readings(kernel: KernelChoice, input: readonly Float32Array[], block: number, rate = RATE): PeakReading[] {
  const m = new TruePeakMeter();
  m.kernel = kernel;
  m.prepare(rate, block, 2, { trackWindow: true });
  expect(m.backend).toBe(requestedBackend(kernel));
  const read = (): PeakReading => {
    const r = emptyPeakReading();
    m.read(r);
    return r;
  };
  const out = readEvery(input, block, 1000, m, read);
  m.finish();
  return [...out, read()];
}

describe.each(compiledKernels('true-peak'))('true-peak meter: %s interpolators against the JS references', (kernel) => {
  // 44.1 and 48 kHz: the 4x ITU filter; 88.2 and 96 kHz: the 2x half-sample interpolator.
  for (const rate of [44100, 48000, 96000]) {
    for (const [name, make] of Object.entries(WITH_NON_FINITE)) {
      it(`gives the same readings to the bit at ${rate} Hz on ${name} at block sizes ${BLOCK_SIZES.join(', ')}`, () => {
        const input = make();
        for (const block of BLOCK_SIZES) {
          const ref = readings('js', input, block, rate);
          const got = readings(kernel, input, block, rate);
          expect(got, `block ${block}`).toEqual(ref);
          expect(ref.some((r) => r.truePeakSinceReadDbtp > -Infinity)).toBe(true);
        }
      });
    }
  }
});

function stageReadings(kernel: 'wasm' | 'js', input: readonly Float32Array[], block: number): (StageReading | number)[] {
  const m = new StageMeter();
  m.prepare(RATE, 2);
  m.kernel = kernel;
  const read = (): StageReading => {
    const r = emptyStageReading(2);
    m.read(r);
    return r;
  };
  const out = readEvery(input, block, 1000, m, read);
  return [...out, read(), m.nonFiniteSamples];
}

describe('stage meter: WASM levels kernel against the JS loop', () => {
  for (const [name, make] of Object.entries(WITH_NON_FINITE)) {
    it(`gives the same readings and non-finite count to the bit on ${name} at block sizes ${BLOCK_SIZES.join(', ')}`, () => {
      const input = make();
      for (const block of BLOCK_SIZES) {
        const ref = stageReadings('js', input, block);
        expect(stageReadings('wasm', input, block), `block ${block}`).toEqual(ref);
        expect(ref.some((r) => typeof r !== 'number' && r.holdDb.some((v) => v > -Infinity))).toBe(true);
      }
    });
  }
});

function spectrumReadings(kernel: 'wasm' | 'js', input: readonly Float32Array[], block: number): Float64Array[] {
  const m = new SpectrumMeter();
  m.prepare(RATE, 2);
  m.kernel = kernel;
  return readEvery(input, block, 4096, m, () => {
    const r = new Float64Array(m.bands);
    m.read(r);
    return r;
  });
}

describe('spectrum: WASM kernels against fft.js and the JS reference', () => {
  // The WASM FFT is radix 4 with fft.js's butterflies and twiddles, and the band sums add in the JS
  // order: the readings are the same to the bit, at every block size.
  for (const [name, make] of Object.entries(SIGNALS)) {
    it(`reads every band identically on ${name} at block sizes ${BLOCK_SIZES.join(', ')}`, () => {
      const input = make(RATE);
      const ref = spectrumReadings('js', input, 4096);
      expect(ref.length).toBeGreaterThan(3);
      for (const block of BLOCK_SIZES) {
        const got = spectrumReadings('wasm', input, block);
        expect(got.length).toBe(ref.length);
        got.forEach((r, k) => expect(Array.from(r), `block ${block}, read ${k}`).toEqual(Array.from(ref[k]!)));
      }
    });
  }
});

function limited(kernel: KernelChoice, input: readonly Float32Array[], block: number, moves: boolean): Float32Array[] {
  const lim = new Limiter({ id: 'limiter', smoothingMs: 20 });
  lim.setParam(0, -6); // ceiling dBTP: the test signals are limited hard
  lim.kernel = kernel;
  lim.prepare(RATE, block, 2);
  expect(lim.backend).toBe(requestedBackend(kernel));
  return blockwise(input, block, (bufs, n, pos) => {
    if (moves && pos <= 3000 && pos + n > 3000) lim.setParam(3, 6); // drive ramps
    if (moves && pos <= 7000 && pos + n > 7000) lim.setParam(0, -1); // ceiling ramps
    lim.process(bufs, n);
  });
}

describe.each(compiledKernels('limiter-detect'))('limiter: %s true-peak detector against the JS loop', (kernel) => {
  for (const [name, make] of Object.entries(WITH_NON_FINITE)) {
    it(`gives the same output to the bit on ${name} at block sizes ${BLOCK_SIZES.join(', ')}, drive and ceiling moving`, () => {
      const input = make();
      for (const block of BLOCK_SIZES) {
        const ref = limited('js', input, block, true);
        const got = limited(kernel, input, block, true);
        expect(differing(got, ref), `block ${block}`).toBe(0);
        expect(differing(ref, input)).toBeGreaterThan(0);
      }
    });
  }
});

describe('spectrum decimator: WASM CIC FIR against the JS loop', () => {
  for (const [name, make] of Object.entries(WITH_NON_FINITE)) {
    it(`gives the same decimated samples to the bit on ${name}, segments ${BLOCK_SIZES.join(', ')} (factors 8 and 3)`, () => {
      const input = make().map((x) => Float64Array.from(x, (v) => (v - v === 0 ? v : 0)));
      for (const [factor, order] of [
        [8, 5],
        [3, 4],
      ] as const) {
        for (const block of BLOCK_SIZES) {
          const run = (kernel: 'wasm' | 'js'): number[] => decimatePair(input[0]!, input[1]!, factor, order, block, kernel).flat();
          const ref = run('js');
          expect(ref.length).toBeGreaterThan((2 * FRAMES) / factor - 4);
          expect(run('wasm'), `factor ${factor}, block ${block}`).toEqual(ref);
        }
      }
    });
  }
});
