import { describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.ts';
import type { ParamSpecInput } from '../../src/params/param-spec.ts';
import { liveUnitIdentities } from '../../src/state/live-unit-identities.ts';
import type { RestoreReport } from '../../src/state/store-part.ts';
import { TestClient } from '../server/ws-test-client.ts';
import { capturingLogger } from '../state/capture-log.ts';
import { requireTool } from '../support/require-tool.ts';
import { eqAndCompRack } from './support/rack.ts';
import { startStudio, type Studio } from './support/studio.ts';
import { allOnline, setParam, storeReaches, unitReaches, unitStats, unitValues } from './support/units.ts';

/**
 * Issue 9, live session after a unit swap: the session restored at daemon start must not
 * write the old unit's values into the unit now standing under its id (another serial); it
 * is reported (log, tablet, restore report) and the rest of the session is restored.
 */
const socat = requireTool('socat');


/**
 * Until src/daemon.ts passes `units` to its StorePart itself, the test gives it the same
 * function the daemon is to use (the lines for the lead are in the helper's report).
 */
function wireUnitIdentities(d: Daemon): void {
  d.storePart.setUnitIdentities(() => liveUnitIdentities(d.outboard.manager.units()));
}

/** A digital parameter of the session (registered here when this config builds no engine). */
const DIGITAL: ParamSpecInput = { id: 'eq.band3.gainDb', label: 'Band 3 gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0, group: 'eq.band3' };

function setup(d: Daemon): void {
  wireUnitIdentities(d);
  if (!d.store.has(DIGITAL.id)) d.store.register(DIGITAL);
}

describe.skipIf(!socat.ok)(`live session restore after a unit swap ${socat.reason}`, () => {
  it('does not write the old EQ’s settings into the loaner; reports it; restores the compressor and the digital chain', async () => {
    const first = await startStudio({ yaml: eqAndCompRack('EQ-0001'), setup });
    let second: Studio | undefined;
    try {
      await allOnline(first, ['eq1', 'comp1']);
      await setParam(first, 'outboard.eq1.ch1.band2.gainDb', 1.5);
      await setParam(first, 'outboard.eq1.mode', 1);
      await setParam(first, 'outboard.comp1.ratio', 4);
      await setParam(first, 'eq.band3.gainDb', 2.5);
      await unitReaches(first, 'EQ-0001', 'ch1.band2.gainDb', 1.5);
      await unitReaches(first, 'EQ-0001', 'mode', 1);
      await unitReaches(first, 'BC-0001', 'ratio', 4);
      // Stopping writes the live session (with the units it belongs to).
      await first.daemon.stop();

      // EQ-0001 went for repair: the loaner EQ-0002 stands under eq1 (config and rack).
      const { log, lines } = capturingLogger();
      second = await startStudio({ yaml: eqAndCompRack('EQ-0002'), dataDir: first.dataDir, setup, daemon: { log } });
      await allOnline(second, ['eq1', 'comp1']);
      await Promise.all([second.daemon.outboard.manager.idle('eq1'), second.daemon.outboard.manager.idle('comp1')]);

      // Nothing was written to the loaner: it keeps its factory settings, and the store shows them.
      expect((await unitStats(second, 'EQ-0002')).setsIn).toBe(0);
      expect(await unitValues(second, 'EQ-0002')).toMatchObject({ 'ch1.band2.gainDb': 0, mode: 0 });
      await storeReaches(second.daemon.store, 'outboard.eq1.ch1.band2.gainDb', 0);
      expect(second.daemon.store.get('outboard.eq1.mode')).toBe(0);
      // The rest of the session is back: the compressor (written to it) and the digital chain.
      await unitReaches(second, 'BC-0001', 'ratio', 4);
      expect((await unitStats(second, 'BC-0001')).setsIn).toBeGreaterThan(0);
      expect(second.daemon.store.get('eq.band3.gainDb')).toBe(2.5);

      // Reported: the restore report, the log, and the tablet's snapshot list.
      const report = second.daemon.storePart.restoreReport;
      const eq = report?.units.find((u) => u.unitId === 'eq1');
      expect(eq).toMatchObject({ status: 'changed', code: 'E_RECALL_UNIT_CHANGED', saved: { serial: 'EQ-0001', model: 'HB-SEQ4' }, now: { serial: 'EQ-0002' } });
      expect(eq?.reason).toContain('serial EQ-0001 -> EQ-0002');
      expect(eq?.values).toBe(31);
      expect(report?.units.find((u) => u.unitId === 'comp1')).toMatchObject({ status: 'restored', saved: { serial: 'BC-0001' } });
      const warned = lines().filter((l) => l.unitId === 'eq1' && l.code === 'E_RECALL_UNIT_CHANGED');
      expect(warned).toHaveLength(1);
      expect(warned[0]?.msg).toContain('serial EQ-0001 -> EQ-0002');
      const tablet = await TestClient.hello(second.wsUrl, { client: 'itest' });
      try {
        const list = await tablet.request({ type: 'snapshot.list' });
        const session = (list.data as { session: RestoreReport }).session;
        expect(session.units.map((u) => [u.unitId, u.status])).toEqual([
          ['eq1', 'changed'],
          ['comp1', 'restored'],
        ]);
      } finally {
        tablet.close();
      }
    } finally {
      await second?.cleanup();
      await first.cleanup();
    }
  }, 60_000);
});
