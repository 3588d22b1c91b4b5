/**
 * The MIDI bus seam. Everything above it (parsers, Mackie Control, mapping) runs unchanged on
 * the native rtmidi binding, the network binding (firmware-sim surfaces in their own process)
 * and the in-process fake used by tests.
 *
 * Behavioural rules every implementation follows:
 * - `list()` is the only discovery mechanism: rtmidi has no hot-plug events, so callers poll it
 *   and match ports by name (never by index: indices shift on every plug/unplug, rtmidi #191).
 * - `list()` rejects with `E_BUS_UNAVAILABLE` and a one-line reason when the bus cannot work at
 *   all (no ALSA sequencer, addon missing). It never throws synchronously.
 * - `openInput`/`openOutput` resolve the name to the port at the moment of opening and reject
 *   with `E_DEVICE_NOT_FOUND` when no port has that name any more.
 * - Input ports deliver raw bytes. A transport may deliver one complete message per chunk
 *   (rtmidi) or arbitrary slices of a byte stream (network, DIN): the parser copes with both,
 *   including running status. SysEx is always delivered (rtmidi filters it unless told not to).
 * - Nothing is delivered synchronously from inside a call into the binding.
 * - A port that disappears may or may not say so: rtmidi stays silent (the next `list()` no
 *   longer shows the name), a socket emits `close`. Callers handle both.
 */

export interface MidiPortList {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** One-line reasons of parts of a composite binding that are unavailable (the rest still work). */
  readonly problems?: readonly string[];
}

export interface MidiInputPort {
  readonly name: string;
  /** Raw bytes from the device. */
  onData(listener: (bytes: Uint8Array) => void): void;
  /** At most once, when the transport knows the port went away. */
  onClose(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

export interface MidiOutputPort {
  readonly name: string;
  /**
   * Send complete messages (one or more, concatenated). Fire-and-forget like rtmidi's
   * `sendMessage`; bytes sent to a port that vanished are dropped (the poll notices).
   */
  send(bytes: Uint8Array): void;
  onClose(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

export interface MidiBinding {
  /** Short name for logs and `hybrid-bridge devices`: `rtmidi`, `net`, `fake`, `rtmidi+net`. */
  readonly kind: string;
  list(): Promise<MidiPortList>;
  openInput(name: string): Promise<MidiInputPort>;
  openOutput(name: string): Promise<MidiOutputPort>;
  /** Release scanner handles and open ports. */
  close(): Promise<void>;
}

/** What `hybrid-bridge devices` prints for the MIDI bus. */
export interface MidiProbe {
  readonly available: boolean;
  readonly reason?: string;
  readonly inputs: string[];
  readonly outputs: string[];
}
