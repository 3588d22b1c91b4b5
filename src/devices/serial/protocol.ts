import { BridgeError } from '../../errors.ts';

/**
 * Message layer of protocol v1 (docs/outboard-protocol.md sections 3-6): parsing what a unit says,
 * formatting what the host asks.
 */
export const PROTOCOL_VERSION = 1;

/** NAK codes, section 6. */
export const NAK = {
  checksum: 1,
  overflow: 2,
  syntax: 3,
  unknownVerb: 4,
  badAddress: 5,
  badValue: 6,
  readOnly: 7,
  busy: 8,
  tooLarge: 9,
} as const;

/** Whether a NAK means "the line lost it, send again" rather than "you asked for something wrong". */
export function isRetryableNak(code: number, untagged: boolean): boolean {
  return code === NAK.checksum || code === NAK.overflow || code === NAK.busy || (code === NAK.syntax && untagged);
}

export interface UnitIdentity {
  readonly model: string;
  readonly vendor: string;
  readonly firmware: string;
  readonly serial: string;
  readonly protocol: number;
  readonly params: number;
  /** Power-up counter: a change means the unit was power-cycled. */
  readonly boot: number;
}

export type UnitMessage =
  | { readonly type: 'ack'; readonly tag: number; readonly verb: string; readonly args: readonly string[] }
  | { readonly type: 'nak'; readonly tag: number; readonly code: number; readonly reason: string }
  | { readonly type: 'ntf'; readonly address: number; readonly raw: number }
  | { readonly type: 'mtr'; readonly address: number; readonly raw: number }
  | { readonly type: 'boot'; readonly identity: UnitIdentity };

const TAG = /^[0-9A-F]{2}$/;
const INT = /^-?\d{1,6}$/;

export function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export function parseAddress(token: string | undefined): number | undefined {
  return token !== undefined && TAG.test(token) ? Number.parseInt(token, 16) : undefined;
}

export function parseInteger(token: string | undefined): number | undefined {
  return token !== undefined && INT.test(token) ? Number.parseInt(token, 10) : undefined;
}

/** `undefined` for a body that is not a well-formed unit message (the caller counts it). */
export function parseUnitMessage(body: string): UnitMessage | undefined {
  const t = body.split(' ');
  const tagText = t[0];
  if (tagText === undefined || !TAG.test(tagText) || t.length < 2) return undefined;
  const tag = Number.parseInt(tagText, 16);
  const verb = t[1] as string;
  const args = t.slice(2);
  switch (verb) {
    case 'ACK':
      if (tag === 0 || args.length === 0) return undefined;
      return { type: 'ack', tag, verb: args[0] as string, args: args.slice(1) };
    case 'NAK': {
      const code = args[0] !== undefined && /^\d{2}$/.test(args[0]) ? Number(args[0]) : undefined;
      if (code === undefined) return undefined;
      return { type: 'nak', tag, code, reason: args[1] ?? '' };
    }
    case 'NTF':
    case 'MTR': {
      const address = parseAddress(args[0]);
      const raw = parseInteger(args[1]);
      if (tag !== 0 || address === undefined || raw === undefined) return undefined;
      return { type: verb === 'NTF' ? 'ntf' : 'mtr', address, raw };
    }
    case 'BOOT': {
      const identity = parseIdentity(args);
      return tag === 0 && identity ? { type: 'boot', identity } : undefined;
    }
    default:
      return undefined;
  }
}

/** `model=.. vendor=.. fw=.. serial=.. proto=.. params=.. boot=..`; unknown fields are ignored. */
export function parseIdentity(args: readonly string[]): UnitIdentity | undefined {
  const f = new Map<string, string>();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) f.set(a.slice(0, eq), a.slice(eq + 1));
  }
  const model = f.get('model');
  const serial = f.get('serial');
  const protocol = Number(f.get('proto'));
  if (!model || !serial || !Number.isInteger(protocol)) return undefined;
  const params = Number(f.get('params') ?? NaN);
  const boot = Number(f.get('boot') ?? NaN);
  return {
    model,
    vendor: f.get('vendor') ?? '',
    firmware: f.get('fw') ?? '',
    serial,
    protocol,
    params: Number.isInteger(params) ? params : -1,
    boot: Number.isInteger(boot) ? boot : -1,
  };
}

/** `ACK DUMP aa=v aa=v ...` arguments to address -> raw. */
export function parseDump(args: readonly string[]): Map<number, number> | undefined {
  const out = new Map<number, number>();
  for (const a of args) {
    const m = /^([0-9A-F]{2})=(-?\d{1,6})$/.exec(a);
    if (!m) return undefined;
    out.set(Number.parseInt(m[1] as string, 16), Number.parseInt(m[2] as string, 10));
  }
  return out;
}

export function formatRequest(tag: number, verb: string, args: readonly (string | number)[]): string {
  return args.length === 0 ? `${hex2(tag)} ${verb}` : `${hex2(tag)} ${verb} ${args.join(' ')}`;
}

/** The identity must fit the profile: same model, same protocol, same parameter count (E_SERIAL_IDENTITY). */
export function checkIdentity(unitId: string, id: UnitIdentity, profile: { model: string; parameters: readonly unknown[] }, profileName: string): void {
  const fail = (why: string): never => {
    throw new BridgeError('E_SERIAL_IDENTITY', `${unitId}: ${why}`, { details: { unitId, model: id.model, serial: id.serial, firmware: id.firmware } });
  };
  if (id.model !== profile.model) fail(`unit is a ${id.model}, profile ${profileName} is for ${profile.model}`);
  if (id.protocol !== PROTOCOL_VERSION) fail(`unit speaks protocol ${id.protocol}, this driver ${PROTOCOL_VERSION}`);
  if (id.params >= 0 && id.params !== profile.parameters.length) {
    fail(`unit has ${id.params} parameters, profile ${profileName} lists ${profile.parameters.length} (firmware ${id.firmware})`);
  }
}
