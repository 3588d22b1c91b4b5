import type { ParamSpec } from '../../params/param-spec.ts';
import type { ParamPort } from './audio-interface.ts';

type Change = { readonly id: string; readonly value: number };

/**
 * The audio worker's copy of the parameters the interface follows (`monitor.*`, `insert.*`,
 * `outboard.<unit>.*` of the simulated units). The main thread's ParamStore validates and
 * quantises; this mirror only holds what it is sent (`apply`) and tells the interface.
 */
export class ParamMirror implements ParamPort {
  readonly #values = new Map<string, number>();
  readonly #listeners = new Set<(changes: readonly Change[]) => void>();

  constructor(initial: Readonly<Record<string, number>> = {}) {
    for (const [id, v] of Object.entries(initial)) this.#values.set(id, v);
  }

  has(id: string): boolean {
    return this.#values.has(id);
  }

  get(id: string): number {
    const v = this.#values.get(id);
    if (v === undefined) throw new RangeError(`param mirror: no value for ${id}`);
    return v;
  }

  values(prefix = ''): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, v] of this.#values) if (id.startsWith(prefix)) out[id] = v;
    return out;
  }

  /** Specs the main thread has not sent a value for start at their defaults. */
  register(specs: readonly ParamSpec[]): void {
    for (const s of specs) if (!this.#values.has(s.id)) this.#values.set(s.id, s.default);
  }

  watch(listener: (changes: readonly Change[]) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Values from the main thread, as one batch. */
  apply(entries: readonly (readonly [string, number])[]): void {
    const changes: Change[] = [];
    for (const [id, value] of entries) {
      if (this.#values.get(id) === value) continue;
      this.#values.set(id, value);
      changes.push({ id, value });
    }
    if (changes.length === 0) return;
    for (const l of this.#listeners) l(changes);
  }
}
