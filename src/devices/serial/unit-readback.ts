import { BridgeError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { fromWire, type UnitParam } from './profile-params.ts';
import { hex2, parseDump } from './protocol.ts';
import type { UnitLink } from './unit-link.ts';

/**
 * Read every parameter of a unit (DUMP), by parameter name, in engineering units. A DUMP answer must
 * fit a 480-byte frame: at most 40 parameters (~10 bytes each) per request, by address range.
 * A value the profile does not know is left out (and logged): the profile and the firmware disagree.
 */
export async function readUnit(link: UnitLink, params: readonly UnitParam[], unitId: string, log: Logger): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const sorted = [...params].sort((a, b) => a.address - b.address);
  for (let i = 0; i < sorted.length; i += 40) {
    const chunk = sorted.slice(i, i + 40);
    const from = hex2((chunk[0] as UnitParam).address);
    const to = hex2((chunk[chunk.length - 1] as UnitParam).address);
    const ack = await link.request('DUMP', [from, to], { expectBytes: 24 + chunk.length * 8 });
    const raw = parseDump(ack.args);
    if (!raw) throw new BridgeError('E_SERIAL_FRAME', `${unitId}: unreadable DUMP answer`, { details: { unitId } });
    for (const p of chunk) {
      const r = raw.get(p.address);
      const v = r === undefined ? undefined : fromWire(p, r);
      if (v === undefined) {
        log.warn({ unit: unitId, param: p.name, raw: r }, 'outboard: unit reported no valid value (profile mismatch?)');
        continue;
      }
      out.set(p.name, v);
    }
  }
  return out;
}
