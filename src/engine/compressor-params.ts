import { defineParam, type ParamSpec } from '../params/param-spec.ts';
import { RATIO_INFINITE } from './compressor-curve.ts';

// Indices into compressorParams(), as Compressor.setParam receives them.
export const P_THRESHOLD = 0;
export const P_RATIO = 1;
export const P_KNEE = 2;
export const P_ATTACK = 3;
export const P_RELEASE = 4;
export const P_AUTO_RELEASE = 5;
export const P_DETECTOR = 6;
export const P_RMS_WINDOW = 7;
export const P_MAKEUP = 8;
export const P_SC_HP_ON = 9;
export const P_SC_HP_HZ = 10;
export const P_LINK = 11;
export const P_STEREO_MODE = 12;
export const P_MIX = 13;

export const DETECTORS = ['peak', 'rms'] as const;
export const COMP_STEREO_MODES = ['stereo', 'midSide'] as const;

/** The compressor's parameters, in P_* index order, grouped under the processor id. */
export function compressorParams(id: string): ParamSpec[] {
  const group = id;
  return [
    defineParam({ id: `${id}.thresholdDb`, label: 'Comp threshold', kind: 'continuous', unit: 'dB', min: -60, max: 0, default: -18, group }),
    defineParam({ id: `${id}.ratio`, label: 'Comp ratio (100 = inf)', kind: 'continuous', unit: ':1', min: 1, max: RATIO_INFINITE, default: 1, taper: 'log', group }),
    defineParam({ id: `${id}.kneeDb`, label: 'Comp knee', kind: 'continuous', unit: 'dB', min: 0, max: 24, default: 6, group }),
    defineParam({ id: `${id}.attackMs`, label: 'Comp attack', kind: 'continuous', unit: 'ms', min: 0.05, max: 300, default: 10, taper: 'log', group }),
    defineParam({ id: `${id}.releaseMs`, label: 'Comp release', kind: 'continuous', unit: 'ms', min: 5, max: 5000, default: 150, taper: 'log', group }),
    defineParam({ id: `${id}.autoRelease`, label: 'Comp auto release', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group }),
    defineParam({ id: `${id}.detector`, label: 'Comp detector', kind: 'choice', unit: '', min: 0, max: 1, default: 0, choices: [...DETECTORS], group }),
    defineParam({ id: `${id}.rmsWindowMs`, label: 'Comp RMS window', kind: 'continuous', unit: 'ms', min: 1, max: 300, default: 30, taper: 'log', group }),
    defineParam({ id: `${id}.makeupDb`, label: 'Comp makeup', kind: 'continuous', unit: 'dB', min: -12, max: 24, default: 0, group }),
    defineParam({ id: `${id}.sidechainHpEnabled`, label: 'Comp sidechain HP on', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group }),
    defineParam({ id: `${id}.sidechainHpHz`, label: 'Comp sidechain HP', kind: 'continuous', unit: 'Hz', min: 20, max: 500, default: 100, taper: 'log', group }),
    defineParam({ id: `${id}.linkPct`, label: 'Comp stereo link', kind: 'continuous', unit: '%', min: 0, max: 100, default: 100, group }),
    defineParam({ id: `${id}.stereoMode`, label: 'Comp stereo mode', kind: 'choice', unit: '', min: 0, max: 1, default: 0, choices: [...COMP_STEREO_MODES], group }),
    defineParam({ id: `${id}.mixPct`, label: 'Comp mix', kind: 'continuous', unit: '%', min: 0, max: 100, default: 100, group }),
  ];
}
