/**
 * The serial seam: a small promise-based port interface (after node-serialport's bindings-interface).
 * The driver above it runs unchanged on the native binding, on TCP (ser2net) and on the fake.
 *
 * Behavioural rules every implementation keeps:
 * - Nothing resolves synchronously.
 * - `read()` resolves with the next chunk of 1..n bytes. Only one read may be pending; a second
 *   concurrent read rejects with a `TypeError` (a driver bug).
 * - A pending read rejects with `E_SERIAL_CLOSED` (`details.canceled: true`) when the port is closed
 *   locally, and with `E_DEVICE_DISCONNECTED` when the device goes away (unplugged, socat died, TCP peer
 *   closed). A disconnect is data, not a crash: it is how the driver learns about unplugs.
 * - `write()` resolves when the bytes are handed to the OS. Overlapping writes reject with a
 *   `TypeError`: the caller serialises its writes.
 * - `close()` is idempotent and resolves when the file descriptor / socket is released.
 */
export interface PortHandle {
  /** The path or URL it was opened with. */
  readonly path: string;
  readonly isOpen: boolean;
  read(): Promise<Uint8Array>;
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface PortOpenOptions {
  readonly baudRate: number;
}

export interface PortOpener {
  /** Rejects with `E_SERIAL_OPEN` (details.path) when the port cannot be opened. */
  open(path: string, options: PortOpenOptions): Promise<PortHandle>;
}

export interface SerialPortInfo {
  readonly path: string;
  readonly serialNumber?: string;
  readonly manufacturer?: string;
}

export interface SerialBinding extends PortOpener {
  /**
   * Ports the OS enumerates. Needs udevadm on Linux (Debian `udev`); pseudo-terminals never appear.
   * Rejects with `E_BUS_UNAVAILABLE` when the native addon cannot load.
   */
  list(): Promise<SerialPortInfo[]>;
}
