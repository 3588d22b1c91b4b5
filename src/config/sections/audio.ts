import { z } from 'zod';

const channelPair = z.array(z.number().int().min(1).max(64)).min(1).max(8);

/**
 * The audio interface, the hardware insert and its calibration, the monitor outs.
 * Read by src/devices/audio/ (backends), src/engine/insert/ (calibration) and
 * src/engine/transport/ (monitor). See docs/audio.md.
 */
export const audioSectionSchema = z
  .strictObject({
    /**
     * simulated: the send goes through firmware-sim's analog models; portaudio: a real interface;
     * none (default): no interface, no audio worker and no digital chain: the daemon drives
     * surfaces and outboard only.
     */
    backend: z.enum(['simulated', 'portaudio', 'none']).default('none'),
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
        /**
         * Converter latency (DA + AD) in samples. The round trip the calibration measures is this
         * plus one block (the simulated interface buffers one block of output, the minimum of any
         * duplex callback).
         */
        latencySamples: z.number().int().min(0).max(48000).default(61),
        gainDb: z.number().min(-24).max(24).default(0),
        polarity: z.union([z.literal(1), z.literal(-1)]).default(1),
        /** Units in the insert, in order (outboard ids). A switcher among them hosts the others in its loops. */
        insertUnits: z.array(z.string()).default([]),
        /** The analog models' noise floor and line-amp saturation (off for null tests). */
        noise: z.boolean().default(true),
        saturation: z.boolean().default(true),
      })
      .prefault({}),
    /** PortAudio backend only (naudiodon in a child process). */
    portaudio: z
      .strictObject({
        /**
         * Blocks of output queued ahead of the device: the daemon has (bufferBlocks - 1) block periods
         * to answer each input block before the device would play silence. Adds bufferBlocks x blockSize
         * to the insert round trip (measured by the calibration anyway).
         */
        bufferBlocks: z.number().int().min(2).max(64).default(8),
        /** SCHED_FIFO priority of the stream's child process (0: normal scheduling). Needs root or CAP_SYS_NICE. */
        realtimePriority: z.number().int().min(0).max(98).default(40),
        /**
         * Nice value of the daemon thread that answers the stream (0: leave it). Under load the answer
         * must come within (bufferBlocks - 1) periods; measured in docs/benchmarks.md (## Audio).
         */
        niceness: z.number().int().min(-20).max(0).default(-10),
        /**
         * SCHED_FIFO priority of the daemon's thread that answers the stream (the audio worker),
         * below `realtimePriority` (0: only `niceness`). Needs root or CAP_SYS_NICE; without, a
         * warning and `niceness`. Measured in docs/benchmarks.md (## Audio).
         */
        threadRealtimePriority: z.number().int().min(0).max(97).default(30),
        /** A stop that does not return within this is ended with SIGKILL (naudiodon's quit() can hang). */
        stopTimeoutMs: z.number().int().min(100).max(30000).default(1500),
        /** No input for this long while running: the device is gone; the interface goes to `reconnecting`. */
        stallTimeoutMs: z.number().int().min(100).max(60000).default(1000),
        /** ALSA configuration file for the stream's process (ALSA_CONFIG_PATH), e.g. config/alsa/jack-loopback.conf. */
        alsaConfig: z.string().optional(),
        /**
         * A spare output patched digitally back to a spare input (1-based): a sample counter on it
         * detects timeline slips the driver does not flag (e.g. the JACK loopback: 8 -> 8).
         */
        pilot: z.strictObject({ output: z.number().int().min(1).max(64), input: z.number().int().min(1).max(64) }).optional(),
      })
      .prefault({}),
    /** Calibration of the hardware insert (logarithmic sine sweep; see docs/audio.md). */
    calibration: z
      .strictObject({
        sweepMs: z.number().int().min(100).max(10000).default(500),
        /** Peak level of the sweep on the insert send. */
        levelDbfs: z.number().min(-40).max(-3).default(-12),
        /** Longest round trip searched for; also the silence before and after the sweep. */
        maxLatencyMs: z.number().int().min(10).max(2000).default(500),
        /** Captures before giving up; a result needs two clean captures (no xrun) that agree. */
        attempts: z.number().int().min(2).max(20).default(5),
      })
      .prefault({}),
    monitor: z
      .strictObject({
        /** The monitor outs ramp up from silence over this when the stream starts. */
        fadeInMs: z.number().int().min(10).max(10000).default(500),
        /** Mute and A/B switch ramps. */
        rampMs: z.number().int().min(1).max(500).default(20),
      })
      .prefault({}),
    source: z
      .strictObject({
        /** file: a WAV/AIFF player; input: the interface's source ins; demo: a synthetic 16 s mix (the simulated studio); none: silence. */
        type: z.enum(['file', 'input', 'demo', 'none']).default('none'),
        file: z.string().optional(),
        loop: z.boolean().default(true),
      })
      .prefault({}),
    required: z.boolean().default(false),
  })
  .superRefine((audio, ctx) => {
    const { monitor, insertSend, insertReturn, sourceIn } = audio.channels;
    const clash = (a: readonly number[], b: readonly number[]): number[] => a.filter((c) => b.includes(c));
    const outs = clash(monitor, insertSend);
    if (outs.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels', 'insertSend'],
        message: `output channel(s) ${outs.join(', ')} are both monitor and insert send: the measurement signal would reach the monitors`,
      });
    }
    const ins = clash(insertReturn, sourceIn);
    if (audio.source.type === 'input' && ins.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels', 'sourceIn'],
        message: `input channel(s) ${ins.join(', ')} are both insert return and source input`,
      });
    }
    if (insertSend.length !== insertReturn.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels', 'insertReturn'],
        message: `the insert has ${insertSend.length} send channel(s) but ${insertReturn.length} return channel(s)`,
      });
    }
    const pilot = audio.portaudio.pilot;
    if (pilot && [...monitor, ...insertSend].includes(pilot.output)) {
      ctx.addIssue({ code: 'custom', path: ['portaudio', 'pilot', 'output'], message: `output ${pilot.output} is already in the channel map` });
    }
    if (pilot && [...insertReturn, ...(audio.source.type === 'input' ? sourceIn : [])].includes(pilot.input)) {
      ctx.addIssue({ code: 'custom', path: ['portaudio', 'pilot', 'input'], message: `input ${pilot.input} is already in the channel map` });
    }
    if (audio.source.type === 'file' && !audio.source.file) {
      ctx.addIssue({ code: 'custom', path: ['source', 'file'], message: 'source.type is file but no file is given' });
    }
    for (const id of audio.simulated.insertUnits) {
      if (audio.simulated.insertUnits.indexOf(id) !== audio.simulated.insertUnits.lastIndexOf(id)) {
        ctx.addIssue({ code: 'custom', path: ['simulated', 'insertUnits'], message: `unit ${id} is listed twice` });
        break;
      }
    }
  })
  .prefault({});

export type AudioSection = z.infer<typeof audioSectionSchema>;
