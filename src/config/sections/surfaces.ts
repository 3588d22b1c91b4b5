import { z } from 'zod';

export const SURFACE_TYPES = ['mcu', 'midi', 'powermate', 'shuttle', 'streamdeck', 'hid'] as const;

export const surfaceSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'camelCase identifier such as xtouch'),
  type: z.enum(SURFACE_TYPES),
  /** Port/device name pattern (a substring or /regex/), never an index. `sim` = the firmware-sim surface. */
  match: z.string().min(1),
  /** Surface map: config/surfaces/<map>.yaml */
  map: z.string().min(1),
  required: z.boolean().default(false),
});

export const surfacesSectionSchema = z.array(surfaceSchema).default([]);
export type SurfaceConfig = z.infer<typeof surfaceSchema>;
