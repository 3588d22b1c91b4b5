import { z } from 'zod';
import { SURFACE_TYPES } from '../config/sections/surfaces.ts';
import { RING_MODES, XTOUCH_COLOURS } from '../devices/midi/mcu-protocol.ts';
import { RELATIVE_ENCODINGS } from '../devices/midi/relative-encoding.ts';
import { REPORT_FIELD_KINDS } from '../devices/hid/report-map.ts';
import { PARAM_ID_PATTERN } from '../params/param-spec.ts';
import { BINDING_MODES, TAKEOVER_MODES } from './param-binding.ts';
import { CURVES } from './value-mapping.ts';

/**
 * The schema of a surface map (`config/surfaces/<name>.yaml`) and of the learn user layer
 * (`<dataDir>/surfaces/<surfaceId>.user.yaml`). Strict objects everywhere: an unknown key is an
 * error with its file:line. Whether a control id exists for the surface type is checked after
 * parsing (surface-map-loader.ts), with the same file:line reporting.
 */

const paramId = z.string().regex(PARAM_ID_PATTERN, 'a parameter id such as eq.band2.gainDb');

export const LOCAL_ACTIONS = ['nextPage', 'prevPage', 'page', 'scrollLeft', 'scrollRight', 'fine'] as const;
export const SINK_ACTIONS = ['bypass', 'ab', 'recall', 'save', 'learn', 'play', 'stop', 'print'] as const;
export const ACTIONS = [...LOCAL_ACTIONS, ...SINK_ACTIONS] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Tunables shared by bindings, strips and the map-wide `defaults`. */
const tuning = {
  step: z.number().positive().finite().optional(),
  stepNormalised: z.number().positive().max(1).optional(),
  acceleration: z.number().min(0).max(10).optional(),
  fineDivisor: z.number().min(1).max(1000).optional(),
  invert: z.boolean().optional(),
  curve: z.enum(CURVES).optional(),
  takeover: z.enum(TAKEOVER_MODES).optional(),
  pickupTolerance: z.number().min(0).max(0.5).optional(),
  encoding: z.enum(RELATIVE_ENCODINGS).optional(),
  feedback: z.boolean().optional(),
};

export const bindingSchema = z
  .strictObject({
    control: z.string().min(1),
    /** User layer only: the page this binding belongs to (absent = every page). */
    page: z.string().min(1).optional(),
    param: paramId.optional(),
    action: z.enum(ACTIONS).optional(),
    mode: z.enum(BINDING_MODES).optional(),
    value: z.number().finite().optional(),
    range: z.tuple([z.number().finite(), z.number().finite()]).optional(),
    bits: z.union([z.literal(7), z.literal(14)]).optional(),
    ticksPerPress: z.number().int().min(-64).max(64).optional(),
    /** `recall` / `save`: snapshot slot, 1-based. */
    slot: z.number().int().min(1).max(999).optional(),
    /** `bypass`: stage or unit id; `page`: page id. */
    target: z.string().min(1).optional(),
    ...tuning,
  })
  .superRefine((b, ctx) => {
    if ((b.param === undefined) === (b.action === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['param'], message: 'a binding needs exactly one of "param" or "action"' });
    }
    if (b.step !== undefined && b.stepNormalised !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['stepNormalised'], message: '"step" and "stepNormalised" are exclusive' });
    }
    if (b.mode === 'set' && b.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'mode "set" needs a "value"' });
    if (b.action === 'recall' && b.slot === undefined) ctx.addIssue({ code: 'custom', path: ['slot'], message: 'action "recall" needs a "slot"' });
    if (b.action === 'page' && b.target === undefined) ctx.addIssue({ code: 'custom', path: ['target'], message: 'action "page" needs a "target" page id' });
  });
export type BindingInput = z.infer<typeof bindingSchema>;

/** A button on an MCU strip: a parameter (toggle by default) or an action. */
const stripButtonSchema = z
  .strictObject({
    param: paramId.optional(),
    action: z.enum(ACTIONS).optional(),
    mode: z.enum(['toggle', 'momentary', 'reset', 'set']).optional(),
    value: z.number().finite().optional(),
    slot: z.number().int().min(1).max(999).optional(),
    target: z.string().min(1).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.param === undefined) === (b.action === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['param'], message: 'a strip button needs exactly one of "param" or "action"' });
    }
  });

export const stripSchema = z
  .strictObject({
    /** The V-Pot's parameter (ring and scribble strip follow it). Absent = an empty strip. */
    param: paramId.optional(),
    /** Upper scribble-strip line (default: the parameter label, shortened). */
    label: z.string().max(7).optional(),
    /** The fader's parameter: default the strip's, `false` for none. */
    fader: z.union([paramId, z.literal(false)]).optional(),
    ring: z.enum(RING_MODES).optional(),
    colour: z.enum(XTOUCH_COLOURS).optional(),
    /** V-Pot push: reset to default (default), or nothing. */
    push: z.enum(['reset', 'none']).optional(),
    buttons: z
      .strictObject({ rec: stripButtonSchema.optional(), solo: stripButtonSchema.optional(), mute: stripButtonSchema.optional(), select: stripButtonSchema.optional() })
      .optional(),
    range: z.tuple([z.number().finite(), z.number().finite()]).optional(),
    ...tuning,
  })
  .superRefine((s, ctx) => {
    if (s.step !== undefined && s.stepNormalised !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['stepNormalised'], message: '"step" and "stepNormalised" are exclusive' });
    }
  });
