// Canvas sizing and colours shared by the meter views.

export const COLORS = {
  bg: '#0d1014',
  panel: '#161b22',
  grid: '#2a323d',
  text: '#c9d1d9',
  dim: '#7d8793',
  ok: '#3fb950',
  near: '#d29922',
  off: '#f85149',
  rms: '#56d364',
  peak: '#2ea043',
  hold: '#e6edf3',
  target: '#58a6ff',
  gr: '#db6d28',
  short: '#e3b341',
  integrated: '#a371f7',
};

/**
 * Keep the backing store at the element's CSS size times the device pixel ratio (sharp on a
 * retina tablet) and return a context scaled to CSS pixels, with the CSS width and height.
 */
export function fit(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth));
  const h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** Map a level in [lo, hi] to [0, 1], clamped; -Infinity is 0. */
export function unit(v, lo, hi) {
  if (!(v > lo)) return 0;
  return v >= hi ? 1 : (v - lo) / (hi - lo);
}

export function levelColor(status) {
  return status === 'ok' ? COLORS.ok : status === 'near' ? COLORS.near : status === 'off' ? COLORS.off : COLORS.dim;
}
