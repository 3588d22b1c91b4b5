/** Where a unit's UART bytes meet the outside world: a socat pseudo-terminal or a TCP listener. */
export interface UnitPort {
  readonly kind: 'pty' | 'tcp';
  /** Address the host opens: a pty path or `tcp://host:port`; undefined while unplugged. */
  readonly address: string | undefined;
  /** Make the port appear (optionally at a new place); resolves with the address. */
  plug(target?: string): Promise<string>;
  /** Make the port disappear, closing the host's side. */
  unplug(): Promise<void>;
  write(bytes: Uint8Array): void;
  /** Bytes from the host. */
  onData: (chunk: Uint8Array) => void;
  /** The port went away by itself (socat died). */
  onLost: (reason: string) => void;
}
