import type { ServerMessage } from './protocol.ts';
import type { RecallSheetsView, TabletActions } from './tablet-actions.ts';

type SheetSource = TabletActions['watchRecallSheets'];

/**
 * Pushes the recall sheets to the tablets: follows the `watchRecallSheets` of the current
 * actions, coalesces bursts (a knob turned through several detents is one push, the newest
 * sheets, once per turn of the event loop) and sends only what changed.
 */
export class RecallSheetPush {
  readonly #broadcast: (text: string) => void;
  #text = '';
  #pending: RecallSheetsView | undefined;
  #watch: { readonly source: SheetSource; readonly stop: () => void } | undefined;
  #running = false;

  constructor(broadcast: (text: string) => void) {
    this.#broadcast = broadcast;
  }

  /** Follow `source` (again, when the actions were replaced); undefined stops following. */
  follow(source: SheetSource | undefined): void {
    this.#running = true;
    if (this.#watch?.source === source) return;
    this.#unfollow();
    if (!source) return;
    const sub = source((view) => this.#schedule(view));
    this.#watch = { source, stop: sub.stop };
    this.#text = sheetsText(sub.current);
  }

  stop(): void {
    this.#running = false;
    this.#unfollow();
  }

  /** What a newly connected tablet gets after `params`: the sheets while any are in force. */
  get greeting(): string | undefined {
    return this.#text !== '' && !this.#text.includes('"sheets":[]') ? this.#text : undefined;
  }

  #unfollow(): void {
    this.#watch?.stop();
    this.#watch = undefined;
  }

  #schedule(view: RecallSheetsView): void {
    const pending = this.#pending !== undefined;
    this.#pending = view;
    if (pending) return;
    setImmediate(() => {
      const latest = this.#pending;
      this.#pending = undefined;
      if (!this.#running || !latest) return;
      const text = sheetsText(latest);
      if (text === this.#text) return;
      this.#text = text;
      this.#broadcast(text);
    });
  }
}

function sheetsText(view: RecallSheetsView): string {
  const msg: ServerMessage = { type: 'recall.sheets', snapshotId: view.snapshotId, sheets: view.sheets };
  return JSON.stringify(msg);
}
