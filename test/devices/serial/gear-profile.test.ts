import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGearProfile, parseGearProfile } from '../../../src/devices/serial/gear-profile.ts';
import { fromWire, toWire, unitParams, wireQuantise } from '../../../src/devices/serial/profile-params.ts';
import { ParamStore } from '../../../src/params/param-store.ts';
import type { BridgeError } from '../../../src/errors.ts';

const GEAR = 'config/gear';

function problemsOf(text: string): { line: number; path: string; message: string }[] {
  try {
    parseGearProfile(text, 'x.yaml');
  } catch (err) {
    const e = err as BridgeError;
    expect(e.code).toBe('E_GEAR_PROFILE');
    return (e.details.problems as { line: number; path: string; message: string }[]).map((p) => ({ line: p.line, path: p.path, message: p.message }));
  }
  throw new Error('expected E_GEAR_PROFILE');
}

const HEAD = `format: 1
model: T-1
vendor: Test
label: Test unit
protocol: 1
recall: electronic
`;

describe('gear profiles', () => {
  it('every profile in config/gear loads and registers as outboard.<unit>.<param> ParamSpecs', async () => {
    const names = readdirSync(GEAR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -5));
    expect(names.sort()).toEqual(['hb-bc2', 'hb-is6', 'hb-peq1', 'hb-seq4']);
    const store = new ParamStore();
    for (const n of names) {
      const { profile } = await loadGearProfile(GEAR, n);
      store.register(unitParams(profile, n.replace(/-/g, '')).map((p) => p.spec));
    }
    expect(store.list('outboard.hbseq4.').length).toBe(31);
    expect(store.list('outboard.hbbc2.').length).toBe(8);
    expect(store.list('outboard.hbis6.').length).toBe(19);
    expect(store.list('outboard.hbpeq1.').length).toBe(9);
  });

  it('the mastering EQ has exact detents: 23-position gains, 11-position frequency switches, a 41-step output, a 3-way Q', async () => {
    const { profile } = await loadGearProfile(GEAR, 'hb-seq4');
    const params = unitParams(profile, 'eq1');
    const spec = (n: string) => (params.find((p) => p.name === n) as (typeof params)[number]).spec;
    expect(spec('ch1.band2.gainDb').steps).toEqual([-6, -5, -4, -3, -2.5, -2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6]);
    expect(spec('ch2.band3.freqHz').steps).toHaveLength(11);
    expect(spec('ch1.outputDb').steps).toHaveLength(41);
    expect(spec('ch1.band2.q').steps).toEqual([0.5, 1, 2]);
    expect(spec('mode').choices).toEqual(['Stereo', 'M/S']);
    expect(spec('ch1.band2.gainDb')).toMatchObject({ id: 'outboard.eq1.ch1.band2.gainDb', group: 'outboard.eq1.ch1.band2', unit: 'dB' });
    expect(profile.recall).toBe('electronic');
    expect((await loadGearProfile(GEAR, 'hb-peq1')).profile.recall).toBe('manual');
  });

  it('values travel as position indexes, continuous ones scaled', async () => {
    const comp = unitParams((await loadGearProfile(GEAR, 'hb-bc2')).profile, 'c');
    const threshold = comp.find((p) => p.name === 'thresholdDb') as (typeof comp)[number];
    const ratio = comp.find((p) => p.name === 'ratio') as (typeof comp)[number];
    expect(toWire(threshold, -12.34)).toBe(-123);
    expect(fromWire(threshold, -123)).toBe(-12.3);
    expect(wireQuantise(threshold, -12.36)).toBe(-12.4);
    expect(fromWire(threshold, -301)).toBeUndefined();
    expect(toWire(ratio, 4)).toBe(3);
    expect(toWire(ratio, 3.6)).toBe(3);
    expect(fromWire(ratio, 5)).toBe(10);
    expect(fromWire(ratio, 6)).toBeUndefined();
  });

  it('names the file, line and path of every problem, with a suggestion for a typo', () => {
    const problems = problemsOf(`${HEAD}timing:
  retrys: 3
parameters:
  - { name: a, address: 0x01, label: A, kind: toggle, default: 0 }
  - { name: b, address: 0x01, label: B, kind: stepped, unit: dB, steps: [0, 2, 1], default: 0 }
  - { name: c, address: 0x02, label: C, kind: stepped, default: 0 }
  - { name: d, address: 0x03, label: D, kind: toggle, default: 0, wireScale: 10 }
`);
    expect(problems).toEqual([
      { line: 8, path: 'timing.retrys', message: 'unknown key "retrys", did you mean "retries"?' },
      { line: 11, path: 'parameters.1.address', message: 'duplicate address 0x1 (also parameters.0)' },
      { line: 12, path: 'parameters.2', message: 'a stepped parameter needs its steps (the exact detent values)' },
      { line: 13, path: 'parameters.3.wireScale', message: 'wireScale is for continuous parameters (discrete ones are sent as the position index)' },
    ]);
  });

  it('runs the ParamSpec rules on each parameter (detents ascending, default on a detent)', () => {
    const problems = problemsOf(`${HEAD}parameters:
  - { name: b, address: 0x01, label: B, kind: stepped, unit: dB, steps: [0, 2, 1], default: 0 }
  - { name: c, address: 0x02, label: C, kind: stepped, unit: dB, steps: [0, 1, 2], default: 1.5 }
`);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [8, 'detent values must be strictly ascending'],
      [9, 'default 1.5 is not one of the detent values'],
    ]);
  });

  it('reports zod errors at the offending value, and missing keys at their parent', () => {
    const problems = problemsOf(`format: 1
model: T-1
vendor: Test
label: Test unit
protocol: 2
recall: automatic
parameters:
  - { name: Bad, address: 300, label: x, kind: toggle, default: 0 }
`);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [5, 'protocol'],
      [6, 'recall'],
      [8, 'parameters.0.name'],
      [8, 'parameters.0.address'],
    ]);
    expect(problemsOf('format: 1\n').map((p) => p.path)).toEqual(expect.arrayContaining(['model', 'parameters']));
  });

  it('YAML syntax errors and a missing file are E_GEAR_PROFILE too', async () => {
    expect(problemsOf('parameters: [\n')[0]?.line).toBeGreaterThan(0);
    await expect(loadGearProfile(GEAR, 'no-such-unit')).rejects.toMatchObject({ code: 'E_GEAR_PROFILE' });
    await expect(loadGearProfile(GEAR, '../etc/passwd')).rejects.toMatchObject({ code: 'E_GEAR_PROFILE' });
  });
});
