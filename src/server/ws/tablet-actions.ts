import { BridgeError } from '../../errors.ts';
import type { ActionAvailability, RecallSheetsMessage } from './protocol.ts';

/** The recall sheets as pushed to tablets (the `recall.sheets` message without its type). */
export type RecallSheetsView = Omit<RecallSheetsMessage, 'type'>;

/** Who asked, for logs and for the source of any parameter change the action makes. */
export interface ActionContext {
  /** `tablet:<clientId>` */
  readonly source: string;
  /** Aborted when the tablet disconnects (or cancels a learn); long actions must honour it. */
  readonly signal: AbortSignal;
}

export interface LearnResult {
  readonly paramId: string;
  /** The physical control now bound, in words ("X-Touch encoder 3"). */
  readonly control: string;
  readonly [extra: string]: unknown;
}

export type TransportCommand = { readonly command: 'play' } | { readonly command: 'stop' } | { readonly command: 'print' } | { readonly command: 'locate'; readonly positionS: number };

export interface CalibrationOutcome {
  readonly latencySamples: number;
  readonly [extra: string]: unknown;
}

/** Plain JSON the action wants the tablet to see (the `data` of the `result` message). */
export type ActionData = Readonly<Record<string, unknown>> | readonly unknown[];

/**
 * What the tablet can ask other parts of the daemon to do. Each part implements its methods
 * (control: learn; audio: transport, calibrate; state: snapshots) and the composition root
 * hands them to `TabletServer.setActions`. Every method returns a promise: the tablet gets a
 * `result` with the resolved value, or an `error` with the BridgeError's code (a non-Bridge
 * error becomes E_WS_ACTION_FAILED and is logged). A method that is absent answers
 * E_WS_ACTION_UNAVAILABLE: the page greys out what the `state` message says is missing.
 */
export interface TabletActions {
  /** Arm MIDI learn for a parameter; resolves when a control was moved and bound (E_LEARN_TIMEOUT otherwise). */
  learn(paramId: string, ctx: ActionContext): Promise<LearnResult>;
  transport(command: TransportCommand, ctx: ActionContext): Promise<ActionData>;
  snapshotList(ctx: ActionContext): Promise<ActionData>;
  snapshotSave(request: { readonly name: string; readonly note?: string; readonly project?: string; readonly track?: string }, ctx: ActionContext): Promise<ActionData>;
  snapshotRecall(request: { readonly id: number }, ctx: ActionContext): Promise<ActionData>;
  snapshotAb(request: { readonly side: 'a' | 'b' | 'toggle'; readonly a?: number; readonly b?: number }, ctx: ActionContext): Promise<ActionData>;
  /** Tick or untick a recall-sheet line by hand; resolves with the sheets. */
  recallSheetConfirm(request: { readonly unitId: string; readonly id: string; readonly confirmed: boolean }, ctx: ActionContext): Promise<ActionData>;
  /** Clear the recall sheets; resolves with the (empty) sheets. */
  recallSheetDismiss(ctx: ActionContext): Promise<ActionData>;
  /**
   * Not a request: the server calls it once to follow the recall sheets, and pushes
   * `recall.sheets` to every tablet when they change. Returns the sheets now and the unsubscribe.
   */
  watchRecallSheets(listener: (view: RecallSheetsView) => void): { readonly current: RecallSheetsView; readonly stop: () => void };
  /** Measure the insert round trip; resolves with the result (also stored by the audio part). */
  calibrate(request: { readonly route?: string }, ctx: ActionContext): Promise<CalibrationOutcome>;
}

export function availability(actions: Partial<TabletActions>): ActionAvailability {
  return {
    learn: actions.learn !== undefined,
    transport: actions.transport !== undefined,
    snapshots: actions.snapshotList !== undefined || actions.snapshotSave !== undefined || actions.snapshotRecall !== undefined || actions.snapshotAb !== undefined,
    calibrate: actions.calibrate !== undefined,
  };
}

export function unavailable(what: string): BridgeError {
  return new BridgeError('E_WS_ACTION_UNAVAILABLE', `${what} is not available in this daemon (the part that provides it is not running)`, {
    details: { action: what },
  });
}
