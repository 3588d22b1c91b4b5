// Delivery targets: integrated loudness (LUFS) and true-peak ceiling (dBTP).
// Sources: Spotify for Artists loudness normalisation (-14 LUFS, -1 dBTP); Apple Music Sound Check
// (-16 LUFS, -1 dBTP); YouTube (-14 LUFS); EBU R128 (-23 LUFS, max -1 dBTP); ATSC A/85 (-24 LKFS, -2 dBTP).

export const TARGETS = [
  { id: 'spotify', label: 'Spotify', lufs: -14, tp: -1 },
  { id: 'apple', label: 'Apple Music', lufs: -16, tp: -1 },
  { id: 'youtube', label: 'YouTube', lufs: -14, tp: -1 },
  { id: 'ebu', label: 'EBU R128', lufs: -23, tp: -1 },
  { id: 'atsc', label: 'ATSC A/85', lufs: -24, tp: -2 },
  { id: 'custom', label: 'Custom', lufs: -12, tp: -0.5 },
];

const KEY = 'hybrid-bridge.target';

export function loadTarget(storage) {
  try {
    const saved = JSON.parse(storage.getItem(KEY) ?? 'null');
    if (saved && typeof saved.id === 'string') {
      const base = TARGETS.find((t) => t.id === saved.id);
      if (base && base.id === 'custom' && Number.isFinite(saved.lufs) && Number.isFinite(saved.tp)) return { ...base, lufs: saved.lufs, tp: saved.tp };
      if (base) return base;
    }
  } catch {
    // A broken entry falls back to the default.
  }
  return TARGETS[0];
}

export function saveTarget(storage, target) {
  storage.setItem(KEY, JSON.stringify({ id: target.id, lufs: target.lufs, tp: target.tp }));
}

/** 'ok' within 1 LU of the target, 'near' within 2, 'off' beyond; 'none' without a reading. */
export function loudnessStatus(value, target) {
  if (!Number.isFinite(value)) return 'none';
  const d = Math.abs(value - target.lufs);
  return d <= 1 ? 'ok' : d <= 2 ? 'near' : 'off';
}

/** 'off' above the ceiling, 'near' within 0.5 dB under it. */
export function peakStatus(value, target) {
  if (!Number.isFinite(value)) return 'none';
  return value > target.tp ? 'off' : value > target.tp - 0.5 ? 'near' : 'ok';
}
