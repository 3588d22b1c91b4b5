import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnapshotState } from '../../../src/state/store/snapshot-state.ts';
import { rng } from '../../support/rng.ts';

/** A fresh directory per test under the OS temp dir; `cleanup` removes it. */
export function tempDir(prefix = 'hb-store-'): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}


export interface StateShape {
  digitalCount?: number;
  /** One entry per unit: its number of parameters. */
  unitCounts?: readonly number[];
  loudness?: boolean;
  calibration?: boolean;
}

/** A complete, valid snapshot state with `seed`-dependent values. */
export function makeState(seed: number, shape: StateShape = {}): SnapshotState {
  const r = rng(seed);
  const digital: Record<string, number> = {};
  for (let i = 0; i < (shape.digitalCount ?? 40); i++) digital[`eq.band${i}.gainDb`] = Math.round((r() * 24 - 12) * 100) / 100;
  const outboard = (shape.unitCounts ?? [8, 6]).map((n, u) => {
    const unitId = `unit${u + 1}`;
    const values: Record<string, number> = {};
    for (let i = 0; i < n; i++) values[`outboard.${unitId}.p${i}`] = Math.round(r() * 1000) / 10;
    return { unitId, model: `Model-${u + 1}`, serial: `SN-${1000 + u}`, firmware: '1.2.0', recallMode: 'electronic' as const, values };
  });
  return {
    digital,
    outboard,
    routing: { insertUnits: outboard.map((u) => u.unitId) },
    surfacePages: { xtouch: 'eq' },
    calibration:
      shape.calibration === false
        ? null
        : {
            route: { interface: 'Fake Interface', sendChannels: [3, 4], returnChannels: [3, 4], sampleRateHz: 48000, blockSize: 256 },
            latencySamples: 61 + (seed % 7),
            gainDb: -0.25,
            polarity: 1,
          },
    note: `take ${seed}: a touch more air`,
    loudness: shape.loudness === false ? null : { integratedLufs: -14 + r() * 4, loudnessRangeLu: 4 + r() * 4, truePeakDbtp: -1 - r() },
  };
}
