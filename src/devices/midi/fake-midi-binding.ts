import { EventEmitter } from 'node:events';
import { BridgeError } from '../../errors.ts';
import type { MidiBinding, MidiInputPort, MidiOutputPort, MidiPortList } from './binding.ts';
import { splitMessages } from './midi-message.ts';

/**
 * An in-process MIDI world for tests and benchmarks. Each test builds its own (no module-global
 * registry). Faithful to rtmidi where it matters:
 * - nothing is delivered synchronously: bytes cross the seam on a later event-loop turn;
 * - ports are found by name only; names can change (ALSA client number `20:0` -> `24:0`);
 * - an unplugged port just vanishes from `list()`: open handles get no event (rtmidi is silent),
 *   unless the world is built with `closeEvents: true` (socket-like transports);
 * - the bus can be unavailable with rtmidi's reason.
 */
export interface FakeMidiWorldOptions {
  /** Make every `list()`/`open*()` reject with E_BUS_UNAVAILABLE and this reason. */
  unavailable?: string;
  /** Emit `close` on open handles when a device is unplugged (default false, like rtmidi). */
  closeEvents?: boolean;
  /**
   * How device -> host bytes are chunked: `message` = one complete message per delivery (USB /
   * rtmidi), or a positive number = slices of at most that many bytes (DIN, sockets).
   */
  chunking?: 'message' | number;
}

interface Endpoint {
  device: FakeMidiDevice;
  listeners: Set<(bytes: Uint8Array) => void>;
  closeListeners: Set<(reason: string) => void>;
}

export class FakeMidiWorld {
  readonly #devices = new Set<FakeMidiDevice>();
  #unavailable: string | undefined;
  readonly closeEvents: boolean;
  readonly chunking: 'message' | number;
  /** Calls made through any binding of this world (list/openInput/openOutput), for assertions. */
  readonly calls: string[] = [];

  constructor(options: FakeMidiWorldOptions = {}) {
    this.#unavailable = options.unavailable;
    this.closeEvents = options.closeEvents ?? false;
    this.chunking = options.chunking ?? 'message';
  }

  /** Plug a device: an input port (device -> host) and an output port (host -> device). */
  plug(name: string, options: { outputName?: string } = {}): FakeMidiDevice {
    const device = new FakeMidiDevice(this, name, options.outputName ?? name);
    this.#devices.add(device);
    return device;
  }

  setUnavailable(reason: string | undefined): void {
    this.#unavailable = reason;
  }

  get unavailable(): string | undefined {
    return this.#unavailable;
  }

  /** @internal */
  present(): FakeMidiDevice[] {
    return [...this.#devices].filter((d) => d.plugged);
  }

  binding(): MidiBinding {
    return new FakeMidiBinding(this);
  }
}

export class FakeMidiDevice extends EventEmitter<{ receive: [Uint8Array] }> {
  readonly #world: FakeMidiWorld;
  #inputName: string;
  #outputName: string;
  #plugged = true;
  /** Every message the host sent to this device, one entry per message. */
  readonly received: Uint8Array[] = [];
  /** @internal open host-side handles */
  readonly endpoints = new Set<Endpoint>();

  constructor(world: FakeMidiWorld, inputName: string, outputName: string) {
    super();
    this.#world = world;
    this.#inputName = inputName;
    this.#outputName = outputName;
  }

  get inputName(): string {
    return this.#inputName;
  }
  get outputName(): string {
    return this.#outputName;
  }
  get plugged(): boolean {
    return this.#plugged;
  }

