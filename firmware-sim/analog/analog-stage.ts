/**
 * What makes a unit sound like hardware rather than arithmetic: a noise floor and gentle saturation
 * of its line amplifiers. Both switch off for null tests.
 */
export class AnalogStage {
  noise = true;
  saturation = true;
  readonly #noiseAmp: number;
  /** Linear headroom above 0 dBFS where the amplifier's soft clipping bends the signal. */
  readonly #headroom: number;
  #seed: number;

  constructor(options: { noiseDbfs?: number; headroomDb?: number; seed?: number } = {}) {
    // Uniform noise in [-a, a] has RMS a / sqrt(3).
    this.#noiseAmp = Math.pow(10, (options.noiseDbfs ?? -110) / 20) * Math.sqrt(3);
    this.#headroom = Math.pow(10, (options.headroomDb ?? 12) / 20);
    this.#seed = (options.seed ?? 0x9e3779b9) >>> 0 || 1;
  }

  /** Process `frames` samples of `buf` starting at `offset`, in place. */
  process(buf: Float32Array | Float64Array, frames: number, offset = 0): void {
    const h = this.#headroom;
    const n = this.#noiseAmp;
    let s = this.#seed;
    const end = offset + frames;
    for (let i = offset; i < end; i++) {
      let x = buf[i] as number;
      if (this.saturation) {
        // Pade approximant of tanh, exact enough below the clip point and odd-symmetric.
        const u = x / h;
        const v = u > 3 ? 3 : u < -3 ? -3 : u;
        x = (h * v * (27 + v * v)) / (27 + 9 * v * v);
      }
      if (this.noise) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        x += n * ((s >>> 0) / 2147483648 - 1);
      }
      buf[i] = x;
    }
    this.#seed = s;
  }
}

/** The model's `setAnalog`: noise and saturation on or off in every stage of a unit. */
export function setAnalogStages(stages: readonly AnalogStage[], options: { readonly noise: boolean; readonly saturation: boolean }): void {
  for (const s of stages) {
    s.noise = options.noise;
    s.saturation = options.saturation;
  }
}
