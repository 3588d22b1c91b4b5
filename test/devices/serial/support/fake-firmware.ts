import type { FakeDevice } from '../../../../src/devices/serial/fake-serial.ts';
import { UNIT_MODELS } from '../../../../firmware-sim/units/model-registry.ts';
import type { UnitModelKey } from '../../../../firmware-sim/units/model-table.ts';
import { NvStore } from '../../../../firmware-sim/units/nv-store.ts';
import { UnitFirmware } from '../../../../firmware-sim/units/unit-firmware.ts';

/** The real unit firmware on the device end of a fake port (no pty, no pacing): for driver tests on a fake clock. */
export function attachFirmware(device: FakeDevice, model: UnitModelKey, serial: string): UnitFirmware {
  const fw = new UnitFirmware({
    model: UNIT_MODELS[model],
    serial,
    nv: new NvStore(undefined, UNIT_MODELS[model].model, serial),
    io: { transmit: (b) => device.send(Uint8Array.from(b)), now: () => performance.now(), random: Math.random },
  });
  device.onWrite = (b) => fw.receive(b, performance.now(), 0);
  fw.powerOnNow();
  return fw;
}
