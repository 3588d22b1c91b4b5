import { z } from 'zod';

/** The simulated studio: firmware-sim processes the daemon starts before it connects to them. */
export const simSectionSchema = z
  .strictObject({
    units: z
      .array(
        z.strictObject({
          model: z.enum(['eq', 'comp', 'switcher']),
          serial: z.string().min(1),
          transport: z.enum(['pty', 'tcp']).default('pty'),
        }),
      )
      .default([]),
  })
  .prefault({});
