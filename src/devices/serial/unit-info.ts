import type { DeviceStatus } from '../device-status.ts';
import type { UnitIdentity } from './protocol.ts';

/** What `OutboardManager.units()` says about one configured unit. */
export interface UnitInfo {
  readonly id: string;
  readonly profile: string;
  readonly model: string;
  readonly serial: string;
  readonly recall: 'electronic' | 'manual';
  readonly required: boolean;
  readonly status: DeviceStatus;
  readonly reason?: string;
  /** Where it was found last. */
  readonly path?: string;
  readonly identity?: UnitIdentity;
  readonly parameters: number;
}
