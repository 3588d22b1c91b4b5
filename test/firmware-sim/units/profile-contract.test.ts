import { describe, expect, it } from 'vitest';
import { loadGearProfile } from '../../../src/devices/serial/gear-profile.ts';
import { UNIT_MODELS } from '../../../firmware-sim/units/model-registry.ts';
import { rawToValue } from '../../../firmware-sim/units/model-table.ts';

/**
 * The host's profile of a unit (config/gear) and the unit's own firmware table are written
 * independently, as they would be by two companies. They must describe the same unit.
 */
const PROFILES = { eq: 'hb-seq4', comp: 'hb-bc2', switcher: 'hb-is6', passive: 'hb-peq1' } as const;

describe('gear profiles describe the simulated units exactly', () => {
  for (const [key, name] of Object.entries(PROFILES)) {
    it(`${name}.yaml matches firmware-sim "${key}"`, async () => {
      const { profile } = await loadGearProfile('config/gear', name);
      const model = UNIT_MODELS[key as keyof typeof PROFILES];
      expect(profile.model).toBe(model.model);
      expect(profile.recall).toBe(model.manual ? 'manual' : 'electronic');
      expect(profile.parameters.map((p) => p.address).sort((a, b) => a - b)).toEqual(model.controls.map((c) => c.address).sort((a, b) => a - b));
      for (const c of model.controls) {
        const p = profile.parameters.find((x) => x.address === c.address);
        expect(p?.name, `0x${c.address.toString(16)}`).toBe(c.name);
        if (!p) continue;
        if (c.detents) {
          if (p.kind === 'stepped') expect(p.steps, c.name).toEqual(c.detents);
          else if (p.kind === 'choice') expect(p.choices?.length, c.name).toBe(c.detents.length);
          else expect(p.kind === 'toggle' && c.detents.length === 2, c.name).toBe(true);
        } else {
          expect(p.kind, c.name).toBe('continuous');
          expect([p.min, p.max, p.wireScale], c.name).toEqual([c.continuous?.min, c.continuous?.max, c.continuous?.scale]);
        }
        expect(p.default, `${c.name} default`).toBe(rawToValue(c, c.defaultRaw));
      }
      expect(profile.meters.map((m) => [m.address, m.name, m.wireScale])).toEqual(model.meters.map((m) => [m.address, m.name, m.scale]));
    });
  }
});
