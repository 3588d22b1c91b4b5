import { BridgeError } from '../../errors.ts';

/**
 * A port/device name pattern from the config: `/regex/flags`, or else a case-insensitive
 * substring (Open Stage Control's habit). Never an index: indices and ALSA client numbers change
 * on every plug (reference §0.5, complaint #2), so `X-Touch` matches both
 * `X-Touch:X-Touch MIDI 1 20:0` and, after a replug, `X-Touch:X-Touch MIDI 1 24:0`.
 */
export class PortPattern {
  readonly source: string;
  readonly #re: RegExp | undefined;
  readonly #needle: string;

  constructor(source: string) {
    this.source = source;
    const m = /^\/(.*)\/([a-z]*)$/s.exec(source);
    if (m) {
      try {
        this.#re = new RegExp(m[1] as string, m[2]);
      } catch (err) {
        throw new BridgeError('E_SURFACE_MAP', `invalid port pattern ${source}: ${(err as Error).message}`, { details: { pattern: source } });
      }
    }
    this.#needle = source.toLowerCase();
  }

  test(name: string): boolean {
    return this.#re ? this.#re.test(name) : name.toLowerCase().includes(this.#needle);
  }
}

/**
 * Choose a port for `pattern` among `names`: skip ports already claimed by another surface,
 * and prefer ports that no other pattern matches too (so `X-Touch` does not grab the
 * `X-Touch-Ext` port when an extender pattern exists). Ties go to the alphabetically first name,
 * which keeps the choice stable across polls.
 */
export function choosePort(pattern: PortPattern, names: readonly string[], claimed: ReadonlySet<string>, others: readonly PortPattern[]): string | undefined {
  const candidates = names.filter((n) => pattern.test(n) && !claimed.has(n));
  if (candidates.length === 0) return undefined;
  const score = (n: string): number => others.filter((o) => o.test(n)).length;
  return [...candidates].sort((a, b) => score(a) - score(b) || (a < b ? -1 : a > b ? 1 : 0))[0];
}
