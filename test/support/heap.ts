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

interface SamplingNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

/**
 * Bytes V8's sampling heap profiler attributes to frames in files whose path contains `where`
 * while `work` runs (every allocation, collected or not: a GC during the run cannot hide one, as
 * it can from heapUsed), and the largest sites.
 */
export async function sampledAllocations(work: () => void, where: string): Promise<{ bytes: number; sites: string[] }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  work();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
  session.disconnect();
  let bytes = 0;
  const sites: string[] = [];
  const walk = (node: SamplingNode): void => {
    if (node.selfSize > 0 && node.callFrame.url.includes(where)) {
      bytes += node.selfSize;
      sites.push(`${node.selfSize} B at ${node.callFrame.functionName} ${node.callFrame.url.split('/').pop() ?? ''}:${node.callFrame.lineNumber + 1}`);
    }
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  sites.sort((a, b) => Number.parseInt(b) - Number.parseInt(a));
  return { bytes, sites };
}
