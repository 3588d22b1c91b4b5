/**
 * Write `frames` samples of every channel into its dry-delay ring (a power-of-two length, `mask`
 * = length - 1) from position `pos`: the dry copy the chain's and the slots' bypass cross-fades
 * read back, delayed by the latency.
 *
 * Where a channel's whole array fits before the ring's end and is no longer than `maxBlock`, one
 * native set() copies it instead of a per-sample loop (subarray() would allocate). Its samples past
 * `frames` land on ring positions the next block writes before anything reads them: the rings hold
 * at least latency + maxBlock + 1 samples, so those positions are older than any read of this block
 * (which reaches back at most the latency).
 */
export function writeDryRings(rings: readonly Float32Array[], channels: readonly Float32Array[], frames: number, pos: number, mask: number, maxBlock: number): void {
  const at = pos & mask;
  for (let c = 0; c < rings.length; c++) {
    const r = rings[c]!;
    const x = channels[c]!;
    if (x.length <= maxBlock && at + x.length <= r.length) {
      r.set(x, at);
      continue;
    }
    for (let i = 0; i < frames; i++) r[(pos + i) & mask] = x[i]!;
  }
}
