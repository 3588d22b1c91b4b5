import { readFile } from 'node:fs/promises';
import { createWavWriter, openAudioFile, type AudioFileReader, type WavWriter } from '../audio-file/index.ts';
import { engineSectionSchema, type EngineSection } from '../config/sections/engine.ts';
import { chainSpecOf, createChain } from '../engine/chain-factory.ts';
import type { Chain } from '../engine/chain.ts';
import { isBridgeError, BridgeError } from '../errors.ts';
import type { ParamSpec } from '../params/param-spec.ts';
import { ParamStore } from '../params/param-store.ts';

export interface ProcessCommandOptions {
  /** `<param-id>=<value>` assignments, applied after the params file. */
  set: string[];
  /** JSON object of parameter values (`{ "eq.band3.gainDb": 2 }`, or the same under a `params` key). */
  paramsFile?: string;
  /** The engine section of the loaded config (chain order, bands, engine.params); default: the built-in defaults. */
  engineConfig?: EngineSection;
}

export interface ProcessCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Frames per block: block-size invariance makes the size a pure speed choice. */
const BLOCK = 4096;

/**
 * `hybrid-bridge process IN.wav OUT.wav [--set id=value]... [--params FILE.json]`: run a file
 * through the digital chain (the insert slot passing through), as fast as the machine allows,
 * and write a 32-bit float WAV of the same length, aligned with the input (the chain's latency,
 * the limiter lookahead, is compensated). Values: numbers, choice labels (`eq.band3.type=highShelf`),
 * on/off for toggles. Exit code 0 done, 1 the file could not be read or written, 2 bad options.
 */
export async function processCommand(inFile: string, outFile: string, opts: ProcessCommandOptions, io: ProcessCommandIo): Promise<number> {
  const engine = opts.engineConfig ?? engineSectionSchema.parse({});
  let chain: Chain;
  let values: Record<string, number>;
  try {
    chain = createChain(chainSpecOf(engine));
    values = await resolveParams(chain.params, engine, opts);
  } catch (err) {
    io.stderr.write(`process: ${describe(err)}\n`);
    return 2;
  }
  let reader: AudioFileReader | undefined;
  let writer: WavWriter | undefined;
  try {
    reader = await openAudioFile(inFile);
    const channels = reader.channels;
    for (const [id, v] of Object.entries(values)) chain.setParam(chain.indexOf(id), v);
    chain.prepare(reader.sampleRate, BLOCK, channels);
    writer = await createWavWriter(outFile, { sampleRate: reader.sampleRate, channels, format: 'float32' });
    const latency = chain.latencySamples;
    const bufs = Array.from({ length: channels }, () => new Float32Array(BLOCK));
    const started = performance.now();
    let toSkip = latency;
    let written = 0;
    let read = 0;
    let flushed = 0;
    const grMax = chain.dynamics.map(() => 0);
    for (;;) {
      let n = await reader.readInto(bufs, BLOCK);
      read += n;
      if (n === 0) {
        // Input done: push the latency's worth of silence through to get the tail out.
        if (flushed >= latency) break;
        n = Math.min(BLOCK, latency - flushed);
        for (const b of bufs) b.fill(0, 0, n);
        flushed += n;
      }
      chain.process(bufs, n);
      chain.dynamics.forEach((d, i) => (grMax[i] = Math.max(grMax[i] ?? 0, d.slot.inner.gainReductionDb)));
      let from = 0;
      if (toSkip > 0) {
        from = Math.min(toSkip, n);
        toSkip -= from;
      }
      if (from < n) {
        const out = from === 0 ? bufs : bufs.map((b) => b.subarray(from, n));
        await writer.write(out, n - from);
        written += n - from;
      }
    }
    await writer.close();
    writer = undefined;
    const seconds = (performance.now() - started) / 1000;
    const audioS = read / reader.sampleRate;
    const gr = chain.dynamics.map((d, i) => `${d.id} ${(grMax[i] ?? 0).toFixed(2)} dB`).join(', ');
    io.stdout.write(
      `${inFile} -> ${outFile}: ${written} frames, ${reader.sampleRate} Hz, ${channels} ch, ${audioS.toFixed(2)} s of audio in ${seconds.toFixed(2)} s` +
        ` (${(audioS / Math.max(seconds, 1e-9)).toFixed(0)}x real time); latency ${latency} samples compensated` +
        `${gr ? `; max gain reduction: ${gr}` : ''}` +
        `${chain.nonFiniteInput > 0 ? `; ${chain.nonFiniteInput} NaN/Inf input samples replaced by silence` : ''}\n`,
    );
    return 0;
  } catch (err) {
    io.stderr.write(`process: ${describe(err)}\n`);
    return 1;
  } finally {
    if (writer) await writer.close().catch(() => undefined);
    if (reader) await reader.close().catch(() => undefined);
  }
}

