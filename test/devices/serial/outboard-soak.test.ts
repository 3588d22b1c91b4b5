import { describe, expect, it } from 'vitest';
import { requireTool } from '../../support/require-tool.ts';
import { leakedAfterSettling, resourceSnapshot } from './support/resources.ts';
import { startStudio, unitValues, type Studio } from './support/studio.ts';

/**
 * Soak: random knob sweeps, front-panel turns, recalls and every kind of fault on three units at once;
 * afterwards the ParamStore, the driver's view of each unit, and the units agree, every unit is online,
 * and nothing leaked. Opt-in in `npm test` (SOAK=1), always under CI; bounded to 60 s (SOAK_SECONDS).
 */
const enabled = process.env.SOAK === '1' || process.env.CI === 'true';
const seconds = Math.min(60, Number(process.env.SOAK_SECONDS ?? 40));
const socat = enabled ? requireTool('socat') : { ok: false, reason: '' };

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!enabled || !socat.ok)(`outboard soak, ${seconds} s${enabled ? (socat.ok ? '' : ` (${socat.reason})`) : ' (skipped: set SOAK=1 to run)'}`, () => {
  it(
    'three units under random sweeps and faults end in agreement, with nothing leaked',
    async () => {
      const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
      const random = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const before = resourceSnapshot();
      const s: Studio = await startStudio([
        { id: 'eq1', model: 'eq', serial: 'EQ-soak', onPowerCycle: 'resend' },
        { id: 'comp1', model: 'comp', serial: 'BC-soak', onPowerCycle: 'adopt' },
        { id: 'sw1', model: 'switcher', serial: 'IS-soak', transport: 'tcp', onPowerCycle: 'resend' },
      ]);
      const ids = ['eq1', 'comp1', 'sw1'] as const;
      const counts = { sets: 0, panel: 0, recalls: 0, faults: {} as Record<string, number> };
      const background: Promise<unknown>[] = [];
      const deadline = Date.now() + seconds * 1000;
      let nextFault = Date.now() + 500;
      try {
        while (Date.now() < deadline) {
          const unitId = pick(ids);
          const sim = s.sims.get(unitId);
          if (!sim) throw new Error(unitId);
          const entries = s.store.list(`outboard.${unitId}.`);
          const r = random();
          if (r < 0.75) {
            // A knob sweep: several values of one control in quick succession.
            const e = pick(entries);
            for (let i = 0; i < 1 + Math.floor(random() * 8); i++) {
              const v = e.steps ? pick(e.steps) : e.min + random() * (e.max - e.min);
              s.store.set(e.id, v, 'surface:soak');
              counts.sets++;
            }
          } else if (r < 0.93) {
            const c = pick(sim.firmware.model.controls);
            if (sim.firmware.power === 'running') {
              sim.turn(c.name, pick([-3, -1, 1, 2]));
              counts.panel++;
            }
          } else {
            const targets: Record<string, number> = {};
            for (const e of entries) if (random() < 0.5) targets[e.id] = e.steps ? pick(e.steps) : e.min + random() * (e.max - e.min);
            background.push(s.manager.recall(unitId, targets).catch(() => undefined));
            counts.recalls++;
          }
          if (Date.now() >= nextFault) {
            nextFault = Date.now() + 700 + random() * 1500;
            const fault = pick(['drop', 'corrupt', 'stall', 'garbage', 'power', 'unplug']);
            counts.faults[fault] = (counts.faults[fault] ?? 0) + 1;
            switch (fault) {
              case 'drop':
              case 'corrupt':
                sim.setLineFault(fault, pick(['rx', 'tx', 'both'] as const), 0.005 + random() * 0.02);
                background.push(sleep(200 + random() * 500).then(() => sim.clearFaults()));
                break;
              case 'stall':
                sim.stall(50 + random() * 1500);
                break;
              case 'garbage':
                sim.garbage(100 + Math.floor(random() * 2000));
                break;
              case 'power':
                sim.powerCycle(random() < 0.5);
                break;
              case 'unplug':
                background.push(
                  sim
                    .unplug()
                    .then(() => sleep(100 + random() * 800))
                    .then(() => sim.replug()),
                );
                break;
            }
          }
          await sleep(5 + random() * 25);
        }
        await Promise.all(background);
        for (const id of ids) s.sims.get(id)?.clearFaults();
        // Quiet now: every unit comes back, every write lands, one last read-back.
        for (const id of ids) await s.manager.whenStatus(id, 'online', 30_000);
        await sleep(700); // a power cycle started just before the deadline finishes booting
        for (const id of ids) await s.manager.whenStatus(id, 'online', 30_000);
        for (const id of ids) {
          await s.manager.idle(id);
          await s.manager.refresh(id);
        }
        for (const id of ids) {
          const sim = s.sims.get(id);
          if (!sim) throw new Error(id);
          const context = `${id}, seed ${seed}, ${JSON.stringify(counts)}`;
          expect(s.store.values(`outboard.${id}.`), context).toEqual(unitValues(sim, id));
          expect(s.manager.reported(id), context).toEqual(unitValues(sim, id));
          expect(s.manager.units().find((u) => u.id === id)?.status, context).toBe('online');
        }
        expect(counts.sets).toBeGreaterThan(100);
        expect(Object.keys(counts.faults).length).toBeGreaterThanOrEqual(4);
      } finally {
        await s.stop();
      }
      expect(s.store.listenerCount('change') + s.store.listenerCount('batch')).toBe(0);
      expect(await leakedAfterSettling(before)).toEqual({});
    },
    (seconds + 60) * 1000,
  );
});
