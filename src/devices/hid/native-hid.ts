import { existsSync, readdirSync } from 'node:fs';
import { BridgeError } from '../../errors.ts';
import type { HidDeviceHandle, HidDeviceInfo } from './binding.ts';

/**
 * The ONE file that imports `node-hid`. Loaded lazily: a missing addon disables raw HID with a
 * one-line reason. On Linux node-hid uses hidraw; no /dev/hidraw* node means nothing to list
 * (normal on a machine without USB HID devices, or in a container).
 */
import type * as NodeHidNs from 'node-hid';

type NodeHid = typeof NodeHidNs;

export class NativeRawHid {
  #mod: NodeHid | undefined;
  #failure: string | undefined;
  readonly #open = new Set<HidDeviceHandle>();

  async #load(): Promise<NodeHid> {
    if (this.#mod) return this.#mod;
    if (this.#failure) throw new BridgeError('E_BUS_UNAVAILABLE', this.#failure, { details: { bus: 'hid' } });
    try {
      this.#mod = await import('node-hid');
      return this.#mod;
    } catch (err) {
      this.#failure = `HID unavailable: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
      throw new BridgeError('E_BUS_UNAVAILABLE', this.#failure, { details: { bus: 'hid' } });
    }
  }

  /** Why the list may be empty, in operator terms (for `hybrid-bridge devices`). */
  emptyReason(): string | undefined {
    if (process.platform !== 'linux') return undefined;
    try {
      if (!existsSync('/dev') || !readdirSync('/dev').some((f) => f.startsWith('hidraw'))) return 'no /dev/hidraw* nodes (no USB HID device, or no hidraw access)';
    } catch {
      return undefined;
    }
    return undefined;
  }

  async list(): Promise<HidDeviceInfo[]> {
    const hid = await this.#load();
    const devices = await hid.devicesAsync();
    const out: HidDeviceInfo[] = [];
    for (const d of devices) {
      if (!d.path) continue;
      out.push({
        path: d.path,
        vendorId: d.vendorId,
        productId: d.productId,
        ...(d.product !== undefined ? { product: d.product } : {}),
        ...(d.manufacturer !== undefined ? { manufacturer: d.manufacturer } : {}),
        ...(d.serialNumber !== undefined ? { serialNumber: d.serialNumber } : {}),
        interface: d.interface,
        ...(d.usagePage !== undefined ? { usagePage: d.usagePage } : {}),
        ...(d.usage !== undefined ? { usage: d.usage } : {}),
      });
    }
    return out;
  }

  async open(path: string): Promise<HidDeviceHandle> {
    const hid = await this.#load();
    let dev: Awaited<ReturnType<NodeHid['HIDAsync']['open']>>;
    try {
      dev = await hid.HIDAsync.open(path, { nonExclusive: true });
    } catch (err) {
      const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
      throw new BridgeError('E_DEVICE_UNAVAILABLE', `cannot open HID device ${path}: ${msg} (on Linux: check the udev rule gives hidraw access)`, {
        details: { path },
        cause: err,
      });
    }
    let closed = false;
    const errorListeners = new Set<(reason: string) => void>();
    let errored = false;
    dev.on('error', (err: unknown) => {
      if (errored || closed) return;
      errored = true;
      const reason = err instanceof Error ? err.message : String(err);
      for (const l of errorListeners) l(reason);
    });
    const handle: HidDeviceHandle = {
      onReport: (l) => void dev.on('data', (data: Buffer) => l(new Uint8Array(data))),
      onError: (l) => void errorListeners.add(l),
      write: async (report) => {
        await dev.write(Buffer.from(report));
      },
      sendFeatureReport: async (report) => {
        await dev.sendFeatureReport(Buffer.from(report));
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.#open.delete(handle);
        dev.removeAllListeners('data');
        await dev.close();
      },
    };
    this.#open.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((h) => h.close()));
  }
}
