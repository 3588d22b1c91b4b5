import { COLORS, fit, levelColor, unit } from './canvas.js';
import { level, signed } from './format.js';
import { loudnessStatus, peakStatus } from './targets.js';

const STAGE_LABELS = { input: 'Input', insertSend: 'Ins send', insertReturn: 'Ins return', output: 'Output' };
const STAGE_FLOOR_DB = -60;
const LOUDNESS_FLOOR = -40;
const GR_RANGE_DB = 20;

/**
 * The numbers and bars: loudness readouts coloured against the delivery target, momentary /
 * short-term bars with the target line, per-stage peak / RMS / hold, gain reduction of every
 * dynamics processor (analog ones included when the unit reports them), correlation and balance.
 */
export class MetersView {
  constructor(root) {
    this.root = root;
    this.readouts = {};
    for (const el of root.querySelectorAll('[data-readout]')) this.readouts[el.dataset.readout] = el;
    this.loudnessCanvas = root.querySelector('#loudness-bars');
    this.stagesCanvas = root.querySelector('#stage-meters');
    this.grCanvas = root.querySelector('#gr-meters');
    this.phaseCanvas = root.querySelector('#phase-meters');
    this.frame = undefined;
  }

  update(frame) {
    this.frame = frame;
  }

  draw(target) {
    const f = this.frame;
    if (!f) return;
    if (f.loudness) this.#readouts(f.loudness, target);
    this.#loudnessBars(f.loudness, target);
    this.#stages(f.stages);
    this.#gainReduction(f.gainReduction);
    this.#phase(f.correlation, f.balance);
  }

