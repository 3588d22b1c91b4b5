import type { SessionUnit } from './store/snapshot-state.ts';

/** What `OutboardManager.units()` says about a unit, as far as its identity goes (src/devices/serial/unit-info.ts). */
export interface ConfiguredUnitInfo {
  readonly id: string;
  /** The profile's model. */
  readonly model: string;
  /** The configured serial: the driver talks only to the unit with this serial. */
  readonly serial: string;
  /** What the unit answered last (once it has been online). */
  readonly identity?: { readonly model: string; readonly serial: string; readonly firmware: string };
}

/**
 * The outboard units as the live session records them: the identity each unit answered, or
 * before it has answered (at daemon start, when the session is restored) the configured
 * serial and the profile's model with the firmware unknown. The driver finds a unit by its
 * serial, so the configured serial is the unit that would receive the restored values.
 *
 * Wiring: `new StorePart({ …, units: () => liveUnitIdentities(outboard.manager.units()) })`.
 */
export function liveUnitIdentities(units: readonly ConfiguredUnitInfo[]): SessionUnit[] {
  return units.map((u) => ({
    unitId: u.id,
    model: u.identity?.model ?? u.model,
    serial: u.identity?.serial ?? u.serial,
    // An empty firmware string is "not known", not an identity.
    firmware: u.identity?.firmware !== undefined && u.identity.firmware !== '' ? u.identity.firmware : null,
  }));
}
