import { cicFir, cicTaps } from '../../../src/engine/meters/cic-decimator.ts';
import { CicPairDecimator } from '../../../src/engine/meters/cic-pair-decimator.ts';
import { SpectrumLayout } from '../../../src/engine/meters/spectrum-kernels.ts';

/** cicFir over the whole of `x` from zero history, in one call: the reference of the decimator. */
export function cicReference(x: Float64Array, factor: number, order: number): number[] {
  const taps = cicTaps(factor, order);
  const h = new Float64Array(taps.length - 1 + x.length);
  h.set(x, taps.length - 1);
  const out = new Float64Array(x.length);
  const m = cicFir(h, 0, 1, taps, factor - 1, x.length, factor, out, 0, 1);
  return Array.from(out.subarray(0, m));
}

/**
 * The spectrum meter's pair decimator over channels `a` and `b` (the same length) fed in segments of
 * `seg` (cycled), with `kernel`: the decimated lanes.
 */
export function decimatePair(a: Float64Array, b: Float64Array, factor: number, order: number, seg: number, kernel: 'wasm' | 'js'): [number[], number[]] {
  const frames = a.length;
  const layout = new SpectrumLayout();
  const dec = new CicPairDecimator();
  dec.prepare(factor, order, layout);
  // Input pairs after `history` zeros, outputs after them: all in the kernels' memory.
  const inAt = layout.reserve(16 * (dec.history + frames));
  const outAt = layout.reserve(16 * frames);
  const k = layout.open();
  dec.bind(k);
  dec.kernel = kernel;
  for (let i = 0; i < frames; i++) {
    k.f64[inAt / 8 + 2 * (dec.history + i)] = a[i]!;
    k.f64[inAt / 8 + 2 * (dec.history + i) + 1] = b[i]!;
  }
  let m = 0;
  for (let pos = 0; pos < frames; pos += seg) {
    const n = Math.min(seg, frames - pos);
    m += dec.process(inAt + 16 * (dec.history + pos), n, outAt + 16 * m);
    dec.advance(n);
  }
  const lane = (l: number): number[] => Array.from({ length: m }, (_, j) => k.f64[outAt / 8 + 2 * j + l]!);
  return [lane(0), lane(1)];
}
