import { readdirSync } from 'node:fs';

export interface ResourceSnapshot {
  fds: number;
  /** process.getActiveResourcesInfo() counted by kind (Timeout, TCPWRAP, PipeWrap, ProcessWrap, ...). */
  handles: Record<string, number>;
}

export function resourceSnapshot(): ResourceSnapshot {
  const handles: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) handles[r] = (handles[r] ?? 0) + 1;
  return { fds: readdirSync('/proc/self/fd').length, handles };
}

/** What grew since `before` (kinds whose count is higher now, and the fd count). */
export function leaked(before: ResourceSnapshot, after: ResourceSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  if (after.fds > before.fds) out.fds = after.fds - before.fds;
  for (const [k, n] of Object.entries(after.handles)) if (n > (before.handles[k] ?? 0)) out[k] = n - (before.handles[k] ?? 0);
  return out;
}

/** Wait (a little) for closing handles to be reaped, then report what is still above the baseline. */
export async function leakedAfterSettling(before: ResourceSnapshot, timeoutMs = 3000): Promise<Record<string, number>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const l = leaked(before, resourceSnapshot());
    if (Object.keys(l).length === 0 || Date.now() > until) return l;
    await new Promise((r) => setTimeout(r, 50));
  }
}
