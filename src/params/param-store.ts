import { EventEmitter } from 'node:events';
import { BridgeError } from '../errors.ts';
import { defineParam, type ParamSpec, type ParamSpecInput } from './param-spec.ts';
import { denormalise, normalise, quantise } from './taper.ts';

/**
 * Who caused a change. Consumers compare it with their own id to avoid echoing a
 * change back to where it came from. Conventional forms:
 *   `surface:<surfaceId>` (optionally `surface:<surfaceId>/<control>`),
 *   `tablet:<clientId>`, `outboard:<unitId>`, `api`, `recall`, `session`, `engine`, `default`.
 */
export type ParamSource = string;

export interface ParamChange {
  readonly id: string;
  readonly value: number;
  readonly previous: number;
  readonly source: ParamSource;
}

export interface ParamBatch {
  readonly source: ParamSource;
  readonly changes: readonly ParamChange[];
}

export interface ParamEntry extends ParamSpec {
  readonly value: number;
}

interface ParamStoreEvents {
  /** One parameter changed through `set`. */
  change: [ParamChange];
  /** Several parameters changed atomically through `setMany` (one event for the whole batch). */
  batch: [ParamBatch];
  /** Parameters were registered or removed (a unit profile loaded, a device went away). */
  registry: [{ added: readonly string[]; removed: readonly string[] }];
}

/**
 * The single source of truth for every parameter value in the daemon.
 * `set` validates, quantises, stores and emits exactly one event; invalid input
 * throws a BridgeError and leaves the store untouched.
 */
export class ParamStore extends EventEmitter<ParamStoreEvents> {
  readonly #specs = new Map<string, ParamSpec>();
  readonly #values = new Map<string, number>();

  constructor() {
    super();
    // Many consumers (surfaces, tablets, outboard drivers, the engine) listen.
    this.setMaxListeners(0);
  }

  register(inputs: ParamSpecInput | ParamSpec | readonly (ParamSpecInput | ParamSpec)[]): ParamSpec[] {
    const list = Array.isArray(inputs) ? inputs : [inputs as ParamSpecInput];
    const specs = list.map((i) => defineParam(i as ParamSpecInput));
    const seen = new Set<string>();
    for (const s of specs) {
      if (this.#specs.has(s.id) || seen.has(s.id)) {
        throw new BridgeError('E_PARAM_DUPLICATE', `parameter ${s.id} is already registered`, { details: { id: s.id } });
      }
      seen.add(s.id);
    }
    for (const s of specs) {
      this.#specs.set(s.id, s);
      this.#values.set(s.id, s.default);
    }
    if (specs.length > 0) this.emit('registry', { added: specs.map((s) => s.id), removed: [] });
    return specs;
  }

