/**
 * Fitting names and values into small displays (MCU scribble strips: 7 characters, 6 on a
 * Mackie MCU where the 7th is the spacer; reference §1.8).
 */

/** A value such as "-12.5 dB" or "12.5 kHz" in `width` characters, keeping the number whole if at all possible. */
export function fitValue(text: string, width: number): string {
  if (text.length <= width) return text;
  const noSpace = text.replace(/ /g, '');
  if (noSpace.length <= width) return noSpace;
  const m = /^([-+]?)(\d*)(?:\.(\d+))?(.*)$/.exec(noSpace);
  if (!m) return noSpace.slice(0, width);
  const [, sign = '', int = '', frac = '', unit = ''] = m;
  // Drop decimals before dropping the unit, then drop the unit.
  for (let d = frac.length - 1; d >= 0; d--) {
    const n = `${sign}${int}${d > 0 ? '.' + frac.slice(0, d) : ''}${unit}`;
    if (n.length <= width) return n;
  }
  const bare = `${sign}${int}${frac ? '.' + frac : ''}`;
  if (bare.length <= width) return bare;
  for (let d = frac.length - 1; d >= 0; d--) {
    const n = `${sign}${int}${d > 0 ? '.' + frac.slice(0, d) : ''}`;
    if (n.length <= width) return n;
  }
  return `${sign}${int}`.slice(0, width);
}

/** A parameter label in `width` characters: "Band 3 Gain" -> "B3Gain" style abbreviation. */
export function fitLabel(label: string, width: number): string {
  if (label.length <= width) return label;
  const words = label.split(/\s+/).filter(Boolean);
  const compact = words.join('');
  if (compact.length <= width) return compact;
  // Initials of all words but the last, then the last word.
  if (words.length > 1) {
    const head = words.slice(0, -1).map((w) => (/^\d+$/.test(w) ? w : w[0] ?? '')).join('');
    const abbreviated = head + (words[words.length - 1] ?? '');
    if (abbreviated.length <= width) return abbreviated;
    const noVowels = head + (words[words.length - 1] ?? '').replace(/(?!^)[aeiou]/gi, '');
    if (noVowels.length <= width) return noVowels;
    return abbreviated.slice(0, width);
  }
  const noVowels = compact.replace(/(?!^)[aeiou]/gi, '');
  return (noVowels.length <= width ? noVowels : compact).slice(0, width);
}
