/**
 * Decimation by `factor` with a CIC response (a boxcar of `factor` samples convolved `order` times),
 * computed as a plain FIR at the output rate: no recursive integrators, so no floating-point drift.
 * Its zeros sit on every multiple of the output rate, exactly where the content that would alias
 * onto low frequencies comes from; for the spectrum's low stage (bands under ~600 Hz, decimation by
 * 8 at 48 kHz, order 5) the aliases are below -75 dB. The passband droop is known exactly
 * (`cicPowerGain`) and divided out by the analyser. The spectrum meter runs the FIR in place on
 * channel pairs in its WebAssembly memory (cic-pair-decimator.ts); cicFir is its JS reference.
 */

/**
 * The JS FIR (the reference of the WASM kernel, wasm/cic-fir.wat decimatePairs): outputs for the windows of
 * taps.length samples starting at h[at + stride k], k = k0, k0 + factor, ... < n (the last input
 * of a window is h[at + stride (k + taps.length - 1)]), to out[outAt + outStride m]. Returns their
 * count. The taps are symmetric: the window is folded around its centre (half the multiplies, and
 * no reversal needed), with two accumulators to overlap the additions.
 */
export function cicFir(h: Float64Array, at: number, stride: number, taps: Float64Array, k0: number, n: number, factor: number, out: Float64Array, outAt: number, outStride: number): number {
  const keep = taps.length - 1;
  const half = taps.length >> 1;
  const odd = (taps.length & 1) === 1;
  let m = 0;
  for (let k = k0; k < n; k += factor) {
    const lo = at + stride * k;
    const top = lo + stride * keep;
    let y0 = 0;
    let y1 = 0;
    let j = 0;
    for (; j + 1 < half; j += 2) {
      y0 += taps[j]! * (h[lo + stride * j]! + h[top - stride * j]!);
      y1 += taps[j + 1]! * (h[lo + stride * (j + 1)]! + h[top - stride * (j + 1)]!);
    }
    if (j < half) y0 += taps[j]! * (h[lo + stride * j]! + h[top - stride * j]!);
    if (odd) y1 += taps[half]! * h[lo + stride * half]!;
    out[outAt + outStride * m++] = y0 + y1;
  }
  return m;
}

/** The FIR of a CIC decimator: a boxcar of `factor` ones convolved `order` times, unity gain at DC. */
export function cicTaps(factor: number, order: number): Float64Array {
  let taps = [1];
  for (let o = 0; o < order; o++) {
    const next = new Array<number>(taps.length + factor - 1).fill(0);
    for (let i = 0; i < taps.length; i++) for (let j = 0; j < factor; j++) next[i + j]! += taps[i]!;
    taps = next;
  }
  const norm = factor ** order;
  return Float64Array.from(taps, (t) => t / norm);
}

/** |H(f)|^2 of `cicTaps(factor, order)` at `hz` (input rate `sampleRate`). */
export function cicPowerGain(hz: number, sampleRate: number, factor: number, order: number): number {
  const x = (Math.PI * hz) / sampleRate;
  if (Math.abs(Math.sin(x)) < 1e-12) return 1;
  const a = Math.sin(factor * x) / (factor * Math.sin(x));
  return a ** (2 * order);
}