  /** Remove every parameter whose id starts with `prefix` (e.g. `outboard.eq1.`). */
  unregister(prefix: string): string[] {
    const removed = [...this.#specs.keys()].filter((id) => id.startsWith(prefix));
    for (const id of removed) {
      this.#specs.delete(id);
      this.#values.delete(id);
    }
    if (removed.length > 0) this.emit('registry', { added: [], removed });
    return removed;
  }

  has(id: string): boolean {
    return this.#specs.has(id);
  }

  spec(id: string): ParamSpec {
    const s = this.#specs.get(id);
    if (!s) throw unknown(id);
    return s;
  }

  get(id: string): number {
    const v = this.#values.get(id);
    if (v === undefined) throw unknown(id);
    return v;
  }

  getNormalised(id: string): number {
    return normalise(this.spec(id), this.get(id));
  }

  ids(): string[] {
    return [...this.#specs.keys()];
  }

  list(prefix = ''): ParamEntry[] {
    const out: ParamEntry[] = [];
    for (const [id, spec] of this.#specs) {
      if (id.startsWith(prefix)) out.push({ ...spec, value: this.#values.get(id) as number });
    }
    return out;
  }

  /** Every value, keyed by id (for snapshots). */
  values(prefix = ''): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, v] of this.#values) if (id.startsWith(prefix)) out[id] = v;
    return out;
  }

  /**
   * Validate, quantise and store. Returns the value as stored. Emits `change` only when
   * the stored value actually changes (a repeated value is not news to anyone).
   */
  set(id: string, value: number, source: ParamSource): number {
    const spec = this.spec(id);
    const stored = this.#validate(spec, value);
    const previous = this.#values.get(id) as number;
    if (Object.is(previous, stored)) return stored;
    this.#values.set(id, stored);
    this.emit('change', { id, value: stored, previous, source });
    return stored;
  }

  setNormalised(id: string, position: number, source: ParamSource): number {
    if (typeof position !== 'number' || !Number.isFinite(position) || position < 0 || position > 1) {
      throw new BridgeError('E_PARAM_RANGE', `${id}: normalised position ${String(position)} is outside 0..1`, {
        details: { id, value: position },
      });
    }
    return this.set(id, denormalise(this.spec(id), position), source);
  }

  /**
   * Atomic bulk set (recall, A/B, session restore): every entry is validated first;
   * if any fails nothing changes. One `batch` event carries every actual change.
   */
  setMany(entries: Readonly<Record<string, number>> | readonly (readonly [string, number])[], source: ParamSource): ParamChange[] {
    const pairs: (readonly [string, number])[] = Array.isArray(entries)
      ? [...(entries as readonly (readonly [string, number])[])]
      : Object.entries(entries as Record<string, number>);
    const staged: [string, number][] = [];
    const problems: string[] = [];
    for (const [id, value] of pairs) {
      try {
        staged.push([id, this.#validate(this.spec(id), value)]);
      } catch (err) {
        if (err instanceof BridgeError) problems.push(err.message);
        else throw err;
      }
    }
    if (problems.length > 0) {
      const first = pairs.find(([id]) => !this.#specs.has(id));
      throw new BridgeError(first ? 'E_PARAM_UNKNOWN' : 'E_PARAM_RANGE', `bulk set refused, nothing changed: ${problems.join('; ')}`, {
        details: { problems },
      });
    }
    const changes: ParamChange[] = [];
    for (const [id, stored] of staged) {
      const previous = this.#values.get(id) as number;
      if (Object.is(previous, stored)) continue;
      this.#values.set(id, stored);
      changes.push({ id, value: stored, previous, source });
    }
    if (changes.length > 0) this.emit('batch', { source, changes });
    return changes;
  }

  /**
   * Subscribe to every change, single or batched, in one callback shape.
   * Returns the unsubscribe function.
   */
  watch(listener: (changes: readonly ParamChange[], source: ParamSource) => void): () => void {
    const onChange = (c: ParamChange): void => listener([c], c.source);
    const onBatch = (b: ParamBatch): void => listener(b.changes, b.source);
    this.on('change', onChange);
    this.on('batch', onBatch);
    return () => {
      this.off('change', onChange);
      this.off('batch', onBatch);
    };
  }

  #validate(spec: ParamSpec, value: unknown): number {
    let v = value;
    if (typeof v === 'boolean' && spec.kind === 'toggle') v = v ? 1 : 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new BridgeError('E_PARAM_TYPE', `${spec.id}: value must be a finite number, got ${JSON.stringify(value) ?? String(value)}`, {
        details: { id: spec.id, value },
      });
    }
    // Discrete controls accept any value inside the range and snap to the nearest detent;
    // a value outside the range is an error, not a silent clamp (a typo must not hit the gear).
    const tolerance = (spec.max - spec.min) * 1e-9;
    if (v < spec.min - tolerance || v > spec.max + tolerance) {
      throw new BridgeError('E_PARAM_RANGE', `${spec.id}: ${v} is outside ${spec.min}..${spec.max}${spec.unit ? ' ' + spec.unit : ''}`, {
        details: { id: spec.id, value: v, min: spec.min, max: spec.max },
      });
    }
    return quantise(spec, v);
  }
}

function unknown(id: string): BridgeError {
  return new BridgeError('E_PARAM_UNKNOWN', `unknown parameter ${id}`, { details: { id } });
}
