import { describe, expect, it } from 'vitest';
import { Compressor } from '../../src/engine/compressor.ts';
import { Eq } from '../../src/engine/eq.ts';
import { Limiter } from '../../src/engine/limiter.ts';
import { SpectrumMeter } from '../../src/engine/meters/spectrum-meter.ts';
import { StageMeter } from '../../src/engine/meters/stage-meter.ts';
import { TruePeakMeter } from '../../src/engine/meters/true-peak-meter.ts';
import { requestedBackend } from '../../src/engine/dsp/wasm-kernel.ts';
import { compiledKernels } from '../support/compiled-kernels.ts';
import { allocatedBytes } from '../support/heap.ts';
import { setBand } from './support/eq-harness.ts';
import { setByName } from './support/run.ts';
import { noise } from './support/signals.ts';

// In a file of their own: the bit-exactness tests drive the same code through many block sizes
// and both kernels, and code the JIT gave up optimising boxes doubles, which is not what runs in
// the worker. 20000 blocks: an allocation per block would be >= 320 KB; the JIT's one-offs on a
// loaded machine stay well under the limit (measured 0.3-75 KB).
const BLOCKS = 20000;
const LIMIT_BYTES = 128 * 1024;
const B = 256;

interface Processes {
  readonly kernel: string;
  process(channels: Float32Array[], frames: number): void;
}

/** Heap growth over BLOCKS blocks of stereo noise (refreshed each block: processors work in place). */
function growth(p: Processes, amplitude = 0.5): number {
  expect(p.kernel).not.toBe('js');
  const src = [noise(B, amplitude, 1), noise(B, amplitude, 2)];
  const bufs = [new Float32Array(B), new Float32Array(B)];
  return allocatedBytes(
    () => {
      for (let b = 0; b < BLOCKS; b++) {
        bufs[0]!.set(src[0]!);
        bufs[1]!.set(src[1]!);
        p.process(bufs, B);
      }
    },
    { rounds: 6 },
  );
}

describe('WASM and native kernel paths allocate nothing per block', () => {
  it.each(compiledKernels('biquad-cascade'))('EQ (8 stereo bands through the %s cascade)', (kernel) => {
    const eq = new Eq({ id: 'eq', bands: 8, smoothingMs: 20 });
    eq.kernel = kernel;
    for (let b = 1; b <= 8; b++) {
      setBand(eq, b, 'enabled', 1);
      setBand(eq, b, 'type', 0);
      setBand(eq, b, 'freqHz', 60 * 2 ** b);
      setBand(eq, b, 'gainDb', b % 2 === 0 ? 2 : -2);
    }
    eq.prepare(48000, B, 2);
    expect(eq.backend).toBe(requestedBackend(kernel));
    expect(growth(eq)).toBeLessThan(LIMIT_BYTES);
  });

  it.each(compiledKernels('true-peak'))('true-peak meter (%s 4x interpolator)', (kernel) => {
    const m = new TruePeakMeter();
    m.kernel = kernel;
    m.prepare(48000, B, 2, { trackWindow: true });
    expect(m.backend).toBe(requestedBackend(kernel));
    expect(growth(m)).toBeLessThan(LIMIT_BYTES);
  });

  it('stage meter (WASM levels kernel)', () => {
    const m = new StageMeter();
    m.prepare(48000, 2);
    expect(growth(m)).toBeLessThan(LIMIT_BYTES);
  });

  it('spectrum (WASM FFT and decimator)', () => {
    const m = new SpectrumMeter();
    m.prepare(48000, 2);
    expect(growth(m)).toBeLessThan(LIMIT_BYTES);
  });

  it.each(compiledKernels('limiter-detect'))('limiter (%s true-peak detector), limiting', (kernel) => {
    const lim = new Limiter({ id: 'limiter', smoothingMs: 20 });
    lim.kernel = kernel;
    lim.setParam(0, -6);
    lim.prepare(48000, B, 2);
    expect(lim.backend).toBe(requestedBackend(kernel));
    expect(growth(lim, 0.9)).toBeLessThan(LIMIT_BYTES);
  });

  it.each(compiledKernels('compressor-linked'))('compressor (%s linked stereo kernel), compressing', (kernel) => {
    const c = new Compressor({ id: 'comp', smoothingMs: 20 });
    c.kernel = kernel;
    setByName(c, 'thresholdDb', -30);
    setByName(c, 'ratio', 4);
    setByName(c, 'kneeDb', 6);
    c.prepare(48000, B, 2);
    expect(c.backend).toBe(requestedBackend(kernel));
    expect(growth(c, 0.9)).toBeLessThan(LIMIT_BYTES);
    expect(c.gainReductionDb).toBeGreaterThan(6);
  });
});
