import type { ParamSpecInput } from '../../../src/params/param-spec.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import { FakeRecallableUnit } from '../../../src/state/recall/fake-recallable-unit.ts';
import type { RecallableUnit } from '../../../src/state/recall/recallable-unit.ts';

/**
 * A small simulated mastering room for recall tests and the recall benchmark: a ParamStore
 * with a digital chain of ~120 parameters, and fake outboard units whose parameters are
 * registered in it (`outboard.<id>.<param>`), with front-panel notifications wired into the
 * ParamStore the way the outboard driver does it (source `outboard:<id>`).
 */

const GAIN_STEPS_05 = Array.from({ length: 49 }, (_, i) => -12 + i * 0.5);

export function digitalChainSpecs(): ParamSpecInput[] {
  const specs: ParamSpecInput[] = [{ id: 'gain.inputDb', label: 'Input', kind: 'continuous', unit: 'dB', min: -24, max: 24, default: 0 }];
  for (let b = 1; b <= 16; b++) {
    const g = `eq.band${b}`;
    specs.push(
      { id: `${g}.freqHz`, label: `Band ${b} freq`, kind: 'continuous', unit: 'Hz', min: 20, max: 20000, default: 1000, taper: 'log', group: g },
      { id: `${g}.gainDb`, label: `Band ${b} gain`, kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0, group: g },
      { id: `${g}.q`, label: `Band ${b} Q`, kind: 'continuous', unit: '', min: 0.1, max: 10, default: 0.7, taper: 'log', group: g },
      { id: `${g}.type`, label: `Band ${b} type`, kind: 'choice', unit: '', min: 0, max: 3, default: 0, choices: ['bell', 'lowShelf', 'highShelf', 'notch'], group: g },
      { id: `${g}.enabled`, label: `Band ${b} on`, kind: 'toggle', unit: '', min: 0, max: 1, default: 1, group: g },
      { id: `${g}.slopeDb`, label: `Band ${b} slope`, kind: 'stepped', unit: 'dB/oct', min: 6, max: 24, default: 12, steps: [6, 12, 18, 24], group: g },
      { id: `${g}.mix`, label: `Band ${b} mix`, kind: 'continuous', unit: '%', min: 0, max: 100, default: 100, group: g },
    );
  }
  specs.push(
    { id: 'comp.thresholdDb', label: 'Threshold', kind: 'continuous', unit: 'dB', min: -60, max: 0, default: -20 },
    { id: 'comp.ratio', label: 'Ratio', kind: 'stepped', unit: ':1', min: 1, max: 20, default: 2, steps: [1, 1.5, 2, 3, 4, 6, 10, 20] },
    { id: 'comp.attackMs', label: 'Attack', kind: 'continuous', unit: 'ms', min: 0.1, max: 300, default: 10, taper: 'log' },
    { id: 'comp.releaseMs', label: 'Release', kind: 'continuous', unit: 'ms', min: 5, max: 3000, default: 200, taper: 'log' },
    { id: 'comp.makeupDb', label: 'Makeup', kind: 'continuous', unit: 'dB', min: 0, max: 24, default: 0 },
    { id: 'limiter.ceilingDbtp', label: 'Ceiling', kind: 'continuous', unit: 'dBTP', min: -6, max: 0, default: -1 },
    { id: 'limiter.releaseMs', label: 'Release', kind: 'continuous', unit: 'ms', min: 1, max: 1000, default: 50, taper: 'log' },
    { id: 'width.amount', label: 'Width', kind: 'continuous', unit: '%', min: 0, max: 200, default: 100 },
    { id: 'dither.type', label: 'Dither', kind: 'choice', unit: '', min: 0, max: 2, default: 0, choices: ['off', 'tpdf', 'shaped'] },
  );
  return specs;
}

export type StudioUnitName = 'eq1' | 'comp1' | 'tape1' | 'pultec1';

