import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OutboardUnitConfig } from '../../../../src/config/sections/outboard.ts';
import type { DeviceStatus } from '../../../../src/devices/device-status.ts';
import { OutboardManager } from '../../../../src/devices/serial/outboard-manager.ts';
import type { OutboardTiming } from '../../../../src/devices/serial/outboard-timing.ts';
import { silentLogger } from '../../../../src/logger.ts';
import { ParamStore } from '../../../../src/params/param-store.ts';
import type { UnitModelKey } from '../../../../firmware-sim/units/model-table.ts';
import { SimUnit } from '../../../../firmware-sim/units/sim-unit.ts';

export const PROFILE: Record<UnitModelKey, string> = { eq: 'hb-seq4', comp: 'hb-bc2', switcher: 'hb-is6', passive: 'hb-peq1' };

/** Fast reconnects and tolerant timeouts: the test machine has 2 shared cores. */
export const TEST_TIMING: Partial<OutboardTiming> = {
  backoffMinMs: 20,
  backoffMaxMs: 300,
  probeTimeoutMs: 200,
  keepaliveMs: 400,
  resyncDelayMs: 30,
  meterIntervalMs: 40,
  responseTimeoutMs: 120,
  scanSystemPorts: false,
};

export interface StudioUnit {
  id: string;
  model: UnitModelKey;
  serial: string;
  transport?: 'pty' | 'tcp';
  onPowerCycle?: 'resend' | 'adopt';
}

export interface Studio {
  store: ParamStore;
  manager: OutboardManager;
  sims: Map<string, SimUnit>;
  /** Every status report, in order. */
  statuses: [string, DeviceStatus, string | undefined][];
  /** Every change the store saw, with its source. */
  changes: { id: string; value: number; source: string }[];
  dir: string;
  stop(): Promise<void>;
}

/** Simulated units in this process on real ptys (socat) or TCP, and an OutboardManager connected to them. */
export async function startStudio(units: readonly StudioUnit[], timing: Partial<OutboardTiming> = {}): Promise<Studio> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hb-studio-'));
  const sims = new Map<string, SimUnit>();
  for (const u of units) {
    const sim = new SimUnit({
      model: u.model,
      serial: u.serial,
      stateFile: path.join(dir, `${u.serial}.json`),
      ...((u.transport ?? 'pty') === 'pty' ? { pty: path.join(dir, `${u.serial}.pty`) } : { tcp: '127.0.0.1:0' }),
    });
    await sim.start();
    sims.set(u.id, sim);
  }
  const bySerial = new Map([...sims.values()].map((s) => [s.serial, s]));
  const store = new ParamStore();
  const statuses: Studio['statuses'] = [];
  const configs: OutboardUnitConfig[] = units.map((u) => ({
    id: u.id,
    profile: PROFILE[u.model],
    serial: u.serial,
    port: 'sim',
    baudRate: 115200,
    required: true,
    onPowerCycle: u.onPowerCycle ?? 'resend',
  }));
  const manager = new OutboardManager({
    store,
    units: configs,
    profilesDir: 'config/gear',
    log: silentLogger(),
    report: (id, status, reason) => statuses.push([id, status, reason]),
    resolvePort: (u) => {
      const a = bySerial.get(u.serial)?.address;
      return a ? [a] : [];
    },
    timing: { ...TEST_TIMING, ...timing },
  });
  await manager.start();
  const changes: Studio['changes'] = [];
  const unwatch = store.watch((cs, source) => {
    for (const c of cs) changes.push({ id: c.id, value: c.value, source });
  });
  await Promise.all(units.map((u) => manager.whenStatus(u.id, 'online', 15_000)));
  return {
    store,
    manager,
    sims,
    statuses,
    changes,
    dir,
    stop: async () => {
      unwatch();
      await manager.stop();
      for (const s of sims.values()) await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll until `check` holds (the timeout is only a safety net: a failure, never a measurement). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The unit's values (engineering units) under their ParamStore ids. */
export function unitValues(sim: SimUnit, unitId: string): Record<string, number> {
  return Object.fromEntries(Object.entries(sim.firmware.values()).map(([k, v]) => [`outboard.${unitId}.${k}`, v]));
}
