/**
 * A generic HID report map from the surface config: named fields at byte/bit offsets, with
 * signedness, so a controller we have no driver for can still be bound (reference §3.4 X-keys
 * layout, for instance: unit id, flags, button bitfields, int8 jog delta, int8 shuttle).
 */
export const REPORT_FIELD_KINDS = ['absolute', 'relative', 'counter', 'button'] as const;
export type ReportFieldKind = (typeof REPORT_FIELD_KINDS)[number];

export interface ReportField {
  readonly name: string;
  /** Byte offset in the report as delivered (including the report id byte for numbered reports). */
  readonly byte: number;
  /** Bit offset inside the first byte, 0 = least significant. */
  readonly bit: number;
  /** Field width in bits, 1-32. */
  readonly bits: number;
  readonly signed: boolean;
  readonly endian: 'little' | 'big';
  /**
   * absolute: a position, emitted on change, normalised with min/max.
   * relative: a delta per report (like the PowerMate), emitted when non-zero.
   * counter: a wrapping counter (like the Shuttle jog), emitted as the wrap-aware difference.
   * button: emitted on change, pressed when non-zero.
   */
  readonly kind: ReportFieldKind;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

export interface ReportMap {
  /** Only reports whose first byte is this id are decoded. */
  readonly reportId?: number;
  readonly fields: readonly ReportField[];
}

export type ReportInput =
  | { readonly type: 'absolute'; readonly field: string; readonly value: number; readonly normalised: number }
  | { readonly type: 'relative'; readonly field: string; readonly ticks: number }
  | { readonly type: 'button'; readonly field: string; readonly pressed: boolean };

/** Read an unsigned/signed integer field; undefined when the report is too short. */
export function readField(report: Uint8Array, f: Pick<ReportField, 'byte' | 'bit' | 'bits' | 'signed' | 'endian'>): number | undefined {
  const nBytes = Math.ceil((f.bit + f.bits) / 8);
  if (f.byte < 0 || f.byte + nBytes > report.length) return undefined;
  let raw = 0n;
  for (let i = 0; i < nBytes; i++) {
    const b = BigInt(report[f.byte + (f.endian === 'little' ? i : nBytes - 1 - i)] as number);
    raw |= b << BigInt(8 * i);
  }
  raw = (raw >> BigInt(f.bit)) & ((1n << BigInt(f.bits)) - 1n);
  if (f.signed && raw & (1n << BigInt(f.bits - 1))) raw -= 1n << BigInt(f.bits);
  return Number(raw);
}

export class ReportMapDecoder {
  readonly #map: ReportMap;
  readonly #last = new Map<string, number>();

  constructor(map: ReportMap) {
    this.#map = map;
  }

  decode(report: Uint8Array, emit: (e: ReportInput) => void): void {
    if (this.#map.reportId !== undefined && report[0] !== this.#map.reportId) return;
    for (const f of this.#map.fields) {
      const v = readField(report, f);
      if (v === undefined) continue;
      const last = this.#last.get(f.name);
      this.#last.set(f.name, v);
      switch (f.kind) {
        case 'absolute': {
          if (last === v) break;
          const min = f.min ?? (f.signed ? -(2 ** (f.bits - 1)) : 0);
          const max = f.max ?? (f.signed ? 2 ** (f.bits - 1) - 1 : 2 ** f.bits - 1);
          const n = max > min ? (v - min) / (max - min) : 0;
          emit({ type: 'absolute', field: f.name, value: v, normalised: n < 0 ? 0 : n > 1 ? 1 : n });
          break;
        }
        case 'relative':
          if (v !== 0) emit({ type: 'relative', field: f.name, ticks: v });
          break;
        case 'counter': {
          if (last === undefined || last === v) break;
          const mod = 2 ** f.bits;
          const half = mod / 2;
          const ticks = ((((v - last + half) % mod) + mod) % mod) - half;
          if (ticks !== 0) emit({ type: 'relative', field: f.name, ticks });
          break;
        }
        case 'button': {
          const pressed = v !== 0;
          if ((last !== undefined && last !== 0) !== pressed) emit({ type: 'button', field: f.name, pressed });
          break;
        }
      }
    }
  }

  reset(): void {
    this.#last.clear();
  }
}
