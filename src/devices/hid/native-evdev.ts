import { existsSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { BridgeError } from '../../errors.ts';
import type { EvdevDeviceInfo, EvdevEvent, EvdevHandle } from './binding.ts';

/**
 * Linux evdev reading without a native addon: `/proc/bus/input/devices` lists the input devices
 * and `/dev/input/eventN` yields `struct input_event` records. This is how the Griffin PowerMate
 * is reached on Linux, where it has no hidraw node (HID core ignore list + kernel `powermate`
 * driver, reference §3.1, §0.6). LED writes are `EV_MSC MSC_PULSELED` events written back.
 *
 * Reads block a libuv thread-pool thread per open device (one read in flight); on close the
 * pending read finishes at the next event or at unplug (ENODEV) and is discarded.
 * Access needs read/write permission on the event node (group `input`, or a udev rule such as
 * `SUBSYSTEM=="input", ATTRS{idVendor}=="077d", ATTRS{idProduct}=="0410", MODE="0660", GROUP="input"`).
 */

// struct input_event { struct timeval time; __u16 type; __u16 code; __s32 value; }:
// the timeval is two longs, so 24 bytes on 64-bit architectures and 16 on 32-bit ones.
const EVENT_SIZE = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].includes(process.arch) ? 24 : 16;
const TIME_SIZE = EVENT_SIZE - 8;

export class NativeEvdev {
  readonly #open = new Set<EvdevHandle>();

  async list(): Promise<EvdevDeviceInfo[]> {
    if (process.platform !== 'linux') throw new BridgeError('E_BUS_UNAVAILABLE', 'evdev unavailable: not Linux', { details: { bus: 'evdev' } });
    if (!existsSync('/dev/input')) {
      throw new BridgeError('E_BUS_UNAVAILABLE', 'evdev unavailable: /dev/input does not exist (no input devices visible, e.g. in a container)', {
        details: { bus: 'evdev' },
      });
    }
    let text: string;
    try {
      text = await readFile('/proc/bus/input/devices', 'utf8');
    } catch (err) {
      throw new BridgeError('E_BUS_UNAVAILABLE', `evdev unavailable: cannot read /proc/bus/input/devices (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
        details: { bus: 'evdev' },
      });
    }
    return parseProcInputDevices(text);
  }

  async open(path: string): Promise<EvdevHandle> {
    let fh: FileHandle;
    let writable = true;
    try {
      fh = await open(path, 'r+');
    } catch {
      writable = false;
      try {
        fh = await open(path, 'r');
      } catch (err) {
        throw new BridgeError('E_DEVICE_UNAVAILABLE', `cannot open ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): add the user to group "input" or install a udev rule`, {
          details: { path },
          cause: err,
        });
      }
    }
    const eventListeners = new Set<(e: EvdevEvent) => void>();
    const errorListeners = new Set<(reason: string) => void>();
    let closed = false;
    const buf = Buffer.alloc(EVENT_SIZE * 64);
    const loop = async (): Promise<void> => {
      while (!closed) {
        let n: number;
        try {
          ({ bytesRead: n } = await fh.read(buf, 0, buf.length, null));
        } catch (err) {
          if (!closed) for (const l of errorListeners) l(`evdev read failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
          return;
        }
        if (closed) return;
        if (n === 0) {
          for (const l of errorListeners) l('evdev device closed');
          return;
        }
        for (let o = 0; o + EVENT_SIZE <= n; o += EVENT_SIZE) {
          const ev = { type: buf.readUInt16LE(o + TIME_SIZE), code: buf.readUInt16LE(o + TIME_SIZE + 2), value: buf.readInt32LE(o + TIME_SIZE + 4) };
          for (const l of eventListeners) l(ev);
        }
      }
    };
    const handle: EvdevHandle = {
      onEvent: (l) => void eventListeners.add(l),
      onError: (l) => void errorListeners.add(l),
      write: async (e) => {
        if (!writable) throw new BridgeError('E_DEVICE_UNAVAILABLE', `${path} is open read-only: LED writes need write permission`, { details: { path } });
        const out = Buffer.alloc(EVENT_SIZE);
        out.writeUInt16LE(e.type, TIME_SIZE);
        out.writeUInt16LE(e.code, TIME_SIZE + 2);
        out.writeInt32LE(e.value, TIME_SIZE + 4);
        await fh.write(out);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.#open.delete(handle);
        await fh.close().catch(() => undefined);
      },
    };
    this.#open.add(handle);
    void loop();
    return handle;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((h) => h.close()));
  }
}

/** Parse `/proc/bus/input/devices` into the evdev nodes it names. Exported for tests. */
export function parseProcInputDevices(text: string): EvdevDeviceInfo[] {
  const out: EvdevDeviceInfo[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const ids = /^I:.*Vendor=([0-9a-fA-F]+)\s+Product=([0-9a-fA-F]+)/m.exec(block);
    const name = /^N:\s*Name="(.*)"/m.exec(block);
    const handlers = /^H:\s*Handlers=(.*)$/m.exec(block);
    const event = handlers ? /\bevent(\d+)\b/.exec(handlers[1] as string) : null;
    if (!ids || !event) continue;
    out.push({
      path: `/dev/input/event${event[1] as string}`,
      name: name ? (name[1] as string) : '',
      vendorId: parseInt(ids[1] as string, 16),
      productId: parseInt(ids[2] as string, 16),
    });
  }
  return out;
}
