import { realpath } from 'node:fs/promises';
import { BridgeError } from '../../errors.ts';
import type { PortHandle, PortOpenOptions, SerialBinding, SerialPortInfo } from './binding.ts';

/**
 * The one file that imports `serialport`. Loaded lazily: a missing native addon disables the serial
 * bus with a one-line reason instead of crashing the daemon. Uses the promise-based binding directly
 * (no stream layer): one pending read, one write at a time, exactly the seam's contract.
 */
interface NativePort {
  readonly isOpen: boolean;
  flush(): Promise<void>;
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }>;
  write(buffer: Buffer): Promise<void>;
  close(): Promise<void>;
}

interface NativeBinding {
  list(): Promise<{ path: string; serialNumber?: string | undefined; manufacturer?: string | undefined }[]>;
  open(options: { path: string; baudRate: number; lock?: boolean; hupcl?: boolean }): Promise<NativePort>;
}

const READ_SIZE = 1024;
/**
 * How often a pending read checks that the device node is still there. The kernel's hangup does not
 * always reach the binding's poller (measured: a socat pty whose master closed left ~20% of pending
 * reads waiting forever); a vanished node (USB unplug, pty gone) is then seen within this time.
 */
const HANGUP_CHECK_MS = 500;

export class NativeSerialBinding implements SerialBinding {
  #binding: Promise<NativeBinding> | undefined;

  #load(): Promise<NativeBinding> {
    this.#binding ??= (async () => {
      try {
        const mod = (await import('serialport')) as unknown as { SerialPort: { binding: NativeBinding } };
        return mod.SerialPort.binding;
      } catch (err) {
        throw new BridgeError('E_BUS_UNAVAILABLE', `serial bus disabled: cannot load serialport (${err instanceof Error ? err.message : String(err)})`, {
          cause: err,
        });
      }
    })();
    return this.#binding;
  }

  async list(): Promise<SerialPortInfo[]> {
    const binding = await this.#load();
    try {
      const ports = await binding.list();
      return ports.map((p) => ({
        path: p.path,
        ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
        ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
      }));
    } catch (err) {
      // Typically `spawn udevadm ENOENT` (Debian package `udev` missing).
      throw new BridgeError('E_BUS_UNAVAILABLE', `cannot list serial ports (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  }

  async open(path: string, options: PortOpenOptions): Promise<PortHandle> {
    const binding = await this.#load();
    let port: NativePort;
    try {
      port = await binding.open({ path, baudRate: options.baudRate, lock: true, hupcl: false });
    } catch (err) {
      throw new BridgeError('E_SERIAL_OPEN', `${path}: cannot open (${err instanceof Error ? err.message : String(err)})`, { details: { path }, cause: err });
    }
    // Bytes that arrived while nobody had the port open are stale (a pty keeps them): discard them.
    await port.flush().catch(() => {});
    return new NativePortHandle(path, port, await realpath(path).catch(() => path));
  }
}

class NativePortHandle implements PortHandle {
  readonly path: string;
  readonly #port: NativePort;
  /** The device node behind `path` when it was opened (a by-id or pty symlink resolved). */
  readonly #node: string;
  #reading = false;
  #writing = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(path: string, port: NativePort, node: string) {
    this.path = path;
    this.#port = port;
    this.#node = node;
  }

  get isOpen(): boolean {
    return !this.#closed && this.#port.isOpen;
  }

  async read(): Promise<Uint8Array> {
    if (this.#reading) throw new TypeError('NativePortHandle: a read is already pending');
    if (this.#closed) throw closedError(this.path);
    this.#reading = true;
    let watchdog: NodeJS.Timeout | undefined;
    try {
      const buf = Buffer.allocUnsafe(READ_SIZE);
      const vanished = new Promise<never>((_, reject) => {
        watchdog = setInterval(() => {
          void realpath(this.path).then(
            (node) => (node === this.#node ? undefined : reject(new Error(`${this.path} now points to ${node}`))),
            () => reject(new Error(`${this.path} no longer exists`)),
          );
        }, HANGUP_CHECK_MS);
      });
      vanished.catch(() => {});
      const { bytesRead } = await Promise.race([this.#port.read(buf, 0, READ_SIZE), vanished]);
      return buf.subarray(0, bytesRead);
    } catch (err) {
      if (this.#closed || (err as { canceled?: boolean }).canceled) throw closedError(this.path, err);
      // Any other read error is the device going away (EIO on a vanished pty, ENXIO on USB unplug):
      // release the file descriptor now (a native read may still be parked on it).
      this.#closed = true;
      this.#closing ??= this.#port.close().catch(() => {});
      throw new BridgeError('E_DEVICE_DISCONNECTED', `${this.path}: device disconnected (${err instanceof Error ? err.message : String(err)})`, {
        details: { path: this.path },
        cause: err,
      });
    } finally {
      clearInterval(watchdog);
      this.#reading = false;
    }
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#writing) throw new TypeError('NativePortHandle: overlapping write');
    if (this.#closed) throw closedError(this.path);
    this.#writing = true;
    try {
      await this.#port.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } catch (err) {
      if (this.#closed || (err as { canceled?: boolean }).canceled) throw closedError(this.path, err);
      throw new BridgeError('E_DEVICE_DISCONNECTED', `${this.path}: write failed (${err instanceof Error ? err.message : String(err)})`, {
        details: { path: this.path },
        cause: err,
      });
    } finally {
      this.#writing = false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#port.isOpen ? this.#port.close().catch(() => {}) : Promise.resolve();
    await this.#closing;
  }
}

function closedError(path: string, cause?: unknown): BridgeError {
  return new BridgeError('E_SERIAL_CLOSED', `${path}: port closed`, { details: { path, canceled: true }, ...(cause ? { cause } : {}) });
}
