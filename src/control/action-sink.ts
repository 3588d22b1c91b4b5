/**
 * What a surface button can ask of the rest of the daemon. The lead wires an `ActionSink` to
 * the session machine (bypass, A/B, snapshots, learn, transport). Page navigation and the fine
 * modifier are handled inside the surface and never reach the sink.
 */
export type SurfaceAction =
  /** Bypass a stage (`eq`, `comp`, an outboard unit id…) or, without target, the whole chain. */
  | { readonly type: 'bypass'; readonly target?: string }
  /** Toggle the A/B compare. */
  | { readonly type: 'ab' }
  /** Recall snapshot N (1-based slot of the current track). */
  | { readonly type: 'recall'; readonly slot: number }
  /** Save a snapshot (into slot N, or the session's current slot). */
  | { readonly type: 'save'; readonly slot?: number }
  /** Arm MIDI learn on the parameter selected on the tablet (the session knows which). */
  | { readonly type: 'learn' }
  | { readonly type: 'transport'; readonly command: 'play' | 'stop' | 'print' };

export interface ActionOrigin {
  readonly surfaceId: string;
  /** Control id on that surface, e.g. `f1`, `note:0:36`, `key3`. */
  readonly control: string;
}

export interface ActionSink {
  /**
   * Called on the press of a bound control. May return a promise; a rejection is logged by the
   * surface and never crashes it.
   */
  dispatch(action: SurfaceAction, origin: ActionOrigin): void | Promise<void>;
}

/** A sink that records what it receives: for tests and for a daemon without a session yet. */
export class RecordingActionSink implements ActionSink {
  readonly received: { action: SurfaceAction; origin: ActionOrigin }[] = [];
  dispatch(action: SurfaceAction, origin: ActionOrigin): void {
    this.received.push({ action, origin });
  }
}