export function unitSpecs(unit: StudioUnitName): ParamSpecInput[] {
  const p = `outboard.${unit}`;
  switch (unit) {
    case 'eq1': {
      const out: ParamSpecInput[] = [];
      for (const band of ['low', 'lowMid', 'highMid', 'high']) {
        out.push(
          { id: `${p}.${band}GainDb`, label: `${band} gain`, kind: 'stepped', unit: 'dB', min: -12, max: 12, default: 0, steps: GAIN_STEPS_05 },
          { id: `${p}.${band}FreqHz`, label: `${band} freq`, kind: 'stepped', unit: 'Hz', min: 30, max: 16000, default: 1000, steps: [30, 60, 120, 250, 500, 1000, 2000, 4000, 8000, 16000] },
        );
      }
      out.push({ id: `${p}.hpfOn`, label: 'HPF', kind: 'toggle', unit: '', min: 0, max: 1, default: 0 });
      return out;
    }
    case 'comp1':
      return [
        { id: `${p}.thresholdDb`, label: 'Threshold', kind: 'continuous', unit: 'dB', min: -40, max: 0, default: -10 },
        { id: `${p}.ratio`, label: 'Ratio', kind: 'stepped', unit: ':1', min: 1.5, max: 10, default: 2, steps: [1.5, 2, 4, 10] },
        { id: `${p}.attackMs`, label: 'Attack', kind: 'stepped', unit: 'ms', min: 0.1, max: 30, default: 10, steps: [0.1, 0.3, 1, 3, 10, 30] },
        { id: `${p}.releaseMs`, label: 'Release', kind: 'stepped', unit: 'ms', min: 100, max: 1200, default: 300, steps: [100, 300, 600, 1200] },
        { id: `${p}.makeupDb`, label: 'Makeup', kind: 'continuous', unit: 'dB', min: 0, max: 20, default: 0 },
      ];
    case 'tape1':
      return [
        { id: `${p}.driveDb`, label: 'Drive', kind: 'continuous', unit: 'dB', min: -6, max: 12, default: 0 },
        { id: `${p}.biasPct`, label: 'Bias', kind: 'continuous', unit: '%', min: -50, max: 50, default: 0 },
        { id: `${p}.speedIps`, label: 'Speed', kind: 'choice', unit: '', min: 0, max: 1, default: 1, choices: ['15 ips', '30 ips'] },
        { id: `${p}.outputDb`, label: 'Output', kind: 'continuous', unit: 'dB', min: -12, max: 12, default: 0 },
      ];
    case 'pultec1':
      return [
        { id: `${p}.lowFreqHz`, label: 'Low frequency', kind: 'stepped', unit: 'Hz', min: 20, max: 100, default: 60, steps: [20, 30, 60, 100] },
        { id: `${p}.lowBoost`, label: 'Low boost', kind: 'stepped', unit: '', min: 0, max: 10, default: 0, steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
        { id: `${p}.lowAtten`, label: 'Low atten', kind: 'stepped', unit: '', min: 0, max: 10, default: 0, steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
        { id: `${p}.highFreqHz`, label: 'High frequency', kind: 'stepped', unit: 'Hz', min: 3000, max: 16000, default: 10000, steps: [3000, 4000, 5000, 8000, 10000, 12000, 16000] },
        { id: `${p}.highBoost`, label: 'High boost', kind: 'stepped', unit: '', min: 0, max: 10, default: 0, steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
        { id: `${p}.bypass`, label: 'In', kind: 'toggle', unit: '', min: 0, max: 1, default: 1 },
      ];
  }
}

const IDENTITIES: Record<StudioUnitName, { model: string; serial: string; firmware: string }> = {
  eq1: { model: 'MEQ-4', serial: 'MEQ-0042', firmware: '2.1.0' },
  comp1: { model: 'VCA-2', serial: 'VCA-1187', firmware: '1.4.2' },
  tape1: { model: 'TAPE-1', serial: 'TP-0007', firmware: '0.9.8' },
  pultec1: { model: 'EQP-1', serial: 'EQP-0311', firmware: '1.0.0' },
};

export interface StudioOptions {
  units?: readonly StudioUnitName[];
  latencyMs?: number;
  perParamMs?: number;
  /** The manual unit reports its front panel (default true). */
  pultecReports?: boolean;
}

export interface Studio {
  params: ParamStore;
  units: Map<string, FakeRecallableUnit>;
  /** For RecallDeps (a ReadonlyMap of the seam type). */
  recallables: ReadonlyMap<string, RecallableUnit>;
  /** Remove the front-panel wiring. */
  dispose: () => void;
}

export function makeStudio(options: StudioOptions = {}): Studio {
  const params = new ParamStore();
  const digital = params.register(digitalChainSpecs());
  const units = new Map<string, FakeRecallableUnit>();
  const unsubscribe: (() => void)[] = [];
  for (const name of options.units ?? ['eq1', 'comp1', 'tape1']) {
    const specs = params.register(unitSpecs(name));
    const unit = new FakeRecallableUnit({
      id: name,
      identity: IDENTITIES[name],
      recallMode: name === 'pultec1' ? 'manual' : 'electronic',
      specs,
      latencyMs: options.latencyMs ?? 1,
      perParamMs: options.perParamMs ?? 0,
      ...(name === 'comp1' ? { resolution: { 'outboard.comp1.makeupDb': 0.5 } } : {}),
      ...(name === 'pultec1' ? { reports: options.pultecReports ?? true } : {}),
    });
    // The outboard driver's job: a front-panel notification becomes a ParamStore change.
    unsubscribe.push(unit.onFrontPanel((id, value) => params.set(id, value, `outboard:${name}`)));
    units.set(name, unit);
  }
  if (digital.length < 100) throw new Error('the studio chain should hold ~120 parameters');
  return { params, units, recallables: units, dispose: () => unsubscribe.forEach((u) => u()) };
}

/** Move every parameter of the store to some other valid value (so a recall has work to do). */
export function scramble(params: ParamStore, seed: number): void {
  let x = seed;
  const next = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const values: Record<string, number> = {};
  for (const e of params.list()) values[e.id] = e.steps ? (e.steps[Math.floor(next() * e.steps.length)] as number) : e.min + next() * (e.max - e.min);
  params.setMany(values, 'api');
}

/** What the outboard driver does on a ParamStore change: write the values to the units. */
export async function pushToUnits(studio: Studio): Promise<void> {
  for (const [id, unit] of studio.units) {
    if (unit.recallMode === 'manual') {
      for (const [pid, v] of Object.entries(studio.params.values(`outboard.${id}.`))) unit.turn(pid, v);
    } else {
      await unit.recall(studio.params.values(`outboard.${id}.`));
      // ... and mirror the unit's read-back (it may have rounded a value) under its own source.
      studio.params.setMany(await unit.read(), `outboard:${id}`);
    }
  }
}
