import type { UnitModel, UnitModelKey } from './model-table.ts';
import { hbBc2 } from './models/hb-bc2.ts';
import { hbIs6 } from './models/hb-is6.ts';
import { hbPeq1 } from './models/hb-peq1.ts';
import { hbSeq4 } from './models/hb-seq4.ts';

export const UNIT_MODELS: Readonly<Record<UnitModelKey, UnitModel>> = Object.freeze({
  eq: hbSeq4,
  comp: hbBc2,
  switcher: hbIs6,
  passive: hbPeq1,
});

export function isModelKey(s: string): s is UnitModelKey {
  return Object.hasOwn(UNIT_MODELS, s);
}
