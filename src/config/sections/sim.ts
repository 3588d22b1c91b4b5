import { z } from 'zod';

/**
 * The simulated studio: firmware-sim processes the daemon starts before it connects to them
 * (src/commands/sim.ts startSimulatedUnits). An `outboard[]` unit with `port: sim` and the same
 * serial is found on the simulated unit's port.
 */
export const simSectionSchema = z
  .strictObject({
    units: z
      .array(
        z.strictObject({
          /** eq: HB-SEQ4, comp: HB-BC2, switcher: HB-IS6, passive: HB-PEQ1 (hand-set, manual recall). */
          model: z.enum(['eq', 'comp', 'switcher', 'passive']),
          serial: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, '1-32 characters of A-Z a-z 0-9 . _ -'),
          /** pty: a socat pseudo-terminal (needs socat); tcp: a ser2net-style TCP port on 127.0.0.1. */
          transport: z.enum(['pty', 'tcp']).default('pty'),
        }),
      )
      .default([]),
  })
  .prefault({});
