import { z } from 'zod';

/** Processor kinds that can appear in the chain, in the order the config lists them. */
export const PROCESSOR_KINDS = ['gain', 'eq', 'insert', 'comp', 'limiter', 'width', 'dither'] as const;
export type ProcessorKind = (typeof PROCESSOR_KINDS)[number];

/** Width before the limiter: anything after a true-peak limiter (but dither) can lift the peaks past its ceiling. */
export const DEFAULT_CHAIN: readonly ProcessorKind[] = ['gain', 'eq', 'insert', 'comp', 'width', 'limiter', 'dither'];

export const engineSectionSchema = z
  .strictObject({
    sampleRate: z.number().int().min(44100).max(192000).default(48000),
    blockSize: z.number().int().min(16).max(8192).default(256),
    /**
     * The ordered digital chain; `insert` is the hardware insert slot (at most one), `dither`
     * requantises and so must come last. A kind may repeat: the second `eq` has ids `eq2.*`.
     */
    chain: z
      .array(z.enum(PROCESSOR_KINDS))
      .min(1)
      .default([...DEFAULT_CHAIN])
      .superRefine((chain, ctx) => {
        if (chain.filter((k) => k === 'insert').length > 1) {
          ctx.addIssue({ code: 'custom', message: 'the chain has one hardware insert slot: list `insert` at most once' });
        }
        const dither = chain.indexOf('dither');
        if (dither >= 0 && (dither !== chain.length - 1 || chain.lastIndexOf('dither') !== dither)) {
          ctx.addIssue({ code: 'custom', message: '`dither` requantises the output: it must be the last stage, once' });
        }
      }),
    /** Bands of each EQ. */
    eqBands: z.number().int().min(8).max(16).default(8),
    /** Parameter glide and switch cross-fade time. */
    smoothingMs: z.number().min(5).max(200).default(20),
    /** How often the audio worker publishes meter frames. */
    meterRateHz: z.number().min(5).max(120).default(60),
    /** Initial parameter values by id, applied after registration (e.g. `limiter.ceilingDbtp: -1`). */
    params: z.record(z.string(), z.number()).default({}),
  })
  .prefault({});

export type EngineSection = z.infer<typeof engineSectionSchema>;