  /** Device -> host. Delivered on a later turn, chunked as the world says. */
  send(bytes: Uint8Array | readonly number[]): void {
    if (!this.#plugged) return;
    const data = Uint8Array.from(bytes);
    const chunks: Uint8Array[] = [];
    if (this.#world.chunking === 'message') chunks.push(...splitMessages(data));
    else {
      const size = this.#world.chunking;
      for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
    }
    const targets = [...this.endpoints];
    setImmediate(() => {
      for (const chunk of chunks) for (const ep of targets) if (this.endpoints.has(ep)) for (const l of ep.listeners) l(Uint8Array.from(chunk));
    });
  }

  /** Messages received since the last call (and forget them). */
  take(): Uint8Array[] {
    return this.received.splice(0, this.received.length);
  }

  /** The device vanishes (USB unplug, power off). */
  unplug(): void {
    this.#plugged = false;
    const eps = [...this.endpoints];
    this.endpoints.clear();
    if (this.#world.closeEvents) {
      setImmediate(() => {
        for (const ep of eps) for (const l of ep.closeListeners) l('device unplugged');
      });
    }
  }

  /** Plug back in, optionally under new names (ALSA assigns a new client number). */
  replug(inputName?: string, outputName?: string): void {
    if (inputName !== undefined) this.#inputName = inputName;
    if (outputName !== undefined) this.#outputName = outputName;
    else if (inputName !== undefined) this.#outputName = inputName;
    this.#plugged = true;
  }

  /** @internal host -> device */
  deliver(bytes: Uint8Array): void {
    if (!this.#plugged) return;
    const msgs = splitMessages(bytes).map((m) => Uint8Array.from(m));
    setImmediate(() => {
      for (const m of msgs) {
        this.received.push(m);
        this.emit('receive', m);
      }
    });
  }
}

class FakeMidiBinding implements MidiBinding {
  readonly kind = 'fake';
  readonly #world: FakeMidiWorld;
  readonly #open = new Set<{ close(): Promise<void> }>();

  constructor(world: FakeMidiWorld) {
    this.#world = world;
  }

  async #gate(call: string): Promise<void> {
    this.#world.calls.push(call);
    await new Promise<void>((r) => setImmediate(r));
    const reason = this.#world.unavailable;
    if (reason !== undefined) throw new BridgeError('E_BUS_UNAVAILABLE', reason, { details: { bus: 'midi' } });
  }

  async list(): Promise<MidiPortList> {
    await this.#gate('list');
    const present = this.#world.present();
    return { inputs: present.map((d) => d.inputName), outputs: present.map((d) => d.outputName) };
  }

  async openInput(name: string): Promise<MidiInputPort> {
    await this.#gate(`openInput ${name}`);
    const device = this.#world.present().find((d) => d.inputName === name);
    if (!device) throw new BridgeError('E_DEVICE_NOT_FOUND', `MIDI input "${name}" is not present`, { details: { name } });
    const ep: Endpoint = { device, listeners: new Set(), closeListeners: new Set() };
    device.endpoints.add(ep);
    const port: MidiInputPort = {
      name,
      onData: (l) => void ep.listeners.add(l),
      onClose: (l) => void ep.closeListeners.add(l),
      close: () => {
        device.endpoints.delete(ep);
        this.#open.delete(port);
        return Promise.resolve();
      },
    };
    this.#open.add(port);
    return port;
  }

  async openOutput(name: string): Promise<MidiOutputPort> {
    await this.#gate(`openOutput ${name}`);
    const device = this.#world.present().find((d) => d.outputName === name);
    if (!device) throw new BridgeError('E_DEVICE_NOT_FOUND', `MIDI output "${name}" is not present`, { details: { name } });
    const ep: Endpoint = { device, listeners: new Set(), closeListeners: new Set() };
    device.endpoints.add(ep);
    let open = true;
    const port: MidiOutputPort = {
      name,
      send: (bytes) => {
        // Like rtmidi: writing to a port whose device vanished is silently lost.
        if (open && device.endpoints.has(ep)) device.deliver(bytes);
      },
      onClose: (l) => void ep.closeListeners.add(l),
      close: () => {
        open = false;
        device.endpoints.delete(ep);
        this.#open.delete(port);
        return Promise.resolve();
      },
    };
    this.#open.add(port);
    return port;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((p) => p.close()));
  }
}
