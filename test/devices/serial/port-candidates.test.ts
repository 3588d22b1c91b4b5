import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandPortPattern, listByIdPorts, portKey } from '../../../src/devices/serial/port-candidates.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'hb-candidates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('candidate ports', () => {
  it('expands *, ? and [..] in any path segment, sorted; a plain path is kept as is', async () => {
    mkdirSync(path.join(dir, 'by-id'));
    for (const n of ['usb-FTDI_A1-if00', 'usb-FTDI_B2-if00', 'usb-Prolific_C3-if00', 'pci-x']) writeFileSync(path.join(dir, 'by-id', n), '');
    mkdirSync(path.join(dir, 'sim1'));
    mkdirSync(path.join(dir, 'sim2'));
    writeFileSync(path.join(dir, 'sim1', 'eq.pty'), '');
    writeFileSync(path.join(dir, 'sim2', 'eq.pty'), '');
    expect(await expandPortPattern(path.join(dir, 'by-id', 'usb-FTDI_*'))).toEqual([path.join(dir, 'by-id/usb-FTDI_A1-if00'), path.join(dir, 'by-id/usb-FTDI_B2-if00')]);
    expect(await expandPortPattern(path.join(dir, 'by-id', 'usb-*_[AC]?-if00'))).toEqual([path.join(dir, 'by-id/usb-FTDI_A1-if00'), path.join(dir, 'by-id/usb-Prolific_C3-if00')]);
    expect(await expandPortPattern(path.join(dir, 'sim*', 'eq.pty'))).toEqual([path.join(dir, 'sim1/eq.pty'), path.join(dir, 'sim2/eq.pty')]);
    expect(await expandPortPattern('/dev/ttyUSB0')).toEqual(['/dev/ttyUSB0']);
    expect(await expandPortPattern(path.join(dir, 'nothing-*'))).toEqual([]);
  });

  it('lists /dev/serial/by-id style folders (empty when absent) and de-duplicates symlinks by their target', async () => {
    expect(await listByIdPorts(path.join(dir, 'by-id'))).toHaveLength(4);
    expect(await listByIdPorts(path.join(dir, 'no-such'))).toEqual([]);
    symlinkSync(path.join(dir, 'by-id', 'pci-x'), path.join(dir, 'link'));
    expect(await portKey(path.join(dir, 'link'))).toBe(await portKey(path.join(dir, 'by-id', 'pci-x')));
    expect(await portKey('tcp://h:1')).toBe('tcp://h:1');
  });
});
