import { z } from 'zod';

const channelPair = z.array(z.number().int().min(1).max(64)).min(1).max(8);

export const audioSectionSchema = z
  .strictObject({
    /** simulated: the send goes through firmware-sim's analog models; portaudio: a real interface. */
    backend: z.enum(['simulated', 'portaudio', 'none']).default('simulated'),
    /** Interface name pattern (substring or /regex/), never an index. */
    device: z.string().default(''),
    /** 1-based interface channels. */
    channels: z
      .strictObject({
        monitor: channelPair.default([1, 2]),
        insertSend: channelPair.default([3, 4]),
        insertReturn: channelPair.default([3, 4]),
        sourceIn: channelPair.default([1, 2]),
      })
      .prefault({}),
    /** Simulated loop only: the converters' round trip and the analog path's gain/polarity. */
    simulated: z
      .strictObject({
        latencySamples: z.number().int().min(0).max(48000).default(61),
        gainDb: z.number().min(-24).max(24).default(0),
        polarity: z.union([z.literal(1), z.literal(-1)]).default(1),
        /** Units in the insert, in order (outboard ids). */
        insertUnits: z.array(z.string()).default([]),
      })
      .prefault({}),
    source: z
      .strictObject({
        type: z.enum(['file', 'input', 'none']).default('none'),
        file: z.string().optional(),
        loop: z.boolean().default(true),
      })
      .prefault({}),
    required: z.boolean().default(false),
  })
  .prefault({});
