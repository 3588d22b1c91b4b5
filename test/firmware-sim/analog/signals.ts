/** Test signals and measurements for the analog models. */
export function sine(freqHz: number, frames: number, fs: number, amp: number): Float32Array {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = amp * Math.sin((2 * Math.PI * freqHz * i) / fs);
  return out;
}

export function stereo(l: Float32Array, r: Float32Array): [Float32Array, Float32Array] {
  return [Float32Array.from(l), Float32Array.from(r)];
}

export function rms(buf: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (buf[i] as number) ** 2;
  return Math.sqrt(s / (to - from));
}
