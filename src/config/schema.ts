import { z } from 'zod';
import { LOG_LEVELS } from '../logger.ts';
import { audioSectionSchema } from './sections/audio.ts';
import { engineSectionSchema } from './sections/engine.ts';
import { outboardSectionSchema } from './sections/outboard.ts';
import { serverSectionSchema } from './sections/server.ts';
import { simSectionSchema } from './sections/sim.ts';
import { surfacesSectionSchema } from './sections/surfaces.ts';

/**
 * The one definition of the configuration. Each section lives in its own file under
 * sections/ (owned by the domain that reads it); the TypeScript types are inferred.
 * Unknown keys are errors everywhere (strict objects).
 */
export const configSchema = z.strictObject({
  version: z.literal(1),
  /** Where snapshots, calibrations, the session and the token live. */
  dataDir: z.string().min(1).optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  server: serverSectionSchema,
  engine: engineSectionSchema,
  audio: audioSectionSchema,
  outboard: outboardSectionSchema,
  surfaces: surfacesSectionSchema,
  sim: simSectionSchema,
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.infer<typeof configSchema>;
