import { AnalogStage, setAnalogStages } from './analog-stage.ts';
import type { AnalogModel } from './analog-model.ts';
import { Biquad } from './biquad.ts';

const SECTIONS = 4;

/**
 * HB-PEQ1 audio: a passive program EQ in the Pultec style. Low boost and low attenuation are shelves
 * at the same switch frequency (boosting and cutting together gives the famous shelf-with-a-dip), the
 * high boost is a bell whose bandwidth knob runs from sharp (1) to broad (10), the high attenuation a
 * shelf. The make-up amplifier restores the passive network's insertion loss, so flat is unity.
 */
export class PassiveModel implements AnalogModel {
  #fs = 48000;
  #maxBlock = 0;
  readonly #filters: Biquad[][] = [0, 1].map(() => Array.from({ length: SECTIONS }, () => new Biquad(1)));
  readonly #stages = [new AnalogStage({ seed: 41, noiseDbfs: -104 }), new AnalogStage({ seed: 43, noiseDbfs: -104 })];
  #work = new Float64Array(0);
  #in = true;
  #values: Readonly<Record<string, number>> = {};

  prepare(sampleRate: number, maxBlock: number): void {
    this.#fs = sampleRate;
    this.#maxBlock = maxBlock;
    this.#work = new Float64Array(maxBlock);
    this.setParams(this.#values);
    this.reset();
  }

  reset(): void {
    for (const ch of this.#filters) for (const f of ch) f.reset();
  }

  setAnalog(options: { noise: boolean; saturation: boolean }): void {
    setAnalogStages(this.#stages, options);
  }

  setParams(values: Readonly<Record<string, number>>): void {
    this.#values = values;
    const fs = this.#fs;
    this.#in = (values.in ?? 1) === 1;
    const lowHz = values.lowFreqHz ?? 30;
    const bandwidth = values.highBandwidth ?? 5;
    // Bandwidth 1..10 -> Q 3..0.35 (geometric).
    const q = 3 * Math.pow(0.35 / 3, (bandwidth - 1) / 9);
    for (const f of this.#filters) {
      (f[0] as Biquad).lowShelf(fs, lowHz, values.lowBoostDb ?? 0);
      // The attenuation network acts a little higher up than the boost: the dip above the bump.
      (f[1] as Biquad).lowShelf(fs, lowHz * 1.5, -(values.lowAttenDb ?? 0));
      (f[2] as Biquad).peaking(fs, values.highFreqHz ?? 8000, q, values.highBoostDb ?? 0);
      (f[3] as Biquad).highShelf(fs, values.highAttenFreqHz ?? 10000, -(values.highAttenDb ?? 0));
    }
  }

  magnitudeDb(freqHz: number): number {
    let sum = 0;
    for (const f of this.#filters[0] as Biquad[]) sum += f.magnitudeDb(this.#fs, freqHz);
    return sum;
  }

  process(channels: readonly Float32Array[], frames: number): void {
    if (this.#maxBlock === 0 || !this.#in) return;
    const w = this.#work;
    for (let c = 0; c < 2; c++) {
      const buf = channels[c] as Float32Array;
      const f = this.#filters[c] as Biquad[];
      for (let off = 0; off < frames; off += this.#maxBlock) {
        const n = Math.min(this.#maxBlock, frames - off);
        for (let i = 0; i < n; i++) w[i] = buf[off + i] as number;
        for (let s = 0; s < SECTIONS; s++) (f[s] as Biquad).process(w, 0, n);
        (this.#stages[c] as AnalogStage).process(w, n);
        for (let i = 0; i < n; i++) buf[off + i] = w[i] as number;
      }
    }
  }
}
