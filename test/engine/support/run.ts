import type { Processor } from '../../../src/engine/processor.ts';

/** Anything with the process() shape: processors, slots, the chain. */
export interface Processes {
  process(channels: Float32Array[], frames: number): void;
}

/**
 * Run `signal` (planar, processed in place) through `p` in blocks of `blockSize`, copying each
 * block into block-sized buffers as a host would. `beforeBlock` runs between blocks (parameter
 * changes), with the index of the block's first frame.
 */
export function runBlocks(p: Processes, signal: Float32Array[], blockSize: number, beforeBlock?: (frame: number) => void): void {
  const frames = (signal[0] as Float32Array).length;
  const bufs = signal.map(() => new Float32Array(blockSize));
  for (let pos = 0; pos < frames; pos += blockSize) {
    const n = Math.min(blockSize, frames - pos);
    beforeBlock?.(pos);
    for (let c = 0; c < signal.length; c++) bufs[c]!.set(signal[c]!.subarray(pos, pos + n));
    p.process(bufs, n);
    for (let c = 0; c < signal.length; c++) signal[c]!.set(bufs[c]!.subarray(0, n), pos);
  }
}

/** Set a processor parameter by its name (the part of the id after `<id>.`). */
export function setByName(p: Processor, name: string, value: number): void {
  const i = p.params.findIndex((s) => s.id === `${p.id}.${name}`);
  if (i < 0) throw new Error(`${p.id} has no parameter ${name}`);
  p.setParam(i, value);
}

export function constant(frames: number, value: number): Float32Array {
  return new Float32Array(frames).fill(value);
}
