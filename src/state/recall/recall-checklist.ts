import { EventEmitter } from 'node:events';
import { BridgeError } from '../../errors.ts';
import type { ParamWatch } from './recallable-unit.ts';
import { isAtTarget, type RecallSheet, type RecallSheetLine, type SpecLookup } from './recall-sheet.ts';

export interface ChecklistLine extends RecallSheetLine {
  /** Ticked by hand on the tablet (a unit that does not report its front panel). */
  readonly confirmed: boolean;
  /** Green: at its target as reported by the unit, or confirmed by hand. */
  readonly done: boolean;
}

interface RecallChecklistEvents {
  /** A line changed (its knob moved, or it was confirmed). */
  line: [ChecklistLine];
  /** Every line is done. Emitted each time the list becomes complete. */
  complete: [];
}

export interface RecallChecklistOptions {
  /** `ParamStore.watch`: only changes whose source is `outboard:<unitId>` move the lines. */
  watch: ParamWatch;
  specOf: SpecLookup;
}

/**
 * The live recall sheet of one hand-set unit. A line turns green when the unit's
 * front-panel notification (arriving through the ParamStore with source `outboard:<unitId>`)
 * reports the knob at its target, and turns back if the knob moves off again. Changes from
 * any other source (a tablet, a recall) say nothing about where the physical knob is.
 */
export class RecallChecklist extends EventEmitter<RecallChecklistEvents> {
  readonly unitId: string;
  readonly #lines = new Map<string, ChecklistLine>();
  readonly #specOf: SpecLookup;
  readonly #source: string;
  #unwatch: (() => void) | null;

  constructor(sheet: RecallSheet, options: RecallChecklistOptions) {
    super();
    this.unitId = sheet.unitId;
    this.#specOf = options.specOf;
    this.#source = `outboard:${sheet.unitId}`;
    for (const l of sheet.lines) this.#lines.set(l.id, { ...l, confirmed: false, done: l.atTarget });
    this.#unwatch = options.watch((changes, source) => {
      if (source !== this.#source) return;
      for (const c of changes) this.#report(c.id, c.value);
    });
  }

  get lines(): readonly ChecklistLine[] {
    return [...this.#lines.values()];
  }

  get remaining(): number {
    let n = 0;
    for (const l of this.#lines.values()) if (!l.done) n++;
    return n;
  }

  get complete(): boolean {
    return this.remaining === 0;
  }

  /** The engineer ticks a line by hand (units without front-panel reporting). */
  confirm(id: string, confirmed = true): ChecklistLine {
    const line = this.#lines.get(id);
    if (!line) throw new BridgeError('E_STORE_NOT_FOUND', `no line ${id} on the recall sheet of ${this.unitId}`, { details: { id, unitId: this.unitId } });
    return this.#update({ ...line, confirmed, done: confirmed || line.atTarget });
  }

  /** Stop listening. Idempotent. */
  dispose(): void {
    this.#unwatch?.();
    this.#unwatch = null;
    this.removeAllListeners();
  }

  #report(id: string, value: number): void {
    const line = this.#lines.get(id);
    if (!line) return;
    const atTarget = isAtTarget(this.#specOf(id), line.target, value);
    this.#update({ ...line, current: value, atTarget, done: atTarget || line.confirmed });
  }

  #update(next: ChecklistLine): ChecklistLine {
    const before = this.#lines.get(next.id);
    const wasComplete = this.complete;
    this.#lines.set(next.id, next);
    if (before?.done !== next.done || before.current !== next.current) this.emit('line', next);
    if (!wasComplete && this.complete) this.emit('complete');
    return next;
  }
}