export type StripInput = z.infer<typeof stripSchema>;

export const pageSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-zA-Z0-9-]*$/, 'a page id such as eq or comp'),
  label: z.string().min(1),
  /** Two characters for the MCU assignment display (default: the label's first two). */
  short: z.string().min(1).max(3).optional(),
  /** MCU: the parameters of the strips, left to right (more than the strip count scrolls). */
  strips: z.array(stripSchema).optional(),
  bindings: z.array(bindingSchema).optional(),
});
export type PageInput = z.infer<typeof pageSchema>;

const meterSchema = z
  .strictObject({
    strip: z.number().int().min(1).max(16),
    /** Meter stage id from the engine's meter snapshot: input, insertSend, insertReturn, output. */
    stage: z.string().min(1).optional(),
    channel: z.number().int().min(0).max(7).optional(),
    /** Or a dynamics processor's gain reduction (1 segment per dB). */
    gainReduction: z.string().min(1).optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.stage === undefined) === (m.gainReduction === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['stage'], message: 'a meter needs exactly one of "stage" or "gainReduction"' });
    }
  });

export const mcuOptionsSchema = z.strictObject({
  /** xtouch: colour strips and 7-character cells; mcu: Mackie MCU/MCU Pro; logic: Logic Control (challenge). */
  model: z.enum(['xtouch', 'mcu', 'logic']).default('xtouch'),
  faderTop: z.number().int().min(0x3000).max(0x3fff).optional(),
  touchSensitivity: z.number().int().min(0).max(5).optional(),
  onlineTimeoutMs: z.number().int().min(0).max(10_000).optional(),
  keepAliveMs: z.number().int().min(1000).max(60_000).optional(),
  meters: z.array(meterSchema).optional(),
});

const reportFieldSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'a camelCase field name'),
  byte: z.number().int().min(0).max(1023),
  bit: z.number().int().min(0).max(7).default(0),
  bits: z.number().int().min(1).max(32).default(8),
  signed: z.boolean().default(false),
  endian: z.enum(['little', 'big']).default('little'),
  kind: z.enum(REPORT_FIELD_KINDS),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
});

export const hidOptionsSchema = z.strictObject({
  reportId: z.number().int().min(0).max(255).optional(),
  fields: z.array(reportFieldSchema).min(1),
});

export const surfaceMapSchema = z
  .strictObject({
    version: z.literal(1),
    type: z.enum(SURFACE_TYPES),
    name: z.string().optional(),
    mcu: mcuOptionsSchema.optional(),
    hid: hidOptionsSchema.optional(),
    powermate: z.strictObject({ led: z.enum(['value', 'toggle', 'off']).default('value') }).optional(),
    shuttle: z.strictObject({ ringIntervalMs: z.number().int().min(20).max(2000).default(100) }).optional(),
    streamdeck: z.strictObject({ brightness: z.number().int().min(0).max(100).default(70) }).optional(),
    /**
     * MIDI surfaces: drop input that copies feedback sent within the last 100 ms. Only for a device
     * (or a MIDI-thru / loopback in the chain) that echoes what it receives (complaint #6): off by
     * default, because a real move can repeat a byte just sent (a relative tick equal to a ring value).
     */
    echoGuard: z.boolean().default(false),
    /** Tunables applied to every binding and strip unless they set their own. */
    defaults: z.strictObject(tuning).optional(),
    /** Bindings active on every page. */
    bindings: z.array(bindingSchema).default([]),
    pages: z.array(pageSchema).default([]),
  })
  .superRefine((m, ctx) => {
    if (m.type === 'hid' && !m.hid) ctx.addIssue({ code: 'custom', path: ['hid'], message: 'a surface of type hid needs a "hid" report map' });
    const seen = new Set<string>();
    m.pages.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['pages', i, 'id'], message: `duplicate page id "${p.id}"` });
      seen.add(p.id);
    });
  });
export type SurfaceMapInput = z.input<typeof surfaceMapSchema>;
export type SurfaceMap = z.infer<typeof surfaceMapSchema>;

/** The learn user layer, merged over the shipped map. */
export const userLayerSchema = z.strictObject({
  version: z.literal(1),
  /** Learned bindings; `page` scopes one to a page. They replace shipped bindings of the same control (and page). */
  bindings: z.array(bindingSchema).default([]),
  /** MCU: learned strip parameters, by page and 1-based strip slot. */
  strips: z
    .array(
      z.strictObject({
        page: z.string().min(1),
        slot: z.number().int().min(1).max(256),
        param: paramId,
        control: z.enum(['vpot', 'fader']).default('vpot'),
      }),
    )
    .default([]),
});
export type UserLayer = z.infer<typeof userLayerSchema>;
