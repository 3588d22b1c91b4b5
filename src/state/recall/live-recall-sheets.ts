import { EventEmitter } from 'node:events';
import { BridgeError } from '../../errors.ts';
import { RecallChecklist, type ChecklistLine } from './recall-checklist.ts';
import type { ParamWatch } from './recallable-unit.ts';
import { isAtTarget, type RecallSheet, type SpecLookup } from './recall-sheet.ts';

/** One hand-set unit's sheet as the tablet shows it. */
export interface LiveSheet {
  readonly unitId: string;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  /** The unit reports its front panel: lines tick themselves; otherwise the engineer ticks them. */
  readonly reporting: boolean;
  readonly remaining: number;
  readonly complete: boolean;
  readonly lines: readonly ChecklistLine[];
}

/** The recall sheets of the last recall (or A/B switch): empty when it had no hand-set unit. */
export interface LiveSheetsView {
  readonly snapshotId: number | null;
  readonly sheets: readonly LiveSheet[];
}

interface LiveRecallSheetsEvents {
  /** Sheets replaced or dismissed, a line moved or was ticked. Bursts are not coalesced here. */
  change: [LiveSheetsView];
}

export interface LiveRecallSheetsOptions {
  /** `ParamStore.watch`. */
  readonly watch: ParamWatch;
  readonly specOf: SpecLookup;
  /** The value the ParamStore holds now (for a hand-set unit: what it reported last). */
  readonly current: (id: string) => number | undefined;
}

/**
 * The recall sheets in force: the hand-set units of the snapshot recalled last, each a live
 * RecallChecklist whose lines turn green as the unit's front-panel notifications report the
 * knobs at their targets. A new recall replaces them; `dismiss` clears them.
 */
export class LiveRecallSheets extends EventEmitter<LiveRecallSheetsEvents> {
  readonly #o: LiveRecallSheetsOptions;
  #snapshotId: number | null = null;
  #checklists: RecallChecklist[] = [];
  #meta = new Map<string, RecallSheet>();

  constructor(options: LiveRecallSheetsOptions) {
    super();
    this.#o = options;
  }

  /** Show the sheets of a recall report (replacing the previous ones). */
  show(report: { readonly snapshotId: number | null; readonly sheets: readonly RecallSheet[] }): void {
    this.#clear();
    this.#snapshotId = report.snapshotId;
    for (const sheet of report.sheets) {
      // A knob may have moved between the recall's read-back and now: start from what the
      // store says the unit reports (the driver mirrors every front-panel notification there).
      const fresh = sheet.reporting ? { ...sheet, lines: sheet.lines.map((l) => this.#refresh(l)) } : sheet;
      const checklist = new RecallChecklist(fresh, { watch: this.#o.watch, specOf: this.#o.specOf });
      checklist.on('line', () => this.#changed());
      this.#checklists.push(checklist);
      this.#meta.set(sheet.unitId, sheet);
    }
    this.#changed();
  }

  /** The engineer ticks (or unticks) a line by hand. */
  confirm(unitId: string, lineId: string, confirmed = true): ChecklistLine {
    const checklist = this.#checklists.find((c) => c.unitId === unitId);
    if (!checklist) throw new BridgeError('E_STORE_NOT_FOUND', `no recall sheet for ${unitId}`, { details: { unitId } });
    return checklist.confirm(lineId, confirmed);
  }

  /** Clear the sheets (the engineer is done with them). */
  dismiss(): void {
    if (this.#checklists.length === 0 && this.#snapshotId === null) return;
    this.#clear();
    this.#changed();
  }

  view(): LiveSheetsView {
    return {
      snapshotId: this.#snapshotId,
      sheets: this.#checklists.map((c) => {
        const m = this.#meta.get(c.unitId) as RecallSheet;
        return { unitId: c.unitId, model: m.model, serial: m.serial, firmware: m.firmware, reporting: m.reporting, remaining: c.remaining, complete: c.complete, lines: c.lines };
      }),
    };
  }

  /** Stop listening to the store. */
  dispose(): void {
    this.#clear();
    this.removeAllListeners();
  }

  #refresh(line: RecallSheet['lines'][number]): RecallSheet['lines'][number] {
    const now = this.#o.current(line.id);
    if (now === undefined) return line;
    return { ...line, current: now, atTarget: isAtTarget(this.#o.specOf(line.id), line.target, now) };
  }

  #clear(): void {
    for (const c of this.#checklists) c.dispose();
    this.#checklists = [];
    this.#meta = new Map();
    this.#snapshotId = null;
  }

  #changed(): void {
    this.emit('change', this.view());
  }
}
