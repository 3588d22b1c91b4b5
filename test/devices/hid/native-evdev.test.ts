import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvdevEvent } from '../../../src/devices/hid/binding.ts';
import { NativeEvdev } from '../../../src/devices/hid/native-evdev.ts';
import { powermateLedEvent } from '../../../src/devices/hid/powermate.ts';
import { until } from '../../control/surface-helpers.ts';

// struct input_event on this architecture: two longs of timeval, then u16 type, u16 code, s32 value.
const SIZE = process.arch === 'x64' || process.arch === 'arm64' ? 24 : 16;

function record(e: EvdevEvent): Buffer {
  const b = Buffer.alloc(SIZE);
  b.writeUInt16LE(e.type, SIZE - 8);
  b.writeUInt16LE(e.code, SIZE - 6);
  b.writeInt32LE(e.value, SIZE - 4);
  return b;
}

describe('native evdev reader (plain fs, no addon)', () => {
  it('decodes struct input_event records and writes LED events in the same layout', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hb-evdev-'));
    const file = path.join(dir, 'event5');
    const events: EvdevEvent[] = [
      { type: 0x02, code: 0x07, value: -3 },
      { type: 0x00, code: 0, value: 0 },
      { type: 0x01, code: 0x100, value: 1 },
    ];
    await writeFile(file, Buffer.concat(events.map(record)));
    const evdev = new NativeEvdev();
    const h = await evdev.open(file);
    const got: EvdevEvent[] = [];
    let ended = '';
    h.onEvent((e) => got.push(e));
    h.onError((r) => (ended = r));
    await until(() => ended !== '', 'end of file');
    expect(got).toEqual(events);
    expect(ended).toBe('evdev device closed');
    await h.write(powermateLedEvent({ brightness: 200 }));
    await h.close();
    const bytes = await readFile(file);
    const last = bytes.subarray(bytes.length - SIZE);
    expect([last.readUInt16LE(SIZE - 8), last.readUInt16LE(SIZE - 6), last.readInt32LE(SIZE - 4)]).toEqual([0x04, 0x01, 200 | (255 << 8)]);
    await rm(dir, { recursive: true, force: true });
  });
});
