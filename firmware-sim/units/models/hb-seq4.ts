import { range, type ControlDef, type UnitModel } from '../model-table.ts';

/** Hollowbrook SEQ-4: dual-channel (L/R or M/S) stepped mastering EQ, 4 bands + high-pass per channel. */
const GAIN_DB = [-6, -5, -4, -3, -2.5, -2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6];
const OUTPUT_DB = range(-10, 10, 0.5);
const HPF_HZ = [0, 12, 16, 20, 25, 30, 40, 50, 60, 80, 100];
const BAND1_HZ = [20, 27, 33, 39, 47, 56, 68, 82, 100, 120, 150];
const BAND2_HZ = [100, 150, 200, 270, 330, 470, 560, 680, 820, 1000, 1200];
const BAND3_HZ = [820, 1000, 1500, 2200, 2700, 3300, 3900, 4700, 5600, 6800, 8200];
const BAND4_HZ = [2700, 3300, 4700, 5600, 6800, 8200, 10000, 12000, 15000, 18000, 22000];
const Q = [0.5, 1, 2];
const SHAPE = [0, 1]; // 0 shelf, 1 bell
const TOGGLE = [0, 1];

function channel(n: 1 | 2): ControlDef[] {
  const base = n * 0x10;
  const c = `ch${n}`;
  const zeroDb = GAIN_DB.indexOf(0);
  return [
    { address: base + 0x0, name: `${c}.in`, detents: TOGGLE, defaultRaw: 1, relay: true },
    { address: base + 0x1, name: `${c}.hpf.freqHz`, detents: HPF_HZ, defaultRaw: 0 },
    { address: base + 0x2, name: `${c}.band1.freqHz`, detents: BAND1_HZ, defaultRaw: 5 },
    { address: base + 0x3, name: `${c}.band1.gainDb`, detents: GAIN_DB, defaultRaw: zeroDb },
    { address: base + 0x4, name: `${c}.band1.shape`, detents: SHAPE, defaultRaw: 0 },
    { address: base + 0x5, name: `${c}.band2.freqHz`, detents: BAND2_HZ, defaultRaw: 5 },
    { address: base + 0x6, name: `${c}.band2.gainDb`, detents: GAIN_DB, defaultRaw: zeroDb },
    { address: base + 0x7, name: `${c}.band2.q`, detents: Q, defaultRaw: 1 },
    { address: base + 0x8, name: `${c}.band3.freqHz`, detents: BAND3_HZ, defaultRaw: 5 },
    { address: base + 0x9, name: `${c}.band3.gainDb`, detents: GAIN_DB, defaultRaw: zeroDb },
    { address: base + 0xa, name: `${c}.band3.q`, detents: Q, defaultRaw: 1 },
    { address: base + 0xb, name: `${c}.band4.freqHz`, detents: BAND4_HZ, defaultRaw: 6 },
    { address: base + 0xc, name: `${c}.band4.gainDb`, detents: GAIN_DB, defaultRaw: zeroDb },
    { address: base + 0xd, name: `${c}.band4.shape`, detents: SHAPE, defaultRaw: 0 },
    { address: base + 0xe, name: `${c}.outputDb`, detents: OUTPUT_DB, defaultRaw: OUTPUT_DB.indexOf(0) },
  ];
}

export const hbSeq4: UnitModel = {
  key: 'eq',
  model: 'HB-SEQ4',
  vendor: 'Hollowbrook',
  firmware: '1.4.2',
  manual: false,
  controls: [{ address: 0x01, name: 'mode', detents: [0, 1], defaultRaw: 0, relay: true }, ...channel(1), ...channel(2)],
  meters: [],
};
