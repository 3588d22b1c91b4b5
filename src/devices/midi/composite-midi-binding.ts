import { BridgeError, isBridgeError } from '../../errors.ts';
import type { MidiBinding, MidiInputPort, MidiOutputPort, MidiPortList } from './binding.ts';

/**
 * Several MIDI bindings seen as one bus: the native rtmidi ports plus the network ports of
 * firmware-sim surfaces. A part that is unavailable does not hide the others; its reason is
 * carried in `problems`. Only when every part is unavailable does `list()` reject.
 */
export function createCompositeMidiBinding(parts: readonly MidiBinding[]): MidiBinding {
  return new CompositeMidiBinding(parts);
}

class CompositeMidiBinding implements MidiBinding {
  readonly kind: string;
  readonly #parts: readonly MidiBinding[];
  readonly #owner = new Map<string, MidiBinding>();

  constructor(parts: readonly MidiBinding[]) {
    this.#parts = parts;
    this.kind = parts.map((p) => p.kind).join('+');
  }

  async list(): Promise<MidiPortList> {
    const results = await Promise.allSettled(this.#parts.map((p) => p.list()));
    const inputs: string[] = [];
    const outputs: string[] = [];
    const problems: string[] = [];
    this.#owner.clear();
    results.forEach((r, i) => {
      const part = this.#parts[i] as MidiBinding;
      if (r.status === 'rejected') {
        problems.push(r.reason instanceof Error ? r.reason.message : String(r.reason));
        return;
      }
      for (const n of r.value.inputs) {
        inputs.push(n);
        this.#owner.set(`in:${n}`, part);
      }
      for (const n of r.value.outputs) {
        outputs.push(n);
        this.#owner.set(`out:${n}`, part);
      }
      problems.push(...(r.value.problems ?? []));
    });
    if (results.every((r) => r.status === 'rejected')) {
      throw new BridgeError('E_BUS_UNAVAILABLE', problems.join('; '), { details: { bus: 'midi' } });
    }
    return { inputs, outputs, problems };
  }

  openInput(name: string): Promise<MidiInputPort> {
    const part = this.#owner.get(`in:${name}`);
    if (!part) return Promise.reject(notFound(name));
    return part.openInput(name);
  }

  openOutput(name: string): Promise<MidiOutputPort> {
    const part = this.#owner.get(`out:${name}`);
    if (!part) return Promise.reject(notFound(name));
    return part.openOutput(name);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.#parts.map((p) => p.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && !isBridgeError(failed.reason)) throw failed.reason;
  }
}

function notFound(name: string): BridgeError {
  return new BridgeError('E_DEVICE_NOT_FOUND', `MIDI port "${name}" is not present`, { details: { name } });
}
