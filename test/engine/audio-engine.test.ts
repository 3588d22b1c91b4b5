import { afterEach, describe, expect, it } from 'vitest';
import { engineSectionSchema, type EngineSection } from '../../src/config/sections/engine.ts';
import { AudioEngine } from '../../src/engine/audio-engine.ts';
import { createParamTable, ParamTableReader, ParamTableWriter, POLL_TORN } from '../../src/engine/param-table.ts';
import { createSampleRing, SampleRing } from '../../src/engine/sample-ring.ts';
import { BridgeError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logger.ts';
import { ParamStore } from '../../src/params/param-store.ts';
import { INSERT_PARAMS } from './support/worker-plugin.ts';

const engines: AudioEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.dispose();
});

function config(over: Partial<EngineSection> = {}): EngineSection {
  return { ...engineSectionSchema.parse({}), ...over };
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('parameter table', () => {
  it('reports exactly the changed values, once, and a batch as one sequence', () => {
    const sab = createParamTable(4, [1, 2, 3, 4]);
    const w = new ParamTableWriter(sab);
    const r = new ParamTableReader(sab);
    w.write([]);
    expect(r.poll()).toBe(4); // first read: everything is new
    expect(r.poll()).toBe(0);
    const seq = w.write([
      [1, 20],
      [3, 4],
    ]);
    expect(r.poll()).toBe(1);
    expect(Array.from(r.changed.subarray(0, 1))).toEqual([1]);
    expect(r.values[1]).toBe(20);
    expect(r.sequence).toBe(seq);
  });

  it('a write in progress is not read half-done: the reader retries at the next block', () => {
    const sab = createParamTable(2, [0, 0]);
    const r = new ParamTableReader(sab);
    const header = new Int32Array(sab, 0, 2);
    Atomics.add(header, 0, 1); // writer began (odd)
    new Float64Array(sab, 8, 2)[0] = 5;
    expect(r.poll()).toBe(POLL_TORN);
    Atomics.add(header, 0, 1); // writer done
    expect(r.poll()).toBe(2);
    expect(r.values[0]).toBe(5);
  });
});

describe('AudioEngine (the audio worker)', () => {
  it('registers the chain parameters and applies engine.params; rejects unknown ids', () => {
    const store = new ParamStore();
    const engine = new AudioEngine({ store, engineConfig: config({ params: { 'limiter.ceilingDbtp': -2 } }), log: silentLogger() });
    engines.push(engine);
    expect(store.has('eq.band3.gainDb')).toBe(true);
    expect(store.has('chain.bypass')).toBe(true);
    expect(store.get('limiter.ceilingDbtp')).toBe(-2);
    expect(engine.params.length).toBe(store.list().length);
    let err: unknown;
    try {
      new AudioEngine({ store: new ParamStore(), engineConfig: config({ params: { 'eq.band99.gainDb': 1 } }), log: silentLogger() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('E_CONFIG_INVALID');
  });

  it('a ParamStore change is applied at the next block boundary, and heard from that block on', async () => {
    const store = new ParamStore();
    const blockSize = 256;
    const ring = createSampleRing(48000 * 4, 2);
    const engine = new AudioEngine({
      store,
      engineConfig: config({ chain: ['gain', 'eq'], blockSize }),
      log: silentLogger(),
      source: { kind: 'tone', freqHz: 997, levelDbfs: -6 },
      sink: { kind: 'ring', buffer: ring },
    });
    engines.push(engine);
    await engine.start();
    await until(() => engine.status().blocks > 40, 'blocks');
    const blocksBefore = engine.status().blocks;
    store.set('gain.gainDb', -20, 'api');
    const seq = engine.parameterSequence;
    await until(() => engine.appliedParams().sequence >= seq, 'the change to be applied');
    const applied = engine.appliedParams();
    // The worker picks the table up at a block boundary: the one it was about to start, or the next.
    expect(applied.block === blocksBefore || applied.block === blocksBefore + 1, `applied at ${applied.block}, ${blocksBefore} blocks done at the write`).toBe(true);
    await until(() => engine.status().blocks > applied.block + 20, 'more blocks');
    await engine.stop();
    const reader = new SampleRing(ring);
    const out = [new Float32Array(reader.available), new Float32Array(reader.available)];
    const n = reader.read(out, out[0]!.length);
    // The chain is neutral before the change (bit-exact tone), so compare with the tone itself.
    const amp = Math.pow(10, -6 / 20);
    const tone = (i: number): number => Math.fround(amp * Math.sin(i * ((2 * Math.PI * 997) / 48000)));
    const first = applied.block * blockSize;
    expect(n).toBeGreaterThan(first + 20 * blockSize);
    let unchangedBefore = true;
    for (let i = first - blockSize; i < first; i++) if (Math.abs(out[0]![i]! - tone(i)) > 1e-6) unchangedBefore = false;
    expect(unchangedBefore).toBe(true);
    // From the first sample of that block the gain glides down...
    expect(Math.abs(out[0]![first + 10]!)).toBeLessThan(Math.abs(tone(first + 10)) + 1e-9);
    let changedInBlock = false;
    for (let i = first; i < first + blockSize; i++) if (Math.abs(out[0]![i]! - tone(i)) > 1e-6) changedInBlock = true;
    expect(changedInBlock).toBe(true);
    // ...and lands on -20 dB.
    const late = first + 15 * blockSize;
    let peak = 0;
    for (let i = late; i < late + 480; i++) peak = Math.max(peak, Math.abs(out[0]![i]!));
    expect(20 * Math.log10(peak / amp)).toBeCloseTo(-20, 1);
  });

  it('publishes meters through the shared buffer: stage levels, gain reduction, true peak', async () => {
    const store = new ParamStore();
    const engine = new AudioEngine({
      store,
      engineConfig: config({ params: { 'limiter.ceilingDbtp': -12 } }),
      log: silentLogger(),
      source: { kind: 'tone', freqHz: 1000, levelDbfs: -6 },
      clock: 'freewheel',
      maxFrames: 48000 * 3,
    });
    engines.push(engine);
    const seen: number[] = [];
    engine.subscribe((s) => seen.push(s.seq));
    await engine.start();
    await engine.whenStopped();
    const snap = engine.latest();
    expect(snap).toBeDefined();
    expect(seen.length).toBeGreaterThan(0);
    const input = snap!.stages.find((s) => s.id === 'input')!;
    const output = snap!.stages.find((s) => s.id === 'output')!;
    expect(input.peakDb[0]).toBeCloseTo(-6, 1);
    expect(output.peakDb[0]).toBeLessThan(-12);
    expect(snap!.stages.map((s) => s.id)).toEqual(['input', 'insertSend', 'insertReturn', 'output']);
    const gr = snap!.gainReduction.find((g) => g.id === 'limiter')!;
    expect(gr.db).toBeGreaterThan(5.9);
    expect(snap!.loudness.truePeakDbtp).toBeLessThanOrEqual(-11.9);
    // maxFrames is honoured in whole blocks.
    expect(engine.status().frames).toBe(Math.ceil((48000 * 3) / 256) * 256);
  });

  it('a worker plugin supplies the insert processor; its parameters are registered and reach it', async () => {
    const store = new ParamStore();
    const ring = createSampleRing(48000, 2);
    const engine = new AudioEngine({
      store,
      engineConfig: config({ chain: ['insert'] }),
      log: silentLogger(),
      source: { kind: 'tone', freqHz: 1000, levelDbfs: -6 },
      sink: { kind: 'ring', buffer: ring },
      clock: 'freewheel',
      maxFrames: 256 * 40,
      plugin: { url: new URL('./support/worker-plugin.ts', import.meta.url).href, insertParams: INSERT_PARAMS },
    });
    engines.push(engine);
    store.set('insert.halve', 1, 'api');
    await engine.start();
    await engine.whenStopped();
    expect(engine.status().insert).toBe('HalvingInsert');
    const r = new SampleRing(ring);
    const out = [new Float32Array(256 * 40), new Float32Array(256 * 40)];
    r.read(out, out[0]!.length);
    let peak = 0;
    for (const v of out[0]!) peak = Math.max(peak, Math.abs(v));
    expect(20 * Math.log10(peak)).toBeCloseTo(-12.02, 1);
  });

  it('stop() ends the worker; the engine can start again', async () => {
    const engine = new AudioEngine({ store: new ParamStore(), engineConfig: config(), log: silentLogger() });
    engines.push(engine);
    await engine.start();
    expect(engine.running).toBe(true);
    await engine.stop();
    expect(engine.running).toBe(false);
    await engine.start();
    expect(engine.running).toBe(true);
    await engine.stop();
  });
});
