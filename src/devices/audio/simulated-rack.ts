import type { AnalogModelFactory, AnalogModelKey, AnalogSwitcherModel, AnalogUnitModel } from './analog-rack-loader.ts';

export interface RackUnit {
  /** Outboard id (`eq1`): the key of its parameters. */
  readonly id: string;
  readonly model: AnalogModelKey;
}

/**
 * The analog units patched into the simulated insert, as firmware-sim models them. When one of
 * them is an insert switcher, the others sit in its loops 1..n in the listed order and the
 * switcher's own settings (loop in/out, position, M/S, bypass) decide the signal order, exactly
 * as the front panel of the real switcher would. Without a switcher the units are in series.
 *
 * The models are stereo; a mono insert feeds the second model channel from a scratch buffer,
 * channels beyond two pass through unprocessed.
 */
export class SimulatedRack {
  readonly units: readonly RackUnit[];
  readonly #models = new Map<string, AnalogUnitModel>();
  readonly #top: AnalogUnitModel[];
  #scratch = new Float32Array(0);
  readonly #pair: Float32Array[] = [new Float32Array(0), new Float32Array(0)];

  constructor(factory: AnalogModelFactory, units: readonly RackUnit[]) {
    this.units = units;
    for (const u of units) {
      if (this.#models.has(u.id)) throw new TypeError(`simulated rack: unit ${u.id} listed twice`);
      this.#models.set(u.id, factory.create(u.model));
    }
    const switcher = units.find((u) => u.model === 'switcher');
    if (switcher) {
      const host = this.#models.get(switcher.id) as AnalogSwitcherModel;
      const guests = units.filter((u) => u !== switcher);
      if (guests.length > factory.switcherLoops) {
        throw new TypeError(`simulated rack: ${guests.length} units for a switcher with ${factory.switcherLoops} loops`);
      }
      guests.forEach((u, i) => host.setLoop(i + 1, this.#models.get(u.id)));
      this.#top = [host];
    } else {
      this.#top = units.map((u) => this.#models.get(u.id) as AnalogUnitModel);
    }
  }

  prepare(sampleRate: number, maxBlock: number): void {
    this.#scratch = new Float32Array(maxBlock);
    for (const m of this.#models.values()) m.prepare(sampleRate, maxBlock);
  }

  /** A unit's control values by front-panel name (what its firmware would apply). */
  setUnitParams(id: string, values: Readonly<Record<string, number>>): void {
    const m = this.#models.get(id);
    if (!m) throw new TypeError(`simulated rack: no unit ${id}`);
    m.setParams(values);
  }

  setAnalog(options: { noise: boolean; saturation: boolean }): void {
    for (const m of this.#models.values()) m.setAnalog(options);
  }

  reset(): void {
    for (const m of this.#models.values()) m.reset();
  }

  /** In place on the insert's channels. */
  process(channels: readonly Float32Array[], frames: number): void {
    if (this.#top.length === 0) return;
    const pair = this.#pair;
    pair[0] = channels[0] as Float32Array;
    if (channels.length > 1) {
      pair[1] = channels[1] as Float32Array;
    } else {
      const s = this.#scratch;
      const a = channels[0] as Float32Array;
      for (let i = 0; i < frames; i++) s[i] = a[i] as number;
      pair[1] = s;
    }
    for (let k = 0; k < this.#top.length; k++) (this.#top[k] as AnalogUnitModel).process(pair, frames);
  }
}