  #readouts(l, target) {
    const set = (key, text, status) => {
      const el = this.readouts[key];
      if (!el) return;
      if (el.textContent !== text) el.textContent = text;
      if (status !== undefined && el.dataset.status !== status) el.dataset.status = status;
    };
    set('m', level(l.m), loudnessStatus(l.m, target));
    set('s', level(l.s), loudnessStatus(l.s, target));
    set('i', level(l.i), loudnessStatus(l.i, target));
    set('lra', level(l.lra));
    set('tp', level(l.tp), peakStatus(l.tp, target));
    set('plr', level(l.plr));
    set('psr', level(l.psr));
    set('mmax', level(l.mMax));
    set('smax', level(l.sMax));
  }

  #loudnessBars(l, target) {
    const { ctx, w, h } = fit(this.loudnessCanvas);
    const top = 8;
    const bottom = h - 18;
    const y = (v) => bottom - unit(v, LOUDNESS_FLOOR, 0) * (bottom - top);
    const bars = [
      ['M', l?.m],
      ['S', l?.s],
      ['I', l?.i],
    ];
    const bw = Math.min(34, (w - 34) / 3 - 8);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = COLORS.dim;
    ctx.textAlign = 'right';
    for (let db = 0; db >= LOUDNESS_FLOOR; db -= 10) {
      ctx.fillText(String(db), 24, y(db) + 4);
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(28, Math.round(y(db)), w - 28, 1);
      ctx.fillStyle = COLORS.dim;
    }
    bars.forEach(([name, v], i) => {
      const x = 34 + i * (bw + 10);
      ctx.fillStyle = COLORS.panel;
      ctx.fillRect(x, top, bw, bottom - top);
      if (Number.isFinite(v)) {
        ctx.fillStyle = levelColor(loudnessStatus(v, target));
        const yy = y(v);
        ctx.fillRect(x, yy, bw, bottom - yy);
      }
      ctx.fillStyle = COLORS.text;
      ctx.textAlign = 'center';
      ctx.fillText(name, x + bw / 2, h - 4);
    });
    // The target and its +-1 LU window.
    ctx.fillStyle = 'rgba(88,166,255,0.15)';
    ctx.fillRect(30, y(target.lufs + 1), w - 30, y(target.lufs - 1) - y(target.lufs + 1));
    ctx.fillStyle = COLORS.target;
    ctx.fillRect(30, Math.round(y(target.lufs)) - 1, w - 30, 2);
  }

  #stages(stages) {
    const { ctx, w, h } = fit(this.stagesCanvas);
    if (!stages || stages.length === 0) return;
    const top = 6;
    const bottom = h - 34;
    const y = (v) => bottom - unit(v, STAGE_FLOOR_DB, 0) * (bottom - top);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (let db = 0; db >= STAGE_FLOOR_DB; db -= 6) {
      ctx.fillStyle = db % 12 === 0 ? COLORS.dim : COLORS.grid;
      if (db % 12 === 0) ctx.fillText(String(db), 24, y(db) + 4);
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(28, Math.round(y(db)), w - 28, 1);
    }
    const groupW = (w - 34) / stages.length;
    stages.forEach((st, i) => {
      const n = st.peak.length;
      const gx = 34 + i * groupW;
      const bw = Math.min(22, (groupW - 14) / n - 3);
      let holdMax = -Infinity;
      for (let ch = 0; ch < n; ch++) {
        const x = gx + 4 + ch * (bw + 3);
        ctx.fillStyle = COLORS.panel;
        ctx.fillRect(x, top, bw, bottom - top);
        const peak = st.peak[ch];
        const rms = st.rms[ch];
        const hold = st.hold[ch];
        holdMax = Math.max(holdMax, hold);
        if (peak > STAGE_FLOOR_DB) {
          const yy = y(peak);
          ctx.fillStyle = peak > -0.1 ? COLORS.off : peak > -6 ? COLORS.near : COLORS.peak;
          ctx.fillRect(x, yy, bw, bottom - yy);
        }
        if (rms > STAGE_FLOOR_DB) {
          const yy = y(rms);
          ctx.fillStyle = COLORS.rms;
          ctx.fillRect(x + bw * 0.25, yy, bw * 0.5, bottom - yy);
        }
        if (hold > STAGE_FLOOR_DB) {
          ctx.fillStyle = hold > -0.1 ? COLORS.off : COLORS.hold;
          ctx.fillRect(x, Math.round(y(hold)) - 1, bw, 2);
        }
      }
      ctx.textAlign = 'left';
      ctx.fillStyle = COLORS.text;
      ctx.fillText(STAGE_LABELS[st.id] ?? st.id, gx + 4, h - 19);
      ctx.fillStyle = holdMax > -0.1 ? COLORS.off : COLORS.dim;
      ctx.fillText(`pk ${level(holdMax)}`, gx + 4, h - 5);
    });
  }

  #gainReduction(gr) {
    const { ctx, w, h } = fit(this.grCanvas);
    if (!gr || gr.length === 0) {
      ctx.fillStyle = COLORS.dim;
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText('no dynamics', 8, 18);
      return;
    }
    const top = 6;
    const bottom = h - 34;
    const left = 28;
    const colW = Math.min(60, (w - left) / gr.length);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (let db = 0; db <= GR_RANGE_DB; db += 5) {
      const yy = Math.round(top + (db / GR_RANGE_DB) * (bottom - top));
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(left, yy, w - left, 1);
      ctx.fillStyle = COLORS.dim;
      ctx.fillText(db === 0 ? '0' : `-${db}`, left - 4, yy + 4);
    }
    gr.forEach((g, i) => {
      const x = left + i * colW + 6;
      const bw = colW - 14;
      ctx.fillStyle = COLORS.panel;
      ctx.fillRect(x, top, bw, bottom - top);
      const depth = Math.min(1, Math.max(0, g.db) / GR_RANGE_DB) * (bottom - top);
      ctx.fillStyle = COLORS.gr;
      ctx.fillRect(x, top, bw, depth);
      ctx.fillStyle = COLORS.text;
      ctx.textAlign = 'center';
      ctx.fillText(grLabel(g.id), x + bw / 2, h - 19);
      ctx.fillStyle = COLORS.dim;
      ctx.fillText(g.db > 0.05 ? `-${g.db.toFixed(1)}` : '0.0', x + bw / 2, h - 5);
    });
  }

  #phase(correlation, balance) {
    const { ctx, w, h } = fit(this.phaseCanvas);
    const row = (label, v, yTop, lo, hi, bad) => {
      const x0 = 74;
      const x1 = w - 44;
      ctx.fillStyle = COLORS.text;
      ctx.textAlign = 'left';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(label, 4, yTop + 13);
      ctx.fillStyle = COLORS.panel;
      ctx.fillRect(x0, yTop + 2, x1 - x0, 14);
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect((x0 + x1) / 2, yTop, 1, 18);
      if (Number.isFinite(v)) {
        const xv = x0 + ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * (x1 - x0);
        const xm = (x0 + x1) / 2;
        ctx.fillStyle = bad(v) ? COLORS.off : COLORS.ok;
        ctx.fillRect(Math.min(xm, xv), yTop + 4, Math.max(2, Math.abs(xv - xm)), 10);
        ctx.fillStyle = COLORS.hold;
        ctx.fillRect(xv - 1, yTop, 3, 18);
      }
      ctx.fillStyle = COLORS.dim;
      ctx.textAlign = 'right';
      ctx.fillText(Number.isFinite(v) ? signed(v, 2) : '--', w - 2, yTop + 13);
    };
    const gap = Math.max(22, h / 2);
    row('Correl.', correlation, 2, -1, 1, (v) => v < 0);
    row('Balance', balance, 2 + gap, -1, 1, (v) => Math.abs(v) > 0.5);
  }
}

function grLabel(id) {
  if (id.startsWith('outboard.')) return `${id.split('.')[1]} (A)`;
  return id.length > 8 ? id.slice(0, 8) : id;
}
