import { z } from 'zod';

export const SURFACE_TYPES = ['mcu', 'midi', 'powermate', 'shuttle', 'streamdeck', 'hid'] as const;

export const surfaceSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'camelCase identifier such as xtouch'),
    type: z.enum(SURFACE_TYPES),
    /**
     * Port/device name pattern (a case-insensitive substring, or /regex/), never an index.
     * MIDI: the input port name (`X-Touch` matches `X-Touch:X-Touch MIDI 1 20:0` and its `24:0`
     * rename). HID: the product name, `vvvv:pppp` hex USB ids or the device path; `any` = the
     * first device of the type's known ids (PowerMate 077d:0410, Contour 0b33:..., any Stream
     * Deck). `sim` = the firmware-sim surface, reached over network MIDI as the port `sim:<id>`.
     */
    match: z.string().min(1),
    /** MIDI: the output port pattern when it differs from the input's (Windows `MIDIOUT2 (…)`). */
    outputMatch: z.string().min(1).optional(),
    /** mcu: port pattern of an extender unit (X-Touch Extender / MCU XT, model 0x15) adding strips 9-16. */
    extender: z.string().min(1).optional(),
    /** Surface map: config/surfaces/<map>.yaml */
    map: z.string().min(1),
    required: z.boolean().default(false),
  })
  .superRefine((s, ctx) => {
    if (s.extender !== undefined && s.type !== 'mcu') ctx.addIssue({ code: 'custom', path: ['extender'], message: 'only an mcu surface has an extender' });
    if (s.outputMatch !== undefined && s.type !== 'mcu' && s.type !== 'midi') {
      ctx.addIssue({ code: 'custom', path: ['outputMatch'], message: 'outputMatch is for MIDI surfaces (mcu, midi)' });
    }
  });

export const surfacesSectionSchema = z
  .array(surfaceSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate surface id "${s.id}"` });
      seen.add(s.id);
    });
  });
export type SurfaceConfig = z.infer<typeof surfaceSchema>;
