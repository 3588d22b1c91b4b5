/**
 * The one place src/ reaches into firmware-sim: the simulated loop loads firmware-sim's analog
 * audio models by path at runtime, the way the daemon spawns firmware-sim units. firmware-sim
 * shares no code with src/ at build time, so the shapes below are declared here, structurally.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BridgeError } from '../../errors.ts';

export type AnalogModelKey = 'eq' | 'comp' | 'switcher' | 'passive';

/** firmware-sim/analog/analog-model.ts `AnalogModel`, as seen from here. */
export interface AnalogUnitModel {
  prepare(sampleRate: number, maxBlock: number): void;
  setParams(values: Readonly<Record<string, number>>): void;
  process(channels: readonly Float32Array[], frames: number): void;
  reset(): void;
  setAnalog(options: { noise: boolean; saturation: boolean }): void;
}

/** The insert switcher's model also hosts other processors in its loops (1-based). */
export interface AnalogSwitcherModel extends AnalogUnitModel {
  setLoop(n: number, processor: { process(channels: readonly Float32Array[], frames: number): void } | undefined): void;
}

export interface AnalogModelFactory {
  create(key: AnalogModelKey): AnalogUnitModel;
  /** How many loops the switcher has. */
  readonly switcherLoops: number;
}

const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../firmware-sim');

/**
 * Load firmware-sim's analog models. `firmwareSimRoot` defaults to the firmware-sim folder of this
 * checkout. Rejects with E_AUDIO_BACKEND and a one-line reason when they cannot be loaded.
 */
export async function loadAnalogModels(firmwareSimRoot: string = DEFAULT_ROOT): Promise<AnalogModelFactory> {
  const factoryFile = path.join(firmwareSimRoot, 'analog', 'create-analog-model.ts');
  const switcherFile = path.join(firmwareSimRoot, 'analog', 'switcher-model.ts');
  try {
    const factory = (await import(pathToFileURL(factoryFile).href)) as { createAnalogModel?: (key: AnalogModelKey) => AnalogUnitModel };
    const switcher = (await import(pathToFileURL(switcherFile).href)) as { LOOPS?: number };
    const create = factory.createAnalogModel;
    if (typeof create !== 'function') throw new Error(`${factoryFile} has no createAnalogModel()`);
    const loops = typeof switcher.LOOPS === 'number' ? switcher.LOOPS : 6;
    return { create: (key) => create(key), switcherLoops: loops };
  } catch (err) {
    throw new BridgeError('E_AUDIO_BACKEND', `simulated loop: cannot load firmware-sim's analog models (${(err as Error).message.split('\n')[0] ?? ''})`, {
      details: { file: factoryFile },
      cause: err,
    });
  }
}
