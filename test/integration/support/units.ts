import type { ParamStore } from '../../../src/params/param-store.ts';
import type { RecallReport } from '../../../src/state/recall/recall-snapshot.ts';
import type { SnapshotState } from '../../../src/state/store/snapshot-state.ts';
import { api, eventually, type Studio } from './studio.ts';

/** What a simulated unit says it is set to, by front-panel name, in engineering units (its `state`). */
export async function unitValues(studio: Studio, serial: string): Promise<Record<string, number>> {
  const reply = await studio.unit(serial).send('state');
  return reply.values as Record<string, number>;
}

/** A simulated unit's protocol counters (firmware-sim/units/unit-firmware.ts FirmwareStats). */
export interface UnitStats {
  /** SET commands executed: a host that echoed the unit's own changes back would raise it. */
  readonly setsIn: number;
  readonly framesIn: number;
  readonly naksSent: number;
}

export async function unitStats(studio: Studio, serial: string): Promise<UnitStats> {
  const reply = await studio.unit(serial).send('state');
  return reply.stats as UnitStats;
}

/** Wait until the unit itself reports `name` at `value` (read through its control socket). */
export async function unitReaches(studio: Studio, serial: string, name: string, value: number): Promise<void> {
  await eventually(`${serial} ${name} = ${value}`, async () => (await unitValues(studio, serial))[name], (v) => v !== undefined && Math.abs(v - value) < 1e-9);
}

/** Wait until the daemon's ParamStore holds `value` for `id`. */
export async function storeReaches(store: ParamStore, id: string, value: number): Promise<void> {
  await eventually(`store ${id} = ${value}`, () => store.get(id), (v) => Math.abs(v - value) < 1e-9);
}

/** Every configured unit online (the driver found each by its serial on the simulated ports). */
export async function allOnline(studio: Studio, unitIds: readonly string[]): Promise<void> {
  await Promise.all(unitIds.map((id) => studio.daemon.outboard.manager.whenStatus(id, 'online', 20_000)));
}

export async function setParam(studio: Studio, id: string, value: number): Promise<void> {
  const r = await api(studio, 'POST', `/api/params/${encodeURIComponent(id)}`, { value });
  if (r.status !== 200) throw new Error(`POST /api/params/${id}: ${r.status} ${JSON.stringify(r.json)}`);
}

export async function saveSnapshot(studio: Studio, name: string, track = '03 Night Drive'): Promise<number> {
  const r = await api(studio, 'POST', '/api/snapshots', { project: 'Album', track, name });
  if (r.status !== 200) throw new Error(`POST /api/snapshots: ${r.status} ${JSON.stringify(r.json)}`);
  const body = r.json as { id: number; warnings: unknown[] };
  if (body.warnings.length > 0) throw new Error(`snapshot saved with warnings: ${JSON.stringify(body.warnings)}`);
  return body.id;
}

export async function snapshotState(studio: Studio, id: number): Promise<SnapshotState> {
  const r = await api(studio, 'GET', `/api/snapshots/${id}`);
  if (r.status !== 200) throw new Error(`GET /api/snapshots/${id}: ${r.status}`);
  return (r.json as { state: SnapshotState }).state;
}

export async function recall(studio: Studio, id: number): Promise<RecallReport> {
  const r = await api(studio, 'POST', `/api/snapshots/${id}/recall`);
  if (r.status !== 200) throw new Error(`POST /api/snapshots/${id}/recall: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as RecallReport;
}

/** `outboard.<unitId>.<name>` -> `<name>`, for comparing snapshot values with a unit's own state. */
export function byName(unitId: string, values: Readonly<Record<string, number>>): Record<string, number> {
  const prefix = `outboard.${unitId}.`;
  return Object.fromEntries(Object.entries(values).map(([id, v]) => [id.startsWith(prefix) ? id.slice(prefix.length) : id, v]));
}
