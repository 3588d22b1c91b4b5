import { defineParam, type ParamSpec } from '../../params/param-spec.ts';
import { MATCH_MODES } from './loudness-match.ts';
import { AB_SOURCES } from './monitor-output.ts';

/**
 * The monitor's parameters: mute, A/B (processed or source), and how the A/B is loudness-matched.
 * Values: toggle 0/1; choices are indices into AB_SOURCES / MATCH_MODES.
 */
export function monitorParamSpecs(id = 'monitor'): ParamSpec[] {
  return [
    defineParam({ id: `${id}.mute`, label: 'Monitor mute', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: id }),
    defineParam({ id: `${id}.ab`, label: 'A/B', kind: 'choice', unit: '', min: 0, max: 1, default: 0, choices: [...AB_SOURCES], group: id }),
    defineParam({ id: `${id}.abMatch`, label: 'A/B loudness match', kind: 'choice', unit: '', min: 0, max: 2, default: 2, choices: [...MATCH_MODES], group: id }),
  ];
}
