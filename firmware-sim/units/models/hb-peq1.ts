import { range, type UnitModel } from '../model-table.ts';

/** Hollowbrook PEQ-1: passive stepped program EQ. Hand-set (manual recall); its switches report their positions. */
const ZERO_TO_TEN = range(0, 10, 1);

export const hbPeq1: UnitModel = {
  key: 'passive',
  model: 'HB-PEQ1',
  vendor: 'Hollowbrook',
  firmware: '0.9.3',
  manual: true,
  controls: [
    { address: 0x01, name: 'lowFreqHz', detents: [20, 30, 60, 100], defaultRaw: 1 },
    { address: 0x02, name: 'lowBoostDb', detents: ZERO_TO_TEN, defaultRaw: 0 },
    { address: 0x03, name: 'lowAttenDb', detents: ZERO_TO_TEN, defaultRaw: 0 },
    { address: 0x04, name: 'highFreqHz', detents: [3000, 4000, 5000, 8000, 10000, 12000, 16000], defaultRaw: 3 },
    { address: 0x05, name: 'highBoostDb', detents: ZERO_TO_TEN, defaultRaw: 0 },
    { address: 0x06, name: 'highBandwidth', detents: range(1, 10, 1), defaultRaw: 4 },
    { address: 0x07, name: 'highAttenFreqHz', detents: [5000, 10000, 20000], defaultRaw: 1 },
    { address: 0x08, name: 'highAttenDb', detents: ZERO_TO_TEN, defaultRaw: 0 },
    { address: 0x09, name: 'in', detents: [0, 1], defaultRaw: 1 },
  ],
  meters: [],
};
