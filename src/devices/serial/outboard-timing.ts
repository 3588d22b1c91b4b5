/** Timing of the outboard driver; everything is injectable so tests run in milliseconds. */
export interface OutboardTiming {
  /** Reconnect backoff: first delay, doubling up to the cap; reset after a good handshake. */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** How long a candidate port gets to answer IDN. */
  probeTimeoutMs: number;
  /** PING after this much silence. */
  keepaliveMs: number;
  /** Re-read the unit this long after line trouble (a notification may have been lost). */
  resyncDelayMs: number;
  /** Meter push interval asked from units that have meters. */
  meterIntervalMs: number;
  /** Consecutive timeouts (nothing valid heard) after which a unit counts as gone. */
  deadAfterTimeouts: number;
  busyRetryDelayMs: number;
  /** A parameter whose write fails this many times in a row falls back to the unit's value. */
  maxWriteFailures: number;
  /** Override every profile's response timeout / retries (a loaded test machine). */
  responseTimeoutMs: number | undefined;
  retries: number | undefined;
  /** Probe /dev/serial/by-id and the OS port list too. */
  scanSystemPorts: boolean;
  byIdDir: string;
}

export const DEFAULT_OUTBOARD_TIMING: Readonly<OutboardTiming> = Object.freeze({
  backoffMinMs: 1000,
  backoffMaxMs: 60_000,
  probeTimeoutMs: 300,
  keepaliveMs: 2000,
  resyncDelayMs: 100,
  meterIntervalMs: 50,
  deadAfterTimeouts: 6,
  busyRetryDelayMs: 20,
  maxWriteFailures: 3,
  responseTimeoutMs: undefined,
  retries: undefined,
  scanSystemPorts: true,
  byIdDir: '/dev/serial/by-id',
});
