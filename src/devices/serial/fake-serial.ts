import { BridgeError } from '../../errors.ts';
import type { PortHandle, PortOpenOptions, SerialBinding, SerialPortInfo } from './binding.ts';

/**
 * A faithful fake of the serial seam for unit tests (after node-serialport's binding-mock, minus its
 * module-global registry: each test builds its own world). Nothing resolves synchronously, overlapping
 * writes reject, reads come in chunks of at most `maxReadSize` bytes so that framing is exercised
 * across chunk boundaries, a port can be opened once at a time (like a locked tty), and unplugging a
 * device fails its pending read with E_DEVICE_DISCONNECTED.
 */
export class FakeSerialWorld implements SerialBinding {
  readonly #devices = new Map<string, FakeDevice>();
  readonly maxReadSize: number;
  /** Handles currently open (leak checks). */
  readonly openHandles = new Set<PortHandle>();
  opens = 0;

  constructor(options: { maxReadSize?: number } = {}) {
    this.maxReadSize = options.maxReadSize ?? 7;
  }

  /** Plug a device in at `path`; the returned end is the device's side of the cable. */
  attach(path: string, info: { serialNumber?: string } = {}): FakeDevice {
    if (this.#devices.has(path)) throw new TypeError(`FakeSerialWorld: ${path} is already attached`);
    const d = new FakeDevice(path, info.serialNumber, this);
    this.#devices.set(path, d);
    return d;
  }

  device(path: string): FakeDevice | undefined {
    return this.#devices.get(path);
  }

  /** @internal called by FakeDevice.unplug */
  detach(path: string): void {
    this.#devices.delete(path);
  }

  async list(): Promise<SerialPortInfo[]> {
    await tick();
    return [...this.#devices.values()].map((d) => ({ path: d.path, ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}) }));
  }

  async open(path: string, options: PortOpenOptions): Promise<PortHandle> {
    await tick();
    const d = this.#devices.get(path);
    if (!d) throw new BridgeError('E_SERIAL_OPEN', `${path}: no such device`, { details: { path } });
    if (d.handle) throw new BridgeError('E_SERIAL_OPEN', `${path}: port is locked by another open`, { details: { path } });
    this.opens++;
    const h = new FakePortHandle(path, d, options.baudRate, this.maxReadSize, () => this.openHandles.delete(h));
    d.handle = h;
    this.openHandles.add(h);
    return h;
  }
}

/** The device end: what the host writes arrives in `onWrite`; `send` puts bytes on the host's side. */
export class FakeDevice {
  readonly path: string;
  readonly serialNumber: string | undefined;
  /** @internal */
  handle: FakePortHandle | undefined;
  /** Every byte the host ever wrote, in order. */
  readonly received: number[] = [];
  onWrite: (bytes: Uint8Array) => void = () => {};
  readonly #world: FakeSerialWorld;

  constructor(path: string, serialNumber: string | undefined, world: FakeSerialWorld) {
    this.path = path;
    this.serialNumber = serialNumber;
    this.#world = world;
  }

  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  /** Bytes towards the host; dropped when nobody has the port open (as on a real line). */
  send(bytes: Uint8Array | string): void {
    const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.handle?.deliver(b);
  }

  /** Pull the cable: the open handle's pending read rejects with E_DEVICE_DISCONNECTED. */
  unplug(): void {
    this.#world.detach(this.path);
    this.handle?.disconnect();
    this.handle = undefined;
  }

  /** @internal */
  hostWrote(bytes: Uint8Array): void {
    for (const b of bytes) this.received.push(b);
    this.onWrite(bytes);
  }
}

class FakePortHandle implements PortHandle {
  readonly path: string;
  readonly baudRate: number;
  readonly #device: FakeDevice;
  readonly #maxRead: number;
  readonly #onClose: () => void;
  #buffer: number[] = [];
  #reader: { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void } | undefined;
  #writing = false;
  #ended: BridgeError | undefined;

  constructor(path: string, device: FakeDevice, baudRate: number, maxRead: number, onClose: () => void) {
    this.path = path;
    this.baudRate = baudRate;
    this.#device = device;
    this.#maxRead = maxRead;
    this.#onClose = onClose;
  }

  get isOpen(): boolean {
    return this.#ended === undefined;
  }

  read(): Promise<Uint8Array> {
    if (this.#reader) return Promise.reject(new TypeError('FakePortHandle: a read is already pending'));
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
      setImmediate(() => this.#serve());
    });
  }

  write(data: Uint8Array): Promise<void> {
    if (this.#writing) return Promise.reject(new TypeError('FakePortHandle: overlapping write'));
    if (this.#ended) return Promise.reject(this.#ended);
    this.#writing = true;
    const copy = Uint8Array.from(data);
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        this.#writing = false;
        if (this.#ended) {
          reject(this.#ended);
          return;
        }
        this.#device.hostWrote(copy);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    await tick();
    if (this.#ended) return;
    this.#end(new BridgeError('E_SERIAL_CLOSED', `${this.path}: port closed`, { details: { path: this.path, canceled: true } }));
    if (this.#device.handle === this) this.#device.handle = undefined;
  }

  /** @internal */
  deliver(bytes: Uint8Array): void {
    if (this.#ended) return;
    for (const b of bytes) this.#buffer.push(b);
    setImmediate(() => this.#serve());
  }

  /** @internal */
  disconnect(): void {
    this.#end(new BridgeError('E_DEVICE_DISCONNECTED', `${this.path}: device disconnected`, { details: { path: this.path } }));
  }

  #end(err: BridgeError): void {
    if (this.#ended) return;
    this.#ended = err;
    this.#buffer = [];
    const r = this.#reader;
    this.#reader = undefined;
    this.#onClose();
    if (r) setImmediate(() => r.reject(err));
  }

  #serve(): void {
    const r = this.#reader;
    if (!r) return;
    if (this.#ended) {
      this.#reader = undefined;
      r.reject(this.#ended);
      return;
    }
    if (this.#buffer.length === 0) return;
    this.#reader = undefined;
    r.resolve(Uint8Array.from(this.#buffer.splice(0, this.#maxRead)));
  }
}

function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
