import { NoiseSource } from './audio-io.ts';
import { TAP_OUTPUT, type ChainTaps } from './chain-taps.ts';
import type { Chain } from './chain.ts';
import { MeterBank } from './meters/meter-bank.ts';
import { MeterBufferWriter } from './meters/meter-buffer.ts';
import { ParamTableReader } from './param-table.ts';
import { SharedRecordWriter } from './shared-record.ts';
import {
  CTRL_RESET_PROGRAMME,
  CTRL_TIMING,
  ST_BLOCKS,
  ST_BUSY_US,
  ST_FRAMES,
  ST_LATENCY,
  ST_MAX_BLOCK_US,
  ST_NONFINITE,
  ST_PARAM_BLOCK,
  ST_PARAM_SEQ,
  ST_PARAM_WALL_MS,
  ST_SOURCE_UNDERRUNS,
  ST_STATE_RESETS,
  ST_TIMED_FRAMES,
  ST_XRUNS,
  type WorkerInit,
} from './worker-protocol.ts';

/** Stage ids of the meter bank for a chain (the insert taps only when there is an insert slot). */
export function stageIdsFor(chain: Chain): string[] {
  return chain.insert ? ['input', 'insertSend', 'insertReturn', 'output'] : ['input', 'output'];
}

/** Routes the chain's taps to the meter bank; the output tap also feeds loudness / true peak / spectrum. */
class MeterTaps implements ChainTaps {
  readonly #bank: MeterBank;
  readonly #stage: Int32Array;

  constructor(bank: MeterBank, hasInsert: boolean) {
    this.#bank = bank;
    this.#stage = hasInsert ? Int32Array.of(0, 1, 2, 3) : Int32Array.of(0, -1, -1, 1);
  }

  tap(point: number, channels: readonly Float32Array[], frames: number): void {
    const s = this.#stage[point] as number;
    if (s >= 0) this.#bank.tap(s, channels, frames);
    if (point === TAP_OUTPUT) this.#bank.measure(channels, frames);
  }
}

const now = (): number => performance.now();

/**
 * The chain as the audio worker runs it, whoever clocks it (the worker's own loop in
 * AudioRuntime, or the audio interface's stream in the interface host): per block, apply the
 * parameter table if it changed, run the chain (its taps feed the meter bank), then `publish()`
 * once the block has left: meters at the meter rate and the status record. Everything is
 * allocated in the constructor; `process`, `publish` and the counters never allocate.
 */
export class ChainRunner {
  readonly chain: Chain;
  readonly #init: WorkerInit;
  readonly #params: ParamTableReader;
  readonly #status: SharedRecordWriter;
  readonly #control: Int32Array;
  readonly #bank = new MeterBank();
  readonly #meterWriter: MeterBufferWriter;
  readonly #meterInterval: number;
  #framesToMeter: number;
  #blocks = 0;
  #frames = 0;
  #xruns = 0;
  #underruns = 0;
  #maxBlockUs = 0;
  #busyUs = 0;
  /** Frames processed while timing was on (the load is busy time over their audio time). */
  #timedFrames = 0;
  #paramSeq = -1;
  #paramBlock = -1;
  #paramWallMs = 0;
  #applied = false;
  #resetProgramme = 0;

