import { DEFAULT_CHAIN, type EngineSection, type ProcessorKind } from '../config/sections/engine.ts';
import { BridgeError } from '../errors.ts';
import { Chain } from './chain.ts';
import { Compressor } from './compressor.ts';
import { Dither } from './dither.ts';
import { Eq } from './eq.ts';
import { Gain } from './gain.ts';
import { Limiter } from './limiter.ts';
import { PassThroughInsert } from './pass-through-insert.ts';
import { ProcessorSlot } from './processor-slot.ts';
import type { Processor } from './processor.ts';
import { Width } from './width.ts';

/** The parts of the engine config the chain needs (plain data: it is posted to the worker). */
export interface ChainSpec {
  readonly chain: readonly ProcessorKind[];
  readonly eqBands: number;
  readonly smoothingMs: number;
}

export interface ChainFactoryOptions {
  /**
   * Builds the processor of the `insert` slot (default: PassThroughInsert). The audio layer passes
   * the hardware insert here; it owns its own parameters (mode, mix), so the slot adds none.
   */
  readonly createInsert?: (id: string) => Processor;
}

export function chainSpecOf(engine: Pick<EngineSection, 'chain' | 'eqBands' | 'smoothingMs'>): ChainSpec {
  return { chain: [...engine.chain], eqBands: engine.eqBands, smoothingMs: engine.smoothingMs };
}

export const DEFAULT_CHAIN_SPEC: ChainSpec = Object.freeze({ chain: DEFAULT_CHAIN, eqBands: 8, smoothingMs: 20 });

/**
 * Build the chain described by the config. Parameter ids are `<kind>.<name>` for the first stage
 * of a kind, `<kind><n>.<name>` for the n-th (`eq2.band1.gainDb`). Deterministic: the main thread
 * builds one to register the parameters, the worker builds the same one to run it, and the
 * parameter indices agree.
 */
export function createChain(spec: ChainSpec, options: ChainFactoryOptions = {}): Chain {
  const kinds = spec.chain;
  if (kinds.length === 0) throw new BridgeError('E_ENGINE_CHAIN', 'the chain is empty');
  if (kinds.filter((k) => k === 'insert').length > 1) {
    throw new BridgeError('E_ENGINE_CHAIN', 'the chain has one hardware insert slot: `insert` is listed twice', { details: { chain: kinds } });
  }
  const d = kinds.indexOf('dither');
  if (d >= 0 && d !== kinds.length - 1) {
    throw new BridgeError('E_ENGINE_CHAIN', '`dither` must be the last stage of the chain', { details: { chain: kinds } });
  }
  const seen = new Map<string, number>();
  const smoothingMs = spec.smoothingMs;
  const slots = kinds.map((kind) => {
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    const id = n === 1 ? kind : `${kind}${n}`;
    const base = { id, smoothingMs };
    switch (kind) {
      case 'gain':
        return new ProcessorSlot(new Gain(base), { smoothingMs, bypass: true });
      case 'eq':
        return new ProcessorSlot(new Eq({ ...base, bands: spec.eqBands }), { smoothingMs, bypass: true, trim: { minDb: -24, maxDb: 24 } });
      case 'insert':
        return new ProcessorSlot(options.createInsert ? options.createInsert(id) : new PassThroughInsert(id), { smoothingMs, bypass: false });
      case 'comp':
        return new ProcessorSlot(new Compressor(base), { smoothingMs, bypass: true, trim: { minDb: -24, maxDb: 24 } });
      case 'limiter':
        // No positive trim after a true-peak limiter: it would lift the output past the ceiling.
        return new ProcessorSlot(new Limiter(base), { smoothingMs, bypass: true, trim: { minDb: -24, maxDb: 0 } });
      case 'width':
        return new ProcessorSlot(new Width(base), { smoothingMs, bypass: true, trim: { minDb: -24, maxDb: 24 } });
      case 'dither':
        return new ProcessorSlot(new Dither(base), { smoothingMs, bypass: true });
    }
    throw new BridgeError('E_ENGINE_CHAIN', `unknown processor kind ${String(kind)}`);
  });
  return new Chain(slots, { smoothingMs });
}
