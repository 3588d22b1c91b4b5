import type { SurfaceConfig } from '../config/sections/surfaces.ts';
import type { EvdevDeviceInfo, EvdevHandle, HidDeviceHandle, HidDeviceInfo, StreamDeckHandle, StreamDeckInfo } from '../devices/hid/binding.ts';
import { usbId } from '../devices/hid/hid-ids.ts';
import { PortPattern } from '../devices/midi/port-pattern.ts';
import { SurfaceBase, type SurfaceContext } from './surface-base.ts';
import type { SurfaceMap } from './surface-map-schema.ts';

export type HidKind = 'hid' | 'evdev' | 'streamdeck';

/** A device as the HID watcher offers it to a surface. */
export type HidCandidate =
  | { readonly kind: 'hid'; readonly info: HidDeviceInfo }
  | { readonly kind: 'evdev'; readonly info: EvdevDeviceInfo }
  | { readonly kind: 'streamdeck'; readonly info: StreamDeckInfo };

export type AttachedHid =
  | { readonly kind: 'hid'; readonly info: HidDeviceInfo; readonly handle: HidDeviceHandle }
  | { readonly kind: 'evdev'; readonly info: EvdevDeviceInfo; readonly handle: EvdevHandle }
  | { readonly kind: 'streamdeck'; readonly info: StreamDeckInfo; readonly handle: StreamDeckHandle };

export interface HidSurface {
  readonly id: string;
  /** Which parts of the HID bus to look in, in order of preference. */
  hidKinds(): readonly HidKind[];
  /** Does this device belong to the surface? */
  matches(candidate: HidCandidate): boolean;
  attachHid(device: AttachedHid): void;
  detachHid(reason: string): void;
  portMissing(reason: string): void;
  readonly attachedPath: string | undefined;
}

/** Name and ids a HID pattern can match: product name, `vvvv:pppp`, the device path. */
export function candidateNames(c: HidCandidate): string[] {
  switch (c.kind) {
    case 'hid':
      return [c.info.product ?? '', usbId(c.info.vendorId, c.info.productId), c.info.path];
    case 'evdev':
      return [c.info.name, usbId(c.info.vendorId, c.info.productId), c.info.path];
    case 'streamdeck':
      return [`Stream Deck ${c.info.model}`, c.info.model, c.info.serialNumber ?? '', c.info.path];
  }
}

/**
 * Shared plumbing of HID surfaces: matching by pattern, attach/detach bookkeeping, status.
 * `match: any` (or a pattern) narrows further what the subclass's default ids accept.
 */
export abstract class HidSurfaceBase extends SurfaceBase implements HidSurface {
  protected attached: AttachedHid | undefined;
  #everOnline = false;
  #generation = 0;
  protected readonly pattern: PortPattern | undefined;

  constructor(config: SurfaceConfig, map: SurfaceMap, ctx: SurfaceContext) {
    super(config, map, ctx);
    this.pattern = config.match === 'any' || config.match === 'sim' ? undefined : new PortPattern(config.match);
    this.compile();
  }

  abstract hidKinds(): readonly HidKind[];

  /** Default ids the device type has (PowerMate VID/PID …); a pattern must match too when given. */
  protected abstract isKnownDevice(c: HidCandidate): boolean;

  matches(c: HidCandidate): boolean {
    if (!this.hidKinds().includes(c.kind)) return false;
    if (this.pattern) return candidateNames(c).some((n) => n !== '' && this.pattern?.test(n)) && (this.isKnownDevice(c) || this.type === 'hid');
    return this.isKnownDevice(c);
  }

  get attachedPath(): string | undefined {
    return this.attached?.info.path;
  }

  /** The current attach generation: callbacks from an older handle are ignored. */
  protected get generation(): number {
    return this.#generation;
  }

  attachHid(device: AttachedHid): void {
    this.#generation++;
    this.attached = device;
    this.#everOnline = true;
    for (const b of this.bound.values()) if (b.kind === 'param') b.binding.rearm();
    this.onAttach(device, this.#generation);
    this.setStatus('online', this.onlineNote());
    this.render();
  }

  protected onlineNote(): string | undefined {
    return undefined;
  }

  protected abstract onAttach(device: AttachedHid, generation: number): void;
  protected onDetach(): void {}

  detachHid(reason: string): void {
    this.#generation++;
    const was = this.attached;
    this.attached = undefined;
    this.onDetach();
    if (was) void was.handle.close().catch(() => undefined);
    this.setStatus(this.#everOnline ? 'reconnecting' : 'absent', reason);
  }

  portMissing(reason: string): void {
    if (this.attached) return;
    this.setStatus(this.#everOnline ? 'reconnecting' : 'absent', reason);
  }

  ports(): string[] {
    return this.attached ? [this.attached.info.path] : [];
  }

  async stop(): Promise<void> {
    this.#generation++;
    const was = this.attached;
    this.attached = undefined;
    this.onDetach();
    if (was) await was.handle.close().catch(() => undefined);
  }
}
