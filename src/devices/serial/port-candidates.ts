import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';

const WILDCARD = /[*?[]/;

/**
 * Expand a path pattern with `*`, `?` and `[...]` in any segment (`/dev/serial/by-id/usb-FTDI_*`,
 * `/tmp/sim/*.pty`). A path without wildcards is returned as is, existing or not (the open will say).
 */
export async function expandPortPattern(pattern: string): Promise<string[]> {
  if (!WILDCARD.test(pattern)) return [pattern];
  const abs = path.resolve(pattern);
  const segments = abs.split('/').filter((s) => s.length > 0);
  let bases = ['/'];
  for (const seg of segments) {
    if (!WILDCARD.test(seg)) {
      bases = bases.map((b) => path.join(b, seg));
      continue;
    }
    const re = globSegment(seg);
    const next: string[] = [];
    for (const b of bases) {
      let names: string[];
      try {
        names = await readdir(b);
      } catch {
        continue;
      }
      for (const n of names.sort()) if (re.test(n)) next.push(path.join(b, n));
    }
    bases = next;
  }
  return bases;
}

function globSegment(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Stable USB serial names (udev's /dev/serial/by-id); empty when the folder does not exist. */
export async function listByIdPorts(dir = '/dev/serial/by-id'): Promise<string[]> {
  try {
    return (await readdir(dir)).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** Identity of a device node for de-duplication (a by-id symlink and its /dev/ttyUSBn are one port). */
export async function portKey(p: string): Promise<string> {
  if (p.startsWith('tcp://')) return p;
  try {
    return await realpath(p);
  } catch {
    return p;
  }
}
