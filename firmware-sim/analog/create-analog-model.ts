import type { AnalogModel } from './analog-model.ts';
import { CompModel } from './comp-model.ts';
import { EqModel } from './eq-model.ts';
import { PassiveModel } from './passive-model.ts';
import { SwitcherModel } from './switcher-model.ts';

export type AnalogModelKey = 'eq' | 'comp' | 'switcher' | 'passive';

/** The audio model of a simulated unit, by its firmware-sim model key. */
export function createAnalogModel(key: AnalogModelKey): AnalogModel {
  switch (key) {
    case 'eq':
      return new EqModel();
    case 'comp':
      return new CompModel();
    case 'switcher':
      return new SwitcherModel();
    case 'passive':
      return new PassiveModel();
  }
}
