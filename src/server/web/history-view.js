import { COLORS, fit } from './canvas.js';

const WINDOW_S = 5 * 60;
const SAMPLE_S = 0.1;
const FLOOR = -40;
const CEIL = 0;

/**
 * Short-term loudness over the last five minutes of audio time (one point per 100 ms), with
 * the delivery target line and its +-1 LU window, and the integrated loudness dashed. Audio
 * time, not the clock: a locate backwards starts a new history, a pause does not scroll it.
 */
export class HistoryView {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = [];
    this.integrated = -Infinity;
    this.lastS = -Infinity;
  }

  add(timeS, shortTerm, integrated) {
    this.integrated = integrated;
    if (timeS < this.lastS - 1) {
      this.points = [];
      this.lastS = -Infinity;
    }
    if (timeS - this.lastS < SAMPLE_S) return;
    this.lastS = timeS;
    this.points.push([timeS, shortTerm]);
    while (this.points.length > 0 && this.points[0][0] < timeS - WINDOW_S) this.points.shift();
  }

  draw(target) {
    const nowS = Number.isFinite(this.lastS) ? this.lastS : 0;
    const { ctx, w, h } = fit(this.canvas);
    const left = 30;
    const top = 6;
    const bottom = h - 16;
    const y = (v) => bottom - ((Math.max(FLOOR, Math.min(CEIL, v)) - FLOOR) / (CEIL - FLOOR)) * (bottom - top);
    const x = (t) => left + (1 - (nowS - t) / WINDOW_S) * (w - left);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (let db = CEIL; db >= FLOOR; db -= 10) {
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(left, Math.round(y(db)), w - left, 1);
      ctx.fillStyle = COLORS.dim;
      ctx.fillText(String(db), left - 4, y(db) + 4);
    }
    ctx.textAlign = 'center';
    for (let m = 0; m <= 5; m++) {
      const xx = x(nowS - m * 60);
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(Math.round(xx), top, 1, bottom - top);
      ctx.fillStyle = COLORS.dim;
      ctx.fillText(m === 0 ? 'now' : `-${m}m`, Math.min(w - 12, Math.max(left + 10, xx)), h - 3);
    }
    ctx.fillStyle = 'rgba(88,166,255,0.14)';
    ctx.fillRect(left, y(target.lufs + 1), w - left, y(target.lufs - 1) - y(target.lufs + 1));
    ctx.fillStyle = COLORS.target;
    ctx.fillRect(left, Math.round(y(target.lufs)) - 1, w - left, 2);
    if (Number.isFinite(this.integrated)) {
      ctx.strokeStyle = COLORS.integrated;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(left, y(this.integrated));
      ctx.lineTo(w, y(this.integrated));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.strokeStyle = COLORS.short;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let pen = false;
    for (const [t, v] of this.points) {
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(x(t), y(v));
      else ctx.moveTo(x(t), y(v));
      pen = true;
    }
    ctx.stroke();
    ctx.lineWidth = 1;
  }
}