  constructor(init: WorkerInit, chain: Chain) {
    this.#init = init;
    this.chain = chain;
    this.#params = new ParamTableReader(init.paramTable);
    this.#status = new SharedRecordWriter(init.status);
    this.#control = new Int32Array(init.control);
    // The values the session starts with are set before prepare(), which snaps every glide to
    // its target: the first block already runs at them instead of gliding from the defaults.
    const n = this.#params.poll();
    for (let k = 0; k < n; k++) {
      const i = this.#params.changed[k] as number;
      chain.setParam(i, this.#params.values[i] as number);
    }
    chain.prepare(init.sampleRate, init.blockSize, init.channels);
    warmUp(chain, init.channels, init.blockSize, init.sampleRate);
    this.#bank.prepare(
      init.sampleRate,
      init.blockSize,
      init.channels,
      stageIdsFor(chain),
      chain.dynamics.map((d) => d.id),
    );
    this.#meterWriter = new MeterBufferWriter(init.meterBuffer, init.meterLayout);
    chain.setTaps(new MeterTaps(this.#bank, chain.insert !== undefined));
    this.#meterInterval = Math.max(init.blockSize, Math.round(init.sampleRate / init.meterRateHz));
    this.#framesToMeter = this.#meterInterval;
    this.#resetProgramme = Atomics.load(this.#control, CTRL_RESET_PROGRAMME);
  }

  get blocks(): number {
    return this.#blocks;
  }

  get frames(): number {
    return this.#frames;
  }

  get latencySamples(): number {
    return this.chain.latencySamples;
  }

  /** The stream dropped or repeated a block (counted in the status record and the xrun meter). */
  countXrun(added = 1): void {
    this.#xruns += added;
    for (let i = 0; i < added; i++) this.#bank.countXrun();
  }

  /** The source had fewer frames than a block. */
  countUnderrun(): void {
    this.#underruns++;
  }

  /** Run one block of the chain in place: parameters first (the block boundary), then the processors. */
  process(buffers: Float32Array[], frames: number): void {
    const chain = this.chain;
    const params = this.#params;
    const n = params.poll();
    if (n > 0) {
      const changed = params.changed;
      const values = params.values;
      for (let k = 0; k < n; k++) {
        const i = changed[k] as number;
        chain.setParam(i, values[i] as number);
      }
      this.#applied = true;
    } else if (n === 0 && params.sequence !== this.#paramSeq && params.sequence >= 0) {
      // A write that changed nothing (same values): still a new sequence for the latency probe.
      this.#applied = true;
    }
    const rp = Atomics.load(this.#control, CTRL_RESET_PROGRAMME);
    if (rp !== this.#resetProgramme) {
      this.#resetProgramme = rp;
      this.#bank.resetProgramme();
    }
    // The clock only when a probe asked for it (CTRL_TIMING): reading it allocates.
    const timing = Atomics.load(this.#control, CTRL_TIMING) !== 0;
    const t0 = timing ? now() : 0;
    const nonFiniteBefore = chain.nonFiniteInput;
    chain.process(buffers, frames);
    const dyn = chain.dynamics;
    for (let d = 0; d < dyn.length; d++) this.#bank.setGainReduction(d, (dyn[d] as (typeof dyn)[number]).slot.inner.gainReductionDb);
    const nf = chain.nonFiniteInput - nonFiniteBefore;
    if (nf > 0) this.#bank.countNonFinite(nf);
    if (timing) {
      const us = (now() - t0) * 1000;
      this.#busyUs += us;
      this.#timedFrames += frames;
      if (us > this.#maxBlockUs) this.#maxBlockUs = us;
    }
    this.#frames += frames;
  }

  /** After the block has been handed on: note when a parameter change left, publish meters and status. */
  publish(): void {
    if (this.#applied) {
      this.#applied = false;
      this.#paramSeq = this.#params.sequence;
      this.#paramBlock = this.#blocks;
      this.#paramWallMs = Atomics.load(this.#control, CTRL_TIMING) !== 0 ? performance.timeOrigin + now() : 0;
    }
    this.#framesToMeter -= this.#init.blockSize;
    if (this.#framesToMeter <= 0) {
      this.#framesToMeter += this.#meterInterval;
      this.#bank.publish(this.#meterWriter);
    }
    this.#blocks++;
    const st = this.#status;
    const v = st.values;
    st.begin();
    v[ST_BLOCKS] = this.#blocks;
    v[ST_FRAMES] = this.#frames;
    v[ST_PARAM_SEQ] = this.#paramSeq;
    v[ST_PARAM_BLOCK] = this.#paramBlock;
    v[ST_PARAM_WALL_MS] = this.#paramWallMs;
    v[ST_XRUNS] = this.#xruns;
    v[ST_NONFINITE] = this.chain.nonFiniteInput + this.chain.nonFiniteOutput;
    v[ST_STATE_RESETS] = this.chain.stateResets;
    v[ST_MAX_BLOCK_US] = this.#maxBlockUs;
    v[ST_BUSY_US] = this.#busyUs;
    v[ST_TIMED_FRAMES] = this.#timedFrames;
    v[ST_LATENCY] = this.chain.latencySamples;
    v[ST_SOURCE_UNDERRUNS] = this.#underruns;
    st.commit();
  }
}

/**
 * Run about a second of noise through the chain (no taps yet), then reset it: V8 compiles the
 * hot loops before the first real block instead of during the first real blocks, which would
 * otherwise run 10-50x slower and overrun their deadline.
 */
function warmUp(chain: Chain, channels: number, blockSize: number, sampleRate: number): void {
  const buffers = Array.from({ length: channels }, () => new Float32Array(blockSize));
  const noise = new NoiseSource(-20, channels, 99);
  const blocks = Math.ceil(sampleRate / blockSize);
  for (let b = 0; b < blocks; b++) {
    noise.read(buffers, blockSize);
    chain.process(buffers, blockSize);
  }
  chain.reset();
}
