import type { ControlDef, UnitModel } from '../model-table.ts';

/** Hollowbrook IS-6: six relay-switched insert loops, each in/out, M/S matrix, and its position in the chain. */
export const LOOP_COUNT = 6;
const POSITIONS = [1, 2, 3, 4, 5, 6];

function loop(n: number): ControlDef[] {
  const base = n * 0x10;
  return [
    { address: base + 0x0, name: `loop${n}.in`, detents: [0, 1], defaultRaw: 0, relay: true },
    { address: base + 0x1, name: `loop${n}.ms`, detents: [0, 1], defaultRaw: 0, relay: true },
    { address: base + 0x2, name: `loop${n}.position`, detents: POSITIONS, defaultRaw: n - 1, relay: true },
  ];
}

const controls: ControlDef[] = [{ address: 0x01, name: 'bypass', detents: [0, 1], defaultRaw: 0, relay: true }];
for (let n = 1; n <= LOOP_COUNT; n++) controls.push(...loop(n));

export const hbIs6: UnitModel = {
  key: 'switcher',
  model: 'HB-IS6',
  vendor: 'Hollowbrook',
  firmware: '1.0.7',
  manual: false,
  controls,
  meters: [],
  // The order is a permutation: moving a loop to a position swaps it with the loop that held it.
  linked: (raw, address, newRaw, oldRaw) => {
    if ((address & 0x0f) !== 0x2 || newRaw === oldRaw) return [];
    for (let n = 1; n <= LOOP_COUNT; n++) {
      const a = n * 0x10 + 0x2;
      if (a !== address && raw.get(a) === newRaw) return [[a, oldRaw]];
    }
    return [];
  },
};
