import { connect, type Socket } from 'node:net';
import type { AnalogModel } from './analog-model.ts';

/**
 * Keep an analog model in step with a simulated unit running as its own process: connects to the
 * unit's control socket (`--control`), asks it to `watch`, and hands every state it reports to
 * `model.setParams` (outside the audio callback: call this from the control side of the audio host).
 * Resolves once the first state arrived; `close()` ends it.
 */
export async function followUnit(controlSocket: string, model: AnalogModel, onError: (err: Error) => void = () => {}): Promise<{ close(): void }> {
  const socket: Socket = connect(controlSocket);
  let buffered = '';
  let first: ((v: void) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    first = resolve;
    socket.once('error', reject);
  });
  socket.on('data', (d: Buffer) => {
    buffered += d.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as { values?: Record<string, number> };
        if (msg.values) {
          model.setParams(msg.values);
          first?.();
          first = undefined;
        }
      } catch (err) {
        onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  });
  socket.on('error', (err) => onError(err));
  socket.write('watch\n');
  await ready;
  return { close: () => socket.destroy() };
}
