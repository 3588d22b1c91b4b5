import type { ActionOrigin, ActionSink, SurfaceAction } from '../control/action-sink.ts';
import type { Logger } from '../logger.ts';
import type { ParamStore } from '../params/param-store.ts';
import type { SessionActor } from './session-machine.ts';
import type { snapshotActions } from './snapshot-actions.ts';
import type { StorePart } from './store-part.ts';

export interface SurfaceActionDeps {
  /** The same snapshot actions the tablet uses (one A/B state for the whole room). */
  readonly snapshots: ReturnType<typeof snapshotActions>;
  readonly storePart: StorePart;
  readonly session: SessionActor;
  readonly params: ParamStore;
  readonly log: Logger;
  /** Where prints go when a surface button starts one. */
  readonly printFile: () => string;
}

/**
 * What a surface button does (src/control/action-sink.ts): bypass toggles, snapshot slots of
 * the current track, A/B, and the transport, all through the same paths the tablet and the
 * HTTP API use, with the surface as the source of any parameter change.
 */
export function surfaceActionSink(deps: SurfaceActionDeps): ActionSink {
  const snaps = deps.snapshots;
  const ctx = (origin: ActionOrigin) => ({ source: `surface:${origin.surfaceId}`, signal: new AbortController().signal });

  const slotSnapshot = (slot: number): number | undefined => {
    const cur = deps.storePart.current;
    if (cur.projectId === null) return undefined;
    const track = deps.storePart.store.getProject(cur.projectId).tracks.find((t) => t.id === cur.trackId);
    return track?.snapshots[slot - 1]?.id;
  };

  return {
    dispatch: async (action: SurfaceAction, origin: ActionOrigin) => {
      const source = `surface:${origin.surfaceId}`;
      switch (action.type) {
        case 'bypass': {
          const id = `${action.target ?? 'chain'}.bypass`;
          if (!deps.params.has(id)) {
            deps.log.warn({ id, surface: origin.surfaceId }, `no bypass parameter ${id}`);
            return;
          }
          deps.params.set(id, deps.params.get(id) >= 0.5 ? 0 : 1, source);
          return;
        }
        case 'recall': {
          const id = slotSnapshot(action.slot);
          if (id === undefined) deps.log.warn({ slot: action.slot }, 'no snapshot in that slot of the current track');
          else await snaps.snapshotRecall({ id }, ctx(origin));
          return;
        }
        case 'save':
          await snaps.snapshotSave({ name: action.slot !== undefined ? `Slot ${action.slot}` : `Saved ${new Date().toISOString().slice(0, 16).replace('T', ' ')}` }, ctx(origin));
          return;
        case 'ab':
          await snaps.snapshotAb({ side: 'toggle' }, ctx(origin));
          return;
        case 'transport':
          if (action.command === 'play') deps.session.send({ type: 'transport.play' });
          else if (action.command === 'stop') deps.session.send({ type: 'transport.stop' });
          else deps.session.send({ type: 'transport.print', print: { file: deps.printFile(), format: 'pcm24' } });
          return;
        case 'learn':
          deps.log.info({ surface: origin.surfaceId }, 'learn: choose the parameter on the tablet (its Learn button), then move a control');
          return;
      }
    },
  };
}
