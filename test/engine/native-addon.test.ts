import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { nativeDsp } from '../../src/engine/dsp/native-kernel.ts';
import { instantiateKernel, kernelMemory, requestedBackend, type KernelChoice, type WasmKernel } from '../../src/engine/dsp/wasm-kernel.ts';
import { compiledKernels, NATIVE_KERNELS } from '../support/compiled-kernels.ts';
import { rng } from '../support/rng.ts';

const dsp = nativeDsp();
const inCi = process.env.CI === 'true';

describe('native DSP addon: built and listed', () => {
  it.skipIf(!inCi)('is built and has every kernel under CI (npm test builds it first)', () => {
    expect(dsp.ok, dsp.ok ? '' : dsp.reason).toBe(true);
    if (dsp.ok) expect([...dsp.addon.kernels(true)].sort()).toEqual([...NATIVE_KERNELS].sort());
  });

  it('falls back to the WebAssembly kernel where asked to, or where the addon has none', () => {
    expect(instantiateKernel('biquad-cascade', 1024, kernelMemory(1024), 'wasm').backend).toBe('wasm');
    expect(instantiateKernel('spectrum', 1024, kernelMemory(1024), 'native').backend).toBe('wasm');
  });
});

type Fn = (...args: number[]) => unknown;

describe.skipIf(!dsp.ok)(`native DSP addon: calls checked like a WebAssembly trap${dsp.ok ? '' : ` (skipped: ${dsp.reason})`}`, () => {
  const make = (): { k: WasmKernel; bytes: Uint8Array } => {
    const memory = kernelMemory(65536);
    const k = instantiateKernel('biquad-cascade', 65536, memory, 'native');
    const bytes = new Uint8Array(memory.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
    return { k, bytes };
  };

  it('reports which instruction set it runs', () => {
    if (dsp.ok) expect(dsp.isa).toMatch(/x86-64|generic/);
  });

  it('throws ERR_NATIVE_KERNEL and touches nothing on an offset past the end, a negative or misaligned one', () => {
    const { k, bytes } = make();
    expect(k.backend).toBe('native');
    const before = Uint8Array.from(bytes);
    const pass = k.exports['pass'] as Fn;
    const load = k.exports['load'] as Fn;
    const cases: [string, () => unknown][] = [
      ['buffer past the end', () => pass(0, 1, 65536 - 16, 2)],
      ['sections past the end', () => pass(65536 - 112, 2, 0, 4)],
      ['negative offset', () => load(-4, 0, 64, 4)],
      ['misaligned f64 buffer', () => pass(0, 1, 1028, 4)],
      ['huge frame count', () => pass(0, 1, 0, 2 ** 40)],
    ];
    for (const [name, call] of cases) {
      let err: unknown = null;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(RangeError);
      expect((err as { code?: string }).code, name).toBe('ERR_NATIVE_KERNEL');
    }
    expect(Buffer.from(bytes).equals(Buffer.from(before))).toBe(true);
  });

  it('does nothing for zero or negative counts, as the WebAssembly kernel', () => {
    const { k, bytes } = make();
    const before = Uint8Array.from(bytes);
    (k.exports['pass'] as Fn)(0, 3, 1024, 0);
    (k.exports['pass'] as Fn)(0, 0, 1024, 64);
    (k.exports['load'] as Fn)(0, 256, 1024, -5);
    expect(Buffer.from(bytes).equals(Buffer.from(before))).toBe(true);
  });

  it('lists the vector widths of this CPU and refuses a width it does not have', () => {
    if (!dsp.ok) return;
    const widths = dsp.addon.widths();
    expect(widths[0]).toBe(2);
    expect(widths.every((w) => [2, 4, 8].includes(w))).toBe(true);
    expect(() => dsp.addon.instantiate('biquad-cascade', new ArrayBuffer(64), 3)).toThrow(/lanes/);
    expect(() => dsp.addon.instantiate('biquad-cascade', new ArrayBuffer(64), 16)).toThrow(/lanes/);
    // The kernels 'native' runs are among those built in.
    expect(dsp.addon.kernels(true)).toEqual(expect.arrayContaining(dsp.addon.kernels(false)));
  });

  it('keeps each function working after the object it came in is collected (the glue keeps only the functions)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const frames = 256;
    const setUp = (choice: KernelChoice): { pass: Fn; buf: Float64Array } => {
      const memory = kernelMemory(65536);
      const sec = new Float64Array(memory.buffer, 0, 14);
      [1.01, -0.02, 0.01, -1.9, 0.91].forEach((v, j) => sec.fill(v, 2 * j, 2 * j + 2));
      const buf = new Float64Array(memory.buffer, 1024, 2 * frames);
      buf.forEach((_, i) => (buf[i] = Math.sin(i)));
      return { pass: instantiateKernel('biquad-cascade', 65536, memory, choice).exports['pass'] as Fn, buf };
    };
    const native = setUp('native:2');
    const ref = setUp('wasm');
    // Collected, and its finalizers run (Node runs them after the collection, from the event loop).
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    // New instances take the memory a wrongly freed instance would have held.
    const others = Array.from({ length: 200 }, () => instantiateKernel('biquad-cascade', 65536, kernelMemory(65536), 'native:2'));
    native.pass(0, 1, 1024, frames);
    ref.pass(0, 1, 1024, frames);
    expect(others.length).toBe(200);
    expect(Array.from(native.buf)).toEqual(Array.from(ref.buf));
  });

  it('refuses an unknown kernel and a memory that is not an ArrayBuffer', () => {
    if (!dsp.ok) return;
    expect(() => dsp.addon.instantiate('no-such-kernel', new ArrayBuffer(64))).toThrow(/no native kernel/);
    expect(() => dsp.addon.instantiate('biquad-cascade', new Float32Array(4) as unknown as ArrayBuffer)).toThrow(/ArrayBuffer/);
  });
});

