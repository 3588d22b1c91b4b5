// Position (0..1) <-> value, the same laws as src/params/taper.ts (keep the two in step):
// discrete controls put detent i of n at i / (n - 1); continuous ones follow their taper.

const clamp01 = (n) => (n < 0 ? 0 : n > 1 ? 1 : n);

export function nearestStepIndex(steps, value) {
  let best = 0;
  for (let i = 1; i < steps.length; i++) if (Math.abs(steps[i] - value) < Math.abs(steps[best] - value)) best = i;
  return best;
}

export function normalise(p, value) {
  if (p.steps) return p.steps.length > 1 ? nearestStepIndex(p.steps, value) / (p.steps.length - 1) : 0;
  const v = Math.min(p.max, Math.max(p.min, value));
  switch (p.taper) {
    case 'log':
      return Math.log(v / p.min) / Math.log(p.max / p.min);
    case 'db':
      return 1 - Math.sqrt((p.max - v) / (p.max - p.min));
    default:
      return (v - p.min) / (p.max - p.min);
  }
}

export function denormalise(p, position) {
  const n = clamp01(position);
  if (p.steps) return p.steps[Math.round(n * (p.steps.length - 1))];
  let v;
  switch (p.taper) {
    case 'log':
      v = p.min * Math.pow(p.max / p.min, n);
      break;
    case 'db':
      v = p.max - (p.max - p.min) * (1 - n) * (1 - n);
      break;
    default:
      v = p.min + n * (p.max - p.min);
  }
  return Math.min(p.max, Math.max(p.min, v));
}

/** Round a continuous value to a sensible resolution for sending (no 15-digit floats on the wire). */
export function tidy(p, v) {
  if (p.steps) return v;
  const span = Math.abs(p.max - p.min);
  const mag = Math.abs(v);
  const step = p.taper === 'log' ? Math.pow(10, Math.floor(Math.log10(Math.max(mag, 1e-9))) - 3) : Math.pow(10, Math.floor(Math.log10(span)) - 3);
  return Math.round(v / step) * step;
}
