import { range, type UnitModel } from '../model-table.ts';

/** Hollowbrook BC-2: stereo VCA bus compressor with a gain-reduction meter at F0. */
export const hbBc2: UnitModel = {
  key: 'comp',
  model: 'HB-BC2',
  vendor: 'Hollowbrook',
  firmware: '2.1.0',
  manual: false,
  controls: [
    { address: 0x01, name: 'in', detents: [0, 1], defaultRaw: 1, relay: true },
    { address: 0x02, name: 'thresholdDb', continuous: { min: -30, max: 0, scale: 10 }, defaultRaw: -100 },
    { address: 0x03, name: 'ratio', detents: [1.5, 2, 3, 4, 6, 10], defaultRaw: 1 },
    { address: 0x04, name: 'attackMs', detents: [0.1, 0.3, 1, 3, 10, 30], defaultRaw: 4 },
    // 0.1 s, 0.3 s, 0.6 s, 1.2 s, auto (program dependent)
    { address: 0x05, name: 'release', detents: [0, 1, 2, 3, 4], defaultRaw: 4 },
    { address: 0x06, name: 'makeupDb', detents: range(0, 10, 0.5), defaultRaw: 0 },
    // 0 = sidechain filter off
    { address: 0x07, name: 'sidechainHpfHz', detents: [0, 60, 90, 150, 250], defaultRaw: 0 },
    { address: 0x08, name: 'link', detents: [0, 1], defaultRaw: 1 },
  ],
  meters: [{ address: 0xf0, name: 'gainReductionDb', scale: 10 }],
};

export const RELEASE_MS = [100, 300, 600, 1200, -1] as const;