/** engine.params, then the params file, then --set; validated and quantised by a ParamStore. */
async function resolveParams(specs: readonly ParamSpec[], engine: EngineSection, opts: ProcessCommandOptions): Promise<Record<string, number>> {
  const store = new ParamStore();
  store.register(specs);
  const apply = (entries: [string, unknown][], origin: string): void => {
    const pairs: [string, number][] = entries.map(([id, raw]) => {
      if (!store.has(id)) throw new BridgeError('E_PARAM_UNKNOWN', `${origin}: unknown parameter ${id} (see \`hybrid-bridge params\`)`, { details: { id } });
      return [id, parseValue(store.spec(id), raw, origin)];
    });
    store.setMany(pairs, 'api');
  };
  apply(Object.entries(engine.params), 'engine.params');
  if (opts.paramsFile !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(opts.paramsFile, 'utf8'));
    } catch (err) {
      throw new BridgeError('E_PARAM_TYPE', `--params ${opts.paramsFile}: ${(err as Error).message}`, { cause: err });
    }
    const obj = isRecord(parsed) && isRecord(parsed.params) ? parsed.params : parsed;
    if (!isRecord(obj)) throw new BridgeError('E_PARAM_TYPE', `--params ${opts.paramsFile}: expected a JSON object of parameter values`);
    apply(Object.entries(obj), `--params ${opts.paramsFile}`);
  }
  apply(
    opts.set.map((a) => {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new BridgeError('E_PARAM_TYPE', `--set ${a}: expected <param-id>=<value>`);
      return [a.slice(0, eq).trim(), a.slice(eq + 1).trim()];
    }),
    '--set',
  );
  return store.values();
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TRUE_WORDS = ['on', 'true', 'yes'];
const FALSE_WORDS = ['off', 'false', 'no'];

/** A number, a choice label, or on/off for a toggle. Range checks are the store's. */
function parseValue(spec: ParamSpec, raw: unknown, origin: string): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'boolean' && spec.kind === 'toggle') return raw ? 1 : 0;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (spec.kind === 'toggle') {
      if (TRUE_WORDS.includes(text.toLowerCase())) return 1;
      if (FALSE_WORDS.includes(text.toLowerCase())) return 0;
    }
    if (spec.choices) {
      const i = spec.choices.findIndex((c) => c.toLowerCase() === text.toLowerCase());
      if (i >= 0) return i;
    }
    const n = Number(text);
    if (text !== '' && Number.isFinite(n)) return n;
  }
  const hint = spec.choices ? ` (one of ${spec.choices.join(', ')})` : spec.kind === 'toggle' ? ' (on/off)' : '';
  throw new BridgeError('E_PARAM_TYPE', `${origin}: ${spec.id} = ${JSON.stringify(raw)} is not a value${hint}`, { details: { id: spec.id } });
}

function describe(err: unknown): string {
  if (isBridgeError(err)) return `${err.message} [${err.code}]`;
  return err instanceof Error ? err.message : String(err);
}
