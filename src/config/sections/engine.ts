import { z } from 'zod';

/** Processor kinds that can appear in the chain, in the order the config lists them. */
export const PROCESSOR_KINDS = ['gain', 'eq', 'insert', 'comp', 'limiter', 'width', 'dither'] as const;
export type ProcessorKind = (typeof PROCESSOR_KINDS)[number];

export const engineSectionSchema = z
  .strictObject({
    sampleRate: z.number().int().min(44100).max(192000).default(48000),
    blockSize: z.number().int().min(16).max(8192).default(256),
    /** The ordered digital chain; `insert` is the hardware insert slot. */
    chain: z.array(z.enum(PROCESSOR_KINDS)).min(1).default(['gain', 'eq', 'insert', 'comp', 'limiter', 'width', 'dither']),
    /** Initial parameter values by id, applied after registration (e.g. `limiter.ceilingDbtp: -1`). */
    params: z.record(z.string(), z.number()).default({}),
  })
  .prefault({});
