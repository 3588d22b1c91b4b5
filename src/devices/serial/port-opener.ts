import type { PortHandle, PortOpener, PortOpenOptions, SerialBinding, SerialPortInfo } from './binding.ts';
import { NativeSerialBinding } from './native-serial.ts';
import { TcpTransport } from './tcp-transport.ts';

/** Routes `tcp://` URLs to the TCP transport and everything else to the serial binding. */
export class RoutingOpener implements SerialBinding {
  readonly #serial: SerialBinding;
  readonly #tcp: PortOpener;

  constructor(options: { serial?: SerialBinding; tcp?: PortOpener } = {}) {
    this.#serial = options.serial ?? new NativeSerialBinding();
    this.#tcp = options.tcp ?? new TcpTransport();
  }

  open(path: string, options: PortOpenOptions): Promise<PortHandle> {
    return path.startsWith('tcp://') ? this.#tcp.open(path, options) : this.#serial.open(path, options);
  }

  list(): Promise<SerialPortInfo[]> {
    return this.#serial.list();
  }
}
