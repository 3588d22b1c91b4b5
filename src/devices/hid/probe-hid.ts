import type { HidBinding, HidProbe } from './binding.ts';
import { createNativeHidBinding } from './native-hid-binding.ts';

/**
 * For `hybrid-bridge devices`: what the HID bus sees through node-hid, evdev and the Stream Deck
 * library. Never throws. `available` is false only when raw HID itself cannot load; a missing
 * /dev/input (evdev) is listed in `problems`, and an empty list says why when it can.
 */
export async function probeHid(binding?: HidBinding & { hidEmptyReason?(): string | undefined }): Promise<HidProbe> {
  const b = binding ?? createNativeHidBinding();
  const problems: string[] = [];
  const devices: HidProbe['devices'] = [];
  let available = true;
  let reason: string | undefined;
  const msg = (err: unknown): string => (err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err));
  try {
    const [hid, evdev, decks] = await Promise.allSettled([b.listHid(), b.listEvdev(), b.listStreamDecks()]);
    if (hid.status === 'fulfilled') {
      for (const d of hid.value) devices.push({ path: d.path, vendorId: d.vendorId, productId: d.productId, ...(d.product ? { product: d.product } : {}), via: 'hid' });
      if (hid.value.length === 0) {
        const why = b.hidEmptyReason?.();
        if (why) problems.push(`HID: ${why}`);
      }
    } else {
      available = false;
      reason = msg(hid.reason);
    }
    if (evdev.status === 'fulfilled') {
      for (const d of evdev.value) devices.push({ path: d.path, vendorId: d.vendorId, productId: d.productId, product: d.name, via: 'evdev' });
    } else problems.push(msg(evdev.reason));
    if (decks.status === 'fulfilled') {
      for (const d of decks.value) devices.push({ path: d.path, vendorId: 0x0fd9, productId: 0, product: `Stream Deck ${d.model}`, via: 'streamdeck' });
    } else problems.push(msg(decks.reason));
  } finally {
    if (!binding) await b.close().catch(() => undefined);
  }
  if (!reason && available && devices.length === 0 && problems.length > 0) reason = problems.join('; ');
  return { available, ...(reason ? { reason } : {}), devices, problems };
}
