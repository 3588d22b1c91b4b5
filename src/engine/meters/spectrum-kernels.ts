import { instantiateKernel, kernelMemory, type WasmMemory } from '../dsp/wasm-kernel.ts';

/** wasm/spectrum.wat ingest: n frames of Float32 channels at a and b -> (a, b) f64 pairs at dst. */
export type IngestKernel = (a: number, b: number, n: number, dst: number) => void;
/** wasm/spectrum.wat window: n pairs at src times the (w, w) pairs at win, to dst + perm[k]. */
export type WindowKernel = (src: number, win: number, perm: number, dst: number, n: number) => void;
/** wasm/spectrum.wat bandPowers: per band, power += 0.5 sum w (|Z_k|^2 + |Z_(N-k)|^2). */
export type BandPowersKernel = (spec: number, bins: number, counts: number, bands: number, power: number) => void;
/** wasm/cic-fir.wat decimatePairs; returns the outputs written. */
export type DecimatePairsKernel = (h: number, taps: number, half: number, odd: number, keep: number, k0: number, n: number, factor: number, out: number) => number;

/**
 * The memory a spectrum meter's kernels share (staging, stage buffers, tables, FFTs) with the
 * views on it and the kernels' exports. The memory never grows, so the views stay valid. Addresses
 * are in bytes; the JS reference code indexes the same data through the views (address / 8 for
 * `f64`, / 4 for `f32` and `i32`).
 */
export interface SpectrumKernels {
  readonly memory: WasmMemory;
  readonly f64: Float64Array;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly ingest: IngestKernel;
  readonly window: WindowKernel;
  readonly bandPowers: BandPowersKernel;
  readonly decimatePairs: DecimatePairsKernel;
}

/**
 * Lays out one spectrum meter's memory at prepare time: every part reserves its bytes (reserve()
 * returns the address), then open() creates the memory and instantiates the kernels on it.
 */
export class SpectrumLayout {
  #bytes = 0;
  #opened = false;

  get bytes(): number {
    return this.#bytes;
  }

  /** `bytes` bytes at a 16-byte aligned address (SIMD loads of f64 pairs stay aligned). */
  reserve(bytes: number): number {
    if (this.#opened) throw new Error('spectrum layout: reserve() after open()');
    const at = this.#bytes;
    this.#bytes += Math.ceil(bytes / 16) * 16;
    return at;
  }

  open(): SpectrumKernels {
    this.#opened = true;
    const memory = kernelMemory(this.#bytes);
    const spectrum = instantiateKernel('spectrum', this.#bytes, memory).exports;
    const cic = instantiateKernel('cic-fir', this.#bytes, memory).exports;
    return {
      memory,
      f64: new Float64Array(memory.buffer),
      f32: new Float32Array(memory.buffer),
      i32: new Int32Array(memory.buffer),
      ingest: spectrum['ingest'] as IngestKernel,
      window: spectrum['window'] as WindowKernel,
      bandPowers: spectrum['bandPowers'] as BandPowersKernel,
      decimatePairs: cic['decimatePairs'] as DecimatePairsKernel,
    };
  }
}
