import { existsSync } from 'node:fs';
import { BridgeError } from '../../errors.ts';
import type { MidiBinding, MidiInputPort, MidiOutputPort, MidiPortList } from './binding.ts';
import { splitMessages } from './midi-message.ts';

/**
 * The ONE file that imports `@julusian/midi` (rtmidi). Loaded lazily: a missing addon, or an
 * rtmidi that cannot initialise (no ALSA sequencer: `new Input()` throws "Failed to initialise
 * RtMidi"), disables the MIDI bus with a one-line reason instead of crashing the daemon.
 */

import type * as MidiNs from '@julusian/midi';

type MidiModule = typeof MidiNs;
type NativeInput = InstanceType<MidiModule['Input']>;
type NativeOutput = InstanceType<MidiModule['Output']>;

export interface NativeMidiOptions {
  /**
   * After a failed initialisation, how long to wait before trying again. rtmidi prints ALSA
   * errors on stderr at every attempt, so the failure is cached instead of retried on every poll.
   */
  retryAfterMs?: number;
  now?: () => number;
}

export function createNativeMidiBinding(options: NativeMidiOptions = {}): MidiBinding {
  return new NativeMidiBinding(options);
}

class NativeMidiBinding implements MidiBinding {
  readonly kind = 'rtmidi';
  readonly #retryAfterMs: number;
  readonly #now: () => number;
  #mod: MidiModule | undefined;
  #scanIn: NativeInput | undefined;
  #scanOut: NativeOutput | undefined;
  #failure: { reason: string; at: number } | undefined;
  readonly #open = new Set<{ close(): Promise<void> }>();

  constructor(options: NativeMidiOptions) {
    this.#retryAfterMs = options.retryAfterMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  async #init(): Promise<{ mod: MidiModule; scanIn: NativeInput; scanOut: NativeOutput }> {
    if (this.#mod && this.#scanIn && this.#scanOut) return { mod: this.#mod, scanIn: this.#scanIn, scanOut: this.#scanOut };
    if (this.#failure && this.#now() - this.#failure.at < this.#retryAfterMs) {
      throw new BridgeError('E_BUS_UNAVAILABLE', this.#failure.reason, { details: { bus: 'midi' } });
    }
    let reason: string;
    try {
      const mod = await import('@julusian/midi');
      const scanIn = new mod.Input();
      const scanOut = new mod.Output();
      this.#mod = mod;
      this.#scanIn = scanIn;
      this.#scanOut = scanOut;
      this.#failure = undefined;
      return { mod, scanIn, scanOut };
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      reason = `MIDI unavailable: ${firstLine(msg)}`;
      // Say why in operator terms when we can: on Linux rtmidi needs the ALSA sequencer device.
      if (process.platform === 'linux' && !existsSync('/dev/snd/seq')) reason += ' (no ALSA sequencer: /dev/snd/seq is missing, load snd-seq)';
    }
    this.#failure = { reason, at: this.#now() };
    throw new BridgeError('E_BUS_UNAVAILABLE', reason, { details: { bus: 'midi' } });
  }

  async list(): Promise<MidiPortList> {
    const { scanIn, scanOut } = await this.#init();
    return { inputs: names(scanIn), outputs: names(scanOut) };
  }

  async openInput(name: string): Promise<MidiInputPort> {
    const { mod, scanIn } = await this.#init();
    // Resolve the index right before opening: indices shift on every plug/unplug (rtmidi #191).
    const index = names(scanIn).indexOf(name);
    if (index < 0) throw notFound(name, 'input');
    const input = new mod.Input();
    // rtmidi ignores SysEx, timing and active sensing by default (ignoreFlags = 7): the MCU
    // handshake replies are SysEx (RtMidi.Core PR #17). Keep ignoring clock and active sensing.
    input.ignoreTypes(false, true, true);
    try {
      input.openPort(index);
    } catch (err) {
      input.destroy();
      throw new BridgeError('E_DEVICE_UNAVAILABLE', `cannot open MIDI input "${name}": ${firstLine(String(err))}`, { details: { name }, cause: err });
    }
    const port = new NativeInputPort(name, input, () => this.#open.delete(port));
    this.#open.add(port);
    return port;
  }

  async openOutput(name: string): Promise<MidiOutputPort> {
    const { mod, scanOut } = await this.#init();
    const index = names(scanOut).indexOf(name);
    if (index < 0) throw notFound(name, 'output');
    const output = new mod.Output();
    try {
      output.openPort(index);
    } catch (err) {
      output.destroy();
      throw new BridgeError('E_DEVICE_UNAVAILABLE', `cannot open MIDI output "${name}": ${firstLine(String(err))}`, { details: { name }, cause: err });
    }
    const port = new NativeOutputPort(name, output, () => this.#open.delete(port));
    this.#open.add(port);
    return port;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((p) => p.close()));
    this.#scanIn?.destroy();
    this.#scanOut?.destroy();
    this.#scanIn = undefined;
    this.#scanOut = undefined;
    this.#mod = undefined;
  }
}

class NativeInputPort implements MidiInputPort {
  readonly name: string;
  #input: NativeInput | undefined;
  readonly #onDone: () => void;

  constructor(name: string, input: NativeInput, onDone: () => void) {
    this.name = name;
    this.#input = input;
    this.#onDone = onDone;
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    // rtmidi calls back on the main thread with one complete message per call.
    this.#input?.on('messageBuffer', (_delta: number, message: Buffer) => listener(new Uint8Array(message)));
  }

  onClose(_listener: (reason: string) => void): void {
    // rtmidi never reports a vanished port; the poll of list() does.
  }

  close(): Promise<void> {
    const input = this.#input;
    this.#input = undefined;
    if (input) {
      input.removeAllListeners();
      input.closePort();
      input.destroy();
      this.#onDone();
    }
    return Promise.resolve();
  }
}

class NativeOutputPort implements MidiOutputPort {
  readonly name: string;
  #output: NativeOutput | undefined;
  readonly #onDone: () => void;

  constructor(name: string, output: NativeOutput, onDone: () => void) {
    this.name = name;
    this.#output = output;
    this.#onDone = onDone;
  }

  send(bytes: Uint8Array): void {
    // rtmidi's sendMessage takes one message at a time (SysEx included).
    const out = this.#output;
    if (!out) return;
    for (const msg of splitMessages(bytes)) out.sendMessage(Buffer.from(msg));
  }

  onClose(_listener: (reason: string) => void): void {}

  close(): Promise<void> {
    const out = this.#output;
    this.#output = undefined;
    if (out) {
      out.closePort();
      out.destroy();
      this.#onDone();
    }
    return Promise.resolve();
  }
}

function names(port: NativeInput | NativeOutput): string[] {
  const out: string[] = [];
  const n = port.getPortCount();
  for (let i = 0; i < n; i++) out.push(port.getPortName(i));
  return out;
}

function notFound(name: string, dir: string): BridgeError {
  return new BridgeError('E_DEVICE_NOT_FOUND', `MIDI ${dir} "${name}" is not present`, { details: { name } });
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).trim();
}

