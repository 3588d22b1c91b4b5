import { afterEach, describe, expect, it } from 'vitest';
import { requireTool } from '../../support/require-tool.ts';
import { startStudio, unitValues, waitFor, type Studio } from './support/studio.ts';

const socat = requireTool('socat');

/** Sweep a control through many detents quickly, as a surface knob would. */
function sweep(s: Studio, id: string, values: readonly number[]): void {
  for (const v of values) s.store.set(id, v, 'surface:knob');
}

describe.skipIf(!socat.ok)(`every fault switch of firmware-sim, over a real pty${socat.ok ? '' : ` (${socat.reason})`}`, () => {
  let s: Studio | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  const eqSim = () => s?.sims.get('eq1') as NonNullable<ReturnType<Studio['sims']['get']>>;

  /** After the fault is cleared: store, unit and driver agree, and the last values arrived. */
  async function expectAgreement(lastValues: Record<string, number>): Promise<void> {
    const st = s as Studio;
    eqSim().clearFaults();
    await st.manager.whenStatus('eq1', 'online', 15_000);
    await st.manager.idle('eq1');
    await st.manager.refresh('eq1');
    for (const [id, v] of Object.entries(lastValues)) expect(st.store.get(id), id).toBe(v);
    expect(st.store.values('outboard.eq1.')).toEqual(unitValues(eqSim(), 'eq1'));
    expect(st.manager.reported('eq1')).toEqual(unitValues(eqSim(), 'eq1'));
  }

  const gains = [-6, -4, -2, -1, 0, 1, 2, 3, 4, 5, 6, 2.5, 1.5];

  for (const [kind, dir] of [
    ['drop', 'rx'],
    ['drop', 'tx'],
    ['corrupt', 'rx'],
    ['corrupt', 'tx'],
  ] as const) {
    it(`${kind} ${dir}: requests are retried and the last values arrive`, async () => {
      s = await startStudio([{ id: 'eq1', model: 'eq', serial: `EQ-${kind}-${dir}` }]);
      eqSim().setLineFault(kind, dir, 0.01);
      for (let i = 0; i < 6; i++) {
        sweep(s, 'outboard.eq1.ch1.band2.gainDb', gains);
        sweep(s, 'outboard.eq1.ch2.band3.freqHz', [820, 1500, 2700, 3900, 5600, 8200]);
        await new Promise((r) => setTimeout(r, 40));
      }
      await s.manager.idle('eq1').catch(() => undefined);
      const stats = s.manager.stats('eq1') ?? {};
      // The faults were felt (some recovery happened), and were survived.
      expect((stats.retries ?? 0) + (stats.checksumErrors ?? 0) + (stats.frameErrors ?? 0) + (stats.noiseBytes ?? 0) + (stats.naks ?? 0)).toBeGreaterThan(0);
      await expectAgreement({ 'outboard.eq1.ch1.band2.gainDb': 1.5, 'outboard.eq1.ch2.band3.freqHz': 8200 });
    });
  }

  it('a short stall: answers come late, retries cover it, nothing is lost', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-stall' }]);
    eqSim().stall(150);
    sweep(s, 'outboard.eq1.ch1.band1.gainDb', gains);
    s.store.set('outboard.eq1.mode', 1, 'api');
    await expectAgreement({ 'outboard.eq1.ch1.band1.gainDb': 1.5, 'outboard.eq1.mode': 1 });
  });

  it('a long stall: the unit goes reconnecting, comes back, and the values set meanwhile reach it', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-hang' }]);
    eqSim().stall(2500);
    s.store.set('outboard.eq1.ch2.outputDb', -3.5, 'api');
    const st = s;
    const history = (): string => JSON.stringify(st.statuses.slice(-8));
    await s.manager.whenStatus('eq1', 'reconnecting', 15_000).catch((e: Error) => Promise.reject(new Error(`${e.message}; ${history()}`)));
    s.store.set('outboard.eq1.ch2.band2.gainDb', 0.75, 'api'); // set while the unit is away
    await s.manager.whenStatus('eq1', 'online', 15_000).catch((e: Error) => Promise.reject(new Error(`${e.message}; ${history()}`)));
    await waitFor('values delivered after the reconnect', () => eqSim().firmware.values()['ch2.band2.gainDb'] === 0.75 && eqSim().firmware.values()['ch2.outputDb'] === -3.5);
    await expectAgreement({ 'outboard.eq1.ch2.outputDb': -3.5, 'outboard.eq1.ch2.band2.gainDb': 0.75 });
    const reasons = s.statuses.filter(([id, st]) => id === 'eq1' && st === 'reconnecting').map(([, , r]) => r);
    expect(reasons[0]).toMatch(/stopped answering/);
  });

  it('garbage on the line: the parser resynchronises, the driver re-reads, nothing crashes', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-garbage' }]);
    eqSim().garbage(2000);
    eqSim().panel('ch1.band4.gainDb', 4); // a notification right behind the noise
    sweep(s, 'outboard.eq1.ch1.band3.gainDb', gains);
    eqSim().garbage(300);
    await expectAgreement({ 'outboard.eq1.ch1.band4.gainDb': 4, 'outboard.eq1.ch1.band3.gainDb': 1.5 });
    expect(s.manager.stats('eq1')?.noiseBytes ?? 0).toBeGreaterThan(1000);
  });

  it('never overruns the unit input buffer: 31 writes during a stall stay within maxInFlight', async () => {
    s = await startStudio([{ id: 'eq1', model: 'eq', serial: 'EQ-overflow' }], { responseTimeoutMs: 400 });
    eqSim().stall(250);
    // 31 different parameters at once: more than the unit's 256-byte input buffer while it is hung.
    const targets: Record<string, number> = {};
    for (const e of s.store.list('outboard.eq1.')) targets[e.id] = (e.steps as readonly number[])[1] as number;
    for (const [id, v] of Object.entries(targets)) s.store.set(id, v, 'api');
    await expectAgreement(targets);
    expect(eqSim().firmware.stats.overflows).toBe(0);
  });
});
