import { z } from 'zod';

export const outboardUnitSchema = z.strictObject({
  /** Stable id used in parameter ids: `outboard.<id>.<param>`. */
  id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'camelCase identifier such as eq1'),
  /** Profile name: config/gear/<profile>.yaml. */
  profile: z.string().min(1),
  /** The unit is bound by the serial number in its identity reply, never by port path. */
  serial: z.string().min(1),
  /**
   * Where to look for it: a device path (`/dev/serial/by-id/...`, `/dev/ttyUSB0`), a glob of paths,
   * `tcp://host:port` (ser2net), or `sim` (the firmware-sim unit with this serial, started by the daemon).
   */
  port: z.string().min(1),
  baudRate: z.number().int().positive().default(115200),
  required: z.boolean().default(true),
  /** After a power cycle: re-send the session's values (resend) or take the unit's (adopt). */
  onPowerCycle: z.enum(['resend', 'adopt']).default('resend'),
});

export const outboardSectionSchema = z.array(outboardUnitSchema).default([]);
export type OutboardUnitConfig = z.infer<typeof outboardUnitSchema>;
