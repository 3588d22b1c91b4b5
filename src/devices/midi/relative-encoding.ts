/**
 * The five 7-bit relative encoder encodings (reference §2.1, "Relative encoder encodings").
 * Which one a controller uses is a per-binding setting: decoding with the wrong one makes
 * values run away (complaint #10).
 *
 * | encoding        | +1 | -1 | decode                        | aka                                  |
 * |-----------------|----|----|-------------------------------|--------------------------------------|
 * | twosComplement  | 01 | 7F | v < 64 ? v : v - 128          | REAPER Relative 1, Ableton 2's Comp. |
 * | binaryOffset    | 41 | 3F | v - 64                        | REAPER Relative 2, Ableton Bin Offset|
 * | signMagnitude   | 01 | 41 | v & 40 ? -(v & 3F) : v        | REAPER Relative 3, Mackie V-Pot/jog  |
 * | signedBit2      | 41 | 01 | v > 64 ? v - 64 : -v          | Ableton Signed Bit 2, HUI            |
 * | onesComplement  | 01 | 7E | v < 64 ? v : v - 127          | Logic "1's complement"               |
 */
export const RELATIVE_ENCODINGS = ['twosComplement', 'binaryOffset', 'signMagnitude', 'signedBit2', 'onesComplement'] as const;
export type RelativeEncoding = (typeof RELATIVE_ENCODINGS)[number];

/** Signed tick count for a 7-bit value. Values outside 0..127 are masked to 7 bits. */
export function decodeRelative(encoding: RelativeEncoding, value: number): number {
  const v = value & 0x7f;
  switch (encoding) {
    case 'twosComplement':
      return v < 64 ? v : v - 128;
    case 'binaryOffset':
      return v - 64;
    case 'signMagnitude':
      return v & 0x40 ? -(v & 0x3f) : v;
    case 'signedBit2':
      return v > 64 ? v - 64 : -v;
    case 'onesComplement':
      // Two encodings of zero (00 and 7F): both are no movement.
      return v < 64 ? v : v - 127;
  }
}

/** 7-bit value for a signed tick count (clamped to what the encoding can carry). */
export function encodeRelative(encoding: RelativeEncoding, ticks: number): number {
  const t = Math.trunc(ticks);
  switch (encoding) {
    case 'twosComplement': {
      const c = Math.max(-64, Math.min(63, t));
      return c < 0 ? c + 128 : c;
    }
    case 'binaryOffset':
      return Math.max(-64, Math.min(63, t)) + 64;
    case 'signMagnitude': {
      const m = Math.min(63, Math.abs(t));
      return t < 0 ? 0x40 | m : m;
    }
    case 'signedBit2': {
      const c = Math.max(-64, Math.min(63, t));
      return c > 0 ? c + 64 : -c;
    }
    case 'onesComplement': {
      const c = Math.max(-63, Math.min(63, t));
      return c < 0 ? c + 127 : c;
    }
  }
}

/**
 * Sign-magnitude as the Mackie Control V-Pots and jog wheel send it (`0svvvvvv`, Logic doc
 * p.243): like `signMagnitude`, but a magnitude of 0 means 1 tick, as Ardour does for units
 * that "send zero when they mean 1" (Euphonix; Ardour `Surface::handle_midi_controller_message`).
 */
export function decodeMcuRelative(value: number): number {
  const v = value & 0x7f;
  const ticks = (v & 0x3f) === 0 ? 1 : v & 0x3f;
  return v & 0x40 ? -ticks : ticks;
}

export interface EncodingGuess {
  /** `absolute` when the values look like a knob position, not increments. */
  readonly mode: 'absolute' | 'relative';
  /** Best relative encoding (when mode is relative). */
  readonly encoding?: RelativeEncoding;
  /** Every encoding consistent with the values, best first (the learn UI offers them to confirm). */
  readonly candidates: readonly RelativeEncoding[];
  /** 0..1: 1 = unambiguous. */
  readonly confidence: number;
}

// When several encodings fit equally, prefer the commonest in the wild (reference §2.1 tool list).
const POPULARITY: readonly RelativeEncoding[] = ['twosComplement', 'binaryOffset', 'signMagnitude', 'signedBit2', 'onesComplement'];

/**
 * Guess absolute vs relative and the relative encoding from the first values a control sent
 * while the user turned it in one direction (MIDI learn). Rules:
 * - a relative encoder repeats values (01 01 01 ...) and its decoded steps are small and of one
 *   sign; an absolute control moves through a run of distinct values.
 * - the first message of a slow turn cannot tell every encoding apart (01 is +1 in three of
 *   them): all consistent encodings are returned as candidates, with lower confidence.
 */
export function guessEncoding(values: readonly number[], maxStep = 8): EncodingGuess {
  if (values.length === 0) return { mode: 'absolute', candidates: [], confidence: 0 };
  const fits = POPULARITY.filter((enc) => {
    const d = values.map((v) => decodeRelative(enc, v));
    if (d.some((x) => x === 0 || Math.abs(x) > maxStep)) return false;
    return d.every((x) => Math.sign(x) === Math.sign(d[0] as number));
  });
  let monotonic = values.length >= 2;
  let repeats = false;
  for (let i = 1; i < values.length; i++) {
    const diff = (values[i] as number) - (values[i - 1] as number);
    if (diff === 0) repeats = true;
    if (Math.sign(diff) !== Math.sign((values[1] as number) - (values[0] as number)) || Math.abs(diff) > maxStep * 2) monotonic = false;
  }
  if (repeats && fits.length > 0) {
    return { mode: 'relative', encoding: fits[0] as RelativeEncoding, candidates: fits, confidence: 1 / fits.length };
  }
  if (monotonic && !repeats) {
    // A slow absolute turn (40 41 42 43) can also decode as +40.. in no encoding with small
    // steps, but 01 02 03 could be an accelerating relative turn: keep that doubt in confidence.
    return { mode: 'absolute', candidates: fits, confidence: fits.length > 0 ? 0.5 : 1 };
  }
  if (fits.length > 0) return { mode: 'relative', encoding: fits[0] as RelativeEncoding, candidates: fits, confidence: 1 / fits.length };
  return { mode: 'absolute', candidates: [], confidence: values.length >= 2 ? 0.5 : 0.25 };
}
