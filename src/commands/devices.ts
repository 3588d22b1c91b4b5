import type { CommandIo } from './config-check.ts';

/** What one bus can see, or why it cannot run on this machine. */
export interface BusReport {
  readonly bus: 'midi' | 'hid' | 'serial' | 'audio';
  readonly available: boolean;
  /** One line, never a stack trace. */
  readonly reason: string;
  readonly devices: readonly { readonly name: string; readonly detail: string }[];
}

export type BusProbe = () => Promise<BusReport>;

/** `hybrid-bridge devices`: every bus is probed; one that cannot run says why in one line. Exit 0. */
export async function devicesCommand(opts: { json: boolean }, io: CommandIo, probes?: readonly BusProbe[]): Promise<number> {
  const list = probes ?? (await import('../devices/probes.ts')).defaultProbes();
  const reports = await Promise.all(
    list.map(async (p) => {
      try {
        return await p();
      } catch (err) {
        return { bus: 'serial' as const, available: false, reason: oneLine(err), devices: [] };
      }
    }),
  );
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    return 0;
  }
  for (const r of reports) {
    const head = `${r.bus.toUpperCase().padEnd(7)}`;
    if (!r.available) {
      io.stdout.write(`${head}unavailable: ${r.reason}\n`);
      continue;
    }
    if (r.devices.length === 0) io.stdout.write(`${head}no devices found${r.reason ? ` (${r.reason})` : ''}\n`);
    else {
      io.stdout.write(`${head}${r.devices.length} device(s)\n`);
      for (const d of r.devices) io.stdout.write(`         ${d.name}${d.detail ? `  ${d.detail}` : ''}\n`);
    }
  }
  return 0;
}

export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim();
}
