// Text for values and levels. Silence is -Infinity on the wire and shows as "-inf".

export function level(v, digits = 1) {
  if (v === undefined || Number.isNaN(v)) return '--';
  if (v === -Infinity || v < -150) return '-inf';
  if (v === Infinity) return '+inf';
  return v.toFixed(digits);
}

export function signed(v, digits = 1) {
  if (!Number.isFinite(v)) return level(v, digits);
  const r = Number(v.toFixed(digits));
  return (r > 0 ? '+' : '') + (r === 0 ? 0 : r).toFixed(digits);
}

export function paramText(p, v) {
  if (p.kind === 'toggle') return v >= 0.5 ? 'On' : 'Off';
  if (p.kind === 'choice' && p.choices) return p.choices[Math.round(v)] ?? String(v);
  const unit = p.unit || '';
  if (unit === 'Hz') return v >= 1000 ? `${trim(v / 1000, v >= 10000 ? 1 : 2)} kHz` : `${trim(v, v < 100 ? 1 : 0)} Hz`;
  if (unit === 'dB' || unit === 'dBFS' || unit === 'dBu') return `${signed(v, 1)} ${unit}`;
  if (unit === 'ms') return `${trim(v, v < 10 ? 2 : v < 100 ? 1 : 0)} ms`;
  if (unit === ':1') return `${trim(v, 1)}:1`;
  if (unit === '%') return `${trim(v, 0)} %`;
  const span = Math.abs(p.max - p.min);
  return `${trim(v, span <= 2 ? 2 : span <= 50 ? 1 : 0)}${unit ? ' ' + unit : ''}`;
}

/** Parse what was typed into a value entry: "1.5", "-3 dB", "2k", "2.5 kHz", a choice label. */
export function parseEntry(p, text) {
  const t = text.trim();
  if (p.kind === 'choice' && p.choices) {
    const i = p.choices.findIndex((c) => c.toLowerCase() === t.toLowerCase());
    if (i >= 0) return i;
  }
  if (p.kind === 'toggle') {
    if (/^(on|yes|true)$/i.test(t)) return 1;
    if (/^(off|no|false)$/i.test(t)) return 0;
  }
  const m = /^([-+]?\d*[.,]?\d+(?:e[-+]?\d+)?)\s*(k)?/i.exec(t);
  if (!m) return undefined;
  const n = Number(m[1].replace(',', '.')) * (m[2] ? 1000 : 1);
  return Number.isFinite(n) ? n : undefined;
}

function trim(v, digits) {
  return Number(v.toFixed(digits)).toString();
}
