/**
 * Bytes allocated by `work` (heap growth with no collection in between), after a warm-up
 * and with garbage collected before each round (vitest runs workers with --expose-gc); the
 * best of a few rounds, so the JIT's one-off allocations while it optimises (worse on a
 * loaded machine) do not count, while code that allocates on every call fails every round.
 */
export function allocatedBytes(work: () => void, options: { warmup?: () => void; rounds?: number } = {}): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  (options.warmup ?? work)();
  let best = Infinity;
  for (let r = 0; r < (options.rounds ?? 4); r++) {
    gc?.();
    const before = process.memoryUsage().heapUsed;
    work();
    best = Math.min(best, process.memoryUsage().heapUsed - before);
  }
  return best;
}
