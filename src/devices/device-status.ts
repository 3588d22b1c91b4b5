/**
 * The lifecycle every device reports to the session machine. Drivers call
 * `report(id, status, reason)`; the session machine turns it into
 * `device.<status>` events for that device's region.
 */
export const DEVICE_STATUSES = ['absent', 'connecting', 'online', 'reconnecting'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export const DEVICE_KINDS = ['outboard', 'surface', 'audio'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface DeviceDescriptor {
  /** Stable id from the config (`eq1`, `xtouch`, `interface`), never a port path. */
  readonly id: string;
  readonly kind: DeviceKind;
  /** A required device that is not online puts the session in `degraded`. */
  readonly required: boolean;
}

export type DeviceStatusReporter = (id: string, status: DeviceStatus, reason?: string) => void;