describe.each(compiledKernels('biquad-cascade').filter((k) => k !== 'wasm'))('biquad cascade: the %s wavefront against the WebAssembly passes', (width) => {
  // The native pass runs up to eight sections as a wavefront (section j on frame t - j), filling
  // and draining at each block's ends; the WebAssembly one four sections per pass, frame by frame.
  // Every section count (1-17: one to three groups, each group size) and block lengths shorter
  // and longer than the wavefront: the same memory afterwards, byte for byte.
  const SEC = 112;
  const MAX_SECTIONS = 17;
  const FRAMES = [1, 2, 3, 7, 8, 9, 64, 333];
  const bufAt = (MAX_SECTIONS + 4) * SEC;
  const bytes = bufAt + 16 * 333;

  const setUp = (choice: KernelChoice, n: number, frames: number, seed: number): { k: WasmKernel; mem: Uint8Array } => {
    const memory = kernelMemory(bytes);
    const k = instantiateKernel('biquad-cascade', bytes, memory, choice);
    expect(k.backend).toBe(requestedBackend(choice));
    const next = rng(seed);
    const sec = new Float64Array(memory.buffer, 0, (MAX_SECTIONS + 4) * 14);
    for (let s = 0; s < n; s++) {
      // A stable section: poles at radius r < 1, angle w; zeros anywhere (b0, c, d as the kernel takes them).
      const r = 0.5 + 0.49 * next();
      const w = Math.PI * next();
      const taps = [0.5 + next(), next() - 0.5, next() - 0.5, -2 * r * Math.cos(w), r * r];
      taps.forEach((v, j) => sec.fill(v, s * 14 + 2 * j, s * 14 + 2 * j + 2));
      for (let j = 10; j < 14; j++) sec[s * 14 + j] = 0.01 * (next() - 0.5);
    }
    const buf = new Float64Array(memory.buffer, bufAt, 2 * frames);
    for (let i = 0; i < buf.length; i++) buf[i] = next() - 0.5;
    buf[0] = -0; // a signed zero survives as in WebAssembly
    return { k, mem: new Uint8Array(memory.buffer, 0, bytes) };
  };

  it('gives the same output and state to the bit for 1-17 sections at block lengths 1-333', () => {
    let checked = 0;
    for (let n = 1; n <= MAX_SECTIONS; n++) {
      for (const frames of FRAMES) {
        const seed = n * 1000 + frames;
        const w = setUp('wasm', n, frames, seed);
        const nat = setUp(width, n, frames, seed);
        expect(Buffer.from(w.mem).equals(Buffer.from(nat.mem))).toBe(true);
        // Two blocks: the state carried from the first must be the same too.
        for (let block = 0; block < 2; block++) {
          for (let s = 0; s < n; s += 4) (w.k.exports['pass'] as Fn)(s * SEC, Math.min(4, n - s), bufAt, frames);
          (nat.k.exports['pass'] as Fn)(0, n, bufAt, frames);
        }
        const same = Buffer.from(w.mem).equals(Buffer.from(nat.mem));
        expect(same, `${n} sections, ${frames} frames`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(MAX_SECTIONS * FRAMES.length);
  });
});
