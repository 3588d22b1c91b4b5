import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeHidWorld } from '../../../src/devices/hid/fake-hid-binding.ts';
import { createNativeHidBinding } from '../../../src/devices/hid/native-hid-binding.ts';
import { probeHid } from '../../../src/devices/hid/probe-hid.ts';
import { turns, until } from '../../control/surface-helpers.ts';

describe('HID bus on this machine', () => {
  it('probeHid never throws; a missing /dev/input or hidraw is named in one line', async () => {
    const probe = await probeHid();
    expect(probe.available).toBe(true); // node-hid loads here
    for (const p of probe.problems) expect(p).not.toContain('\n');
    if (process.platform === 'linux' && !existsSync('/dev/input')) {
      expect(probe.problems).toContain('evdev unavailable: /dev/input does not exist (no input devices visible, e.g. in a container)');
    }
    if (probe.devices.length === 0) expect(probe.reason).toBeDefined();
  });

  it('opening a device that is not there is a BridgeError, not a crash', async () => {
    const b = createNativeHidBinding();
    await expect(b.openHid('/dev/hidraw-nope')).rejects.toMatchObject({ code: 'E_DEVICE_UNAVAILABLE' });
    await b.close();
  });
});

describe('fake HID world', () => {
  it('an unplugged device errors its open handle (node-hid) and leaves the list; it can come back', async () => {
    const world = new FakeHidWorld();
    const dev = world.plugHid({ vendorId: 0x0b33, productId: 0x0030, product: 'ShuttlePRO v2' });
    const b = world.binding();
    const h = await b.openHid(dev.info.path);
    const reports: number[][] = [];
    let error = '';
    h.onReport((r) => reports.push([...r]));
    h.onError((e) => (error = e));
    dev.report([1, 2, 3, 4, 5]);
    expect(reports).toEqual([]);
    await until(() => reports.length === 1, 'report');
    dev.unplug();
    await until(() => error !== '', 'error on unplug');
    expect(await b.listHid()).toEqual([]);
    dev.replug();
    expect((await b.listHid()).map((d) => d.productId)).toEqual([0x0030]);
    await turns(2);
  });

  it('probeHid lists what each part sees and why a part is unavailable', async () => {
    const world = new FakeHidWorld({ evdevUnavailable: 'evdev unavailable: /dev/input does not exist' });
    world.plugHid({ vendorId: 0x077d, productId: 0x0410, product: 'Griffin PowerMate' });
    world.plugStreamDeck({ model: 'plus' });
    const probe = await probeHid(world.binding());
    expect(probe.available).toBe(true);
    expect(probe.devices.map((d) => d.via)).toEqual(['hid', 'streamdeck']);
    expect(probe.problems).toEqual(['evdev unavailable: /dev/input does not exist']);
  });
});
