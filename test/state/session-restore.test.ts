import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParamSpecInput } from '../../src/params/param-spec.ts';
import { ParamStore } from '../../src/params/param-store.ts';
import { liveUnitIdentities } from '../../src/state/live-unit-identities.ts';
import { StorePart } from '../../src/state/store-part.ts';
import type { SessionUnit } from '../../src/state/store/snapshot-state.ts';
import { capturingLogger } from './capture-log.ts';
import { tempDir } from './store/store-fixture.ts';

const SPECS: ParamSpecInput[] = [
  { id: 'eq.band1.gainDb', label: 'Band 1 gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0 },
  { id: 'outboard.eq1.gainDb', label: 'Gain', kind: 'stepped', unit: 'dB', min: -6, max: 6, default: 0, steps: [-6, -3, 0, 3, 6] },
  { id: 'outboard.eq1.freqHz', label: 'Freq', kind: 'stepped', unit: 'Hz', min: 20, max: 100, default: 60, steps: [20, 33, 60, 100] },
  { id: 'outboard.comp1.ratio', label: 'Ratio', kind: 'stepped', unit: ':1', min: 2, max: 10, default: 2, steps: [2, 4, 10] },
];

const RACK: SessionUnit[] = [
  { unitId: 'eq1', model: 'HB-SEQ4', serial: 'EQ-0001', firmware: '1.4.2' },
  { unitId: 'comp1', model: 'HB-BC2', serial: 'BC-0001', firmware: '2.0.0' },
];

/** One daemon run: a fresh ParamStore (defaults), the store part started on `file`, then `body`, then stopped. */
async function run(file: string, units: readonly SessionUnit[] | undefined, body: (params: ParamStore, part: StorePart, sessionWrites: string[]) => void | Promise<void>, log = capturingLogger().log): Promise<void> {
  const params = new ParamStore();
  params.register(SPECS);
  // What a unit driver would write to its unit: every change of its parameters from another source.
  const sessionWrites: string[] = [];
  params.watch((changes, source) => {
    if (source === 'session') for (const c of changes) sessionWrites.push(c.id);
  });
  const part = new StorePart({ file, params, log, ...(units ? { units: () => units } : {}) });
  await part.start();
  try {
    await body(params, part, sessionWrites);
  } finally {
    await part.stop();
  }
}

describe('live session restore and unit identity', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  async function saveSessionWith(units: readonly SessionUnit[] | undefined): Promise<void> {
    await run(tmp.file('bridge.sqlite'), units, (params) => {
      params.setMany({ 'eq.band1.gainDb': 2.5, 'outboard.eq1.gainDb': 3, 'outboard.eq1.freqHz': 33, 'outboard.comp1.ratio': 4 }, 'api');
    });
  }

  it('a swapped unit (another serial) is not written the old unit’s values: reported and logged, the rest restored', async () => {
    await saveSessionWith(RACK);
    const loaner: SessionUnit[] = [{ unitId: 'eq1', model: 'HB-SEQ4', serial: 'EQ-0002', firmware: null }, { ...RACK[1]!, firmware: null }];
    const { log, lines: warnings } = capturingLogger();
    await run(
      tmp.file('bridge.sqlite'),
      loaner,
      (params, part, sessionWrites) => {
        // The loaner keeps its own settings: nothing of eq1 went out with source `session`.
        expect(sessionWrites.filter((id) => id.startsWith('outboard.eq1.'))).toEqual([]);
        expect(params.values('outboard.eq1.')).toEqual({ 'outboard.eq1.gainDb': 0, 'outboard.eq1.freqHz': 60 });
        // The rest of the session is back.
        expect(params.get('eq.band1.gainDb')).toBe(2.5);
        expect(params.get('outboard.comp1.ratio')).toBe(4);
        expect(sessionWrites.sort()).toEqual(['eq.band1.gainDb', 'outboard.comp1.ratio']);

        const report = part.restoreReport;
        expect(report).toMatchObject({ restored: 2, withheld: 2, unknown: 0 });
        expect(report?.units.find((u) => u.unitId === 'eq1')).toMatchObject({
          status: 'changed',
          code: 'E_RECALL_UNIT_CHANGED',
          values: 2,
          saved: RACK[0],
          now: { serial: 'EQ-0002' },
        });
        expect(report?.units.find((u) => u.unitId === 'eq1')?.reason).toContain('serial EQ-0001 -> EQ-0002');
        // Firmware unknown at start (the unit has not answered yet): not a difference by itself.
        expect(report?.units.find((u) => u.unitId === 'comp1')).toMatchObject({ status: 'restored' });
      },
      log,
    );
    const w = warnings().filter((x) => x.unitId === 'eq1');
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ code: 'E_RECALL_UNIT_CHANGED' });
    expect(w[0]?.msg).toContain('serial EQ-0001 -> EQ-0002');

    // The session saved by that run belongs to the loaner now: the next start restores it into the loaner.
    await run(tmp.file('bridge.sqlite'), loaner, (params, part) => {
      expect(part.restoreReport?.units.map((u) => [u.unitId, u.status])).toEqual([
        ['eq1', 'restored'],
        ['comp1', 'restored'],
      ]);
      expect(params.get('outboard.eq1.gainDb')).toBe(0);
      expect(params.get('outboard.comp1.ratio')).toBe(4);
    });
  });

  it('the same units come back with every value; another model or firmware under the same id is withheld too', async () => {
    await saveSessionWith(RACK);
    await run(tmp.file('bridge.sqlite'), RACK, (params, part) => {
      expect(params.values()).toEqual({ 'eq.band1.gainDb': 2.5, 'outboard.eq1.gainDb': 3, 'outboard.eq1.freqHz': 33, 'outboard.comp1.ratio': 4 });
      expect(part.restoreReport).toMatchObject({ restored: 4, withheld: 0 });
    });
    const upgraded: SessionUnit[] = [{ ...RACK[0]!, firmware: '1.5.0' }, { ...RACK[1]!, model: 'HB-BC3' }];
    await run(tmp.file('bridge.sqlite'), upgraded, (params, part) => {
      expect(part.restoreReport?.units.map((u) => [u.unitId, u.status, u.reason])).toEqual([
        ['eq1', 'changed', expect.stringContaining('firmware 1.4.2 -> 1.5.0')],
        ['comp1', 'changed', expect.stringContaining('model HB-BC2 -> HB-BC3')],
      ]);
      expect(params.values('outboard.')).toEqual({ 'outboard.eq1.gainDb': 0, 'outboard.eq1.freqHz': 60, 'outboard.comp1.ratio': 2 });
      expect(params.get('eq.band1.gainDb')).toBe(2.5);
    });
  });

  it('a session that recorded no units (older version) is restored, and each unit is reported unchecked', async () => {
    await saveSessionWith(undefined);
    const { log, lines: warnings } = capturingLogger();
    await run(
      tmp.file('bridge.sqlite'),
      RACK,
      (params, part) => {
        expect(params.get('outboard.eq1.gainDb')).toBe(3);
        expect(part.restoreReport?.units.map((u) => [u.unitId, u.status])).toEqual([
          ['eq1', 'unchecked'],
          ['comp1', 'unchecked'],
        ]);
      },
      log,
    );
    expect(warnings().map((w) => w.unitId)).toEqual(['eq1', 'comp1']);
  });

  it('records what each unit answered, or before that its configured serial and model (OutboardManager.units())', () => {
    expect(
      liveUnitIdentities([
        { id: 'eq1', model: 'HB-SEQ4', serial: 'EQ-0001', identity: { model: 'HB-SEQ4', serial: 'EQ-0001', firmware: '1.4.2' } },
        { id: 'comp1', model: 'HB-BC2', serial: 'BC-0001' },
        { id: 'sw1', model: 'HB-IS6', serial: 'IS-0001', identity: { model: 'HB-IS6', serial: 'IS-0001', firmware: '' } },
      ]),
    ).toEqual([
      { unitId: 'eq1', model: 'HB-SEQ4', serial: 'EQ-0001', firmware: '1.4.2' },
      { unitId: 'comp1', model: 'HB-BC2', serial: 'BC-0001', firmware: null },
      { unitId: 'sw1', model: 'HB-IS6', serial: 'IS-0001', firmware: null },
    ]);
  });
});
