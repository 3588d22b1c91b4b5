import { describe, expect, it } from 'vitest';
import { chainSpecOf, createChain } from '../../src/engine/chain-factory.ts';
import { ChainRunner, stageIdsFor } from '../../src/engine/chain-runner.ts';
import { MeterBank } from '../../src/engine/meters/meter-bank.ts';
import { createMeterBuffer } from '../../src/engine/meters/meter-buffer.ts';
import { createParamTable } from '../../src/engine/param-table.ts';
import { createSharedRecord, SharedRecordReader } from '../../src/engine/shared-record.ts';
import { CONTROL_WORDS, CTRL_TIMING, STATUS_FIELDS, ST_TIMED_FRAMES, type WorkerInit } from '../../src/engine/worker-protocol.ts';
import { engineSectionSchema } from '../../src/config/sections/engine.ts';
import { sampledAllocations } from '../support/heap.ts';
import { noise } from './support/signals.ts';

const B = 256;

/** The audio worker's per-block core as the interface host drives it: process, then publish. */
function runner(): { run: (blocks: number) => void; control: Int32Array; status: SharedRecordReader } {
  const spec = chainSpecOf(engineSectionSchema.parse({ sampleRate: 48000, blockSize: B }));
  const chain = createChain(spec);
  const layout = MeterBank.layoutFor(48000, 2, stageIdsFor(chain), chain.dynamics.map((d) => d.id));
  const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
  const init: WorkerInit = {
    chain: spec,
    sampleRate: 48000,
    blockSize: B,
    channels: 2,
    meterRateHz: 60,
    clock: 'freewheel',
    source: { kind: 'silence' },
    sink: { kind: 'null' },
    paramTable: createParamTable(chain.params.length, chain.params.map((p) => p.default)),
    status: createSharedRecord(STATUS_FIELDS),
    control,
    meterBuffer: createMeterBuffer(layout),
    meterLayout: layout,
    maxFrames: 0,
  };
  const r = new ChainRunner(init, createChain(spec));
  const src = [noise(B * 64, 0.3, 1), noise(B * 64, 0.3, 2)];
  const bufs = [new Float32Array(B), new Float32Array(B)];
  const run = (blocks: number): void => {
    for (let b = 0; b < blocks; b++) {
      const at = (b % 64) * B;
      for (let c = 0; c < 2; c++) {
        const from = src[c] as Float32Array;
        const to = bufs[c] as Float32Array;
        for (let i = 0; i < B; i++) to[i] = from[at + i] as number;
      }
      r.process(bufs, B);
      r.publish();
    }
  };
  return { run, control: new Int32Array(control), status: new SharedRecordReader(init.status) };
}

describe('ChainRunner', () => {
  it('reads the clock on the audio path only while probing (it allocates about 32 bytes a block)', async () => {
    const { run, control, status } = runner();
    // Warm-up until V8 has optimised everything (its baseline tiers box doubles).
    run(30_000);
    const off = await sampledAllocations(() => run(10_000), '/src/engine/');
    status.read();
    expect(status.values[ST_TIMED_FRAMES]).toBe(0);
    Atomics.store(control, CTRL_TIMING, 1);
    run(2000);
    const on = await sampledAllocations(() => run(10_000), '/src/engine/');
    status.read();
    expect(status.values[ST_TIMED_FRAMES]).toBe(12_000 * B);
    // Measured in plain node: nothing without probing (the chain, every meter and each 60 Hz
    // publish), 400 KB with it (the clock: 32 B a block). 16 KB of slack for the JIT's one-offs; an
    // allocation per publish (2000 publishes) or per block (10000) would exceed it.
    expect(off.bytes, off.sites.slice(0, 5).join('\n')).toBeLessThan(16 * 1024);
    expect(on.bytes - off.bytes, on.sites.slice(0, 3).join('\n')).toBeGreaterThan(160 * 1024);
  }, 60_000);
});
