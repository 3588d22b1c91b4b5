import type { MidiBinding, MidiProbe } from './binding.ts';
import { createNativeMidiBinding } from './native-midi-binding.ts';

/**
 * For `hybrid-bridge devices`: is the MIDI bus usable, and which ports does it see?
 * Never throws: an unusable bus is `{ available: false, reason }` in one line.
 */
export async function probeMidi(binding?: MidiBinding): Promise<MidiProbe> {
  const b = binding ?? createNativeMidiBinding();
  try {
    const ports = await b.list();
    const reason = ports.problems && ports.problems.length > 0 ? ports.problems.join('; ') : undefined;
    return { available: true, ...(reason ? { reason } : {}), inputs: [...ports.inputs], outputs: [...ports.outputs] };
  } catch (err) {
    return { available: false, reason: err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err), inputs: [], outputs: [] };
  } finally {
    if (!binding) await b.close().catch(() => undefined);
  }
}
