import { BridgeError } from '../errors.ts';
import type { TabletActions } from '../server/ws/tablet-actions.ts';
import { SnapshotAB } from './recall/snapshot-ab.ts';
import type { RecallableUnit } from './recall/recallable-unit.ts';
import type { SessionSnapshots } from './session-snapshots.ts';
import type { StorePart } from './store-part.ts';
import type { ParamStore } from '../params/param-store.ts';

export interface SnapshotActionDeps {
  readonly storePart: StorePart;
  readonly snapshots: SessionSnapshots;
  readonly params: ParamStore;
  readonly units: () => readonly RecallableUnit[];
  /** Recall through the session machine (the API's path), answering the report. */
  readonly recall: (id: number) => Promise<unknown>;
}

const DEFAULT_PROJECT = 'Session';
const DEFAULT_TRACK = 'Track 1';

/**
 * The tablet's (and the surfaces') snapshot actions: list, save into the current track,
 * recall, and A/B between two versions of a track. The current project/track/snapshot is
 * kept with the live session so a restart comes back to it.
 */
export function snapshotActions(
  deps: SnapshotActionDeps,
): Pick<TabletActions, 'snapshotList' | 'snapshotSave' | 'snapshotRecall' | 'snapshotAb' | 'recallSheetConfirm' | 'recallSheetDismiss' | 'watchRecallSheets'> {
  let ab: SnapshotAB | undefined;
  const store = () => deps.storePart.store;

  const currentNames = (): { project: string; track: string } => {
    const cur = deps.storePart.current;
    if (cur.projectId === null) return { project: DEFAULT_PROJECT, track: DEFAULT_TRACK };
    const project = store().getProject(cur.projectId);
    const track = project.tracks.find((t) => t.id === cur.trackId) ?? project.tracks[0];
    return { project: project.name, track: track?.name ?? DEFAULT_TRACK };
  };

  return {
    // `session`: what the start did with the saved live session (units whose values were withheld).
    snapshotList: async () => ({ projects: store().listProjects(), current: deps.storePart.current, session: deps.storePart.restoreReport }),

    snapshotSave: async (req) => {
      const current = currentNames();
      const where = { project: req.project ?? current.project, track: req.track ?? current.track };
      const { id, problems } = await deps.snapshots.save({ ...where, name: req.name, note: req.note });
      const saved = store().getSnapshot(id);
      deps.storePart.setCurrent({ projectId: saved.projectId, trackId: saved.trackId, snapshotId: id });
      return { id, ...where, warnings: problems };
    },

    snapshotRecall: async (req) => {
      const report = await deps.recall(req.id);
      const s = store().getSnapshot(req.id);
      deps.storePart.setCurrent({ projectId: s.projectId, trackId: s.trackId, snapshotId: s.id });
      return { report };
    },

    snapshotAb: async (req, ctx) => {
      if (req.a !== undefined && req.b !== undefined && (!ab || ab.a.id !== req.a || ab.b.id !== req.b)) {
        ab = new SnapshotAB(store().getSnapshot(req.a), store().getSnapshot(req.b), { params: deps.params, units: new Map(deps.units().map((u) => [u.id, u])) });
      }
      if (!ab) throw new BridgeError('E_RECALL_AB_TRACKS', 'choose two snapshots of the same track (a and b) first');
      const report = req.side === 'toggle' ? await ab.toggle({ signal: ctx.signal }) : await ab.select(req.side, { signal: ctx.signal });
      deps.snapshots.sheets.show(report);
      return { active: ab.active, a: ab.a.id, b: ab.b.id, diff: ab.diff, report };
    },

    recallSheetConfirm: async (req) => {
      deps.snapshots.sheets.confirm(req.unitId, req.id, req.confirmed);
      return { ...deps.snapshots.sheets.view() };
    },

    recallSheetDismiss: async () => {
      deps.snapshots.sheets.dismiss();
      return { ...deps.snapshots.sheets.view() };
    },

    watchRecallSheets: (listener) => {
      const sheets = deps.snapshots.sheets;
      sheets.on('change', listener);
      return { current: sheets.view(), stop: () => sheets.off('change', listener) };
    },
  };
}
