import type { AudioDeviceInfo } from './binding.ts';

/**
 * Pick an interface by its name, never by index (indices move whenever anything is plugged in).
 * `pattern` is a case-insensitive substring, or `/regex/flags`. An exact (case-insensitive) name
 * match wins over a substring match; then the first device with enough channels.
 * Returns undefined when nothing fits, with the reason in `why`.
 */
export function matchDevice(
  devices: readonly AudioDeviceInfo[],
  pattern: string,
  need: { inputs: number; outputs: number },
): { device: AudioDeviceInfo | undefined; why: string } {
  const test = namePredicate(pattern);
  const named = devices.filter((d) => test(d.name));
  if (named.length === 0) {
    const seen = devices.map((d) => d.name).join(', ') || 'none';
    return { device: undefined, why: `no audio device matches "${pattern}" (devices: ${seen})` };
  }
  const fits = named.filter((d) => d.maxInputChannels >= need.inputs && d.maxOutputChannels >= need.outputs);
  if (fits.length === 0) {
    const d = named[0] as AudioDeviceInfo;
    return {
      device: undefined,
      why: `"${d.name}" has ${d.maxInputChannels} in / ${d.maxOutputChannels} out; the channel map needs ${need.inputs} in / ${need.outputs} out`,
    };
  }
  const exact = fits.find((d) => d.name.toLowerCase() === pattern.toLowerCase());
  return { device: exact ?? fits[0], why: '' };
}

export function namePredicate(pattern: string): (name: string) => boolean {
  const re = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (re) {
    const flags = (re[2] ?? '').includes('i') ? (re[2] ?? '') : `${re[2] ?? ''}i`;
    let rx: RegExp;
    try {
      rx = new RegExp(re[1] ?? '', flags);
    } catch (err) {
      throw new TypeError(`audio device pattern ${pattern} is not a valid regular expression: ${(err as Error).message}`, { cause: err });
    }
    return (name) => rx.test(name);
  }
  const needle = pattern.toLowerCase();
  return (name) => name.toLowerCase().includes(needle);
}
