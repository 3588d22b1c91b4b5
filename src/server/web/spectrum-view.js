import { COLORS, fit } from './canvas.js';

const F_LO = 20;
const F_HI = 20000;
const DB_LO = -90;
const DB_HI = 0;

/** The output spectrum on a log-frequency axis, with a slow-falling peak trace. */
export class SpectrumView {
  constructor(canvas) {
    this.canvas = canvas;
    this.hz = [];
    this.db = undefined;
    this.peak = undefined;
  }

  setBands(hz) {
    this.hz = hz;
    this.db = undefined;
    this.peak = undefined;
  }

  update(db) {
    this.db = db;
    if (!this.peak || this.peak.length !== db.length) this.peak = db.slice();
    for (let i = 0; i < db.length; i++) this.peak[i] = Math.max(db[i], this.peak[i] - 0.25);
  }

  draw() {
    const { ctx, w, h } = fit(this.canvas);
    const left = 30;
    const bottom = h - 16;
    const x = (f) => left + (Math.log(f / F_LO) / Math.log(F_HI / F_LO)) * (w - left);
    const y = (v) => bottom - ((Math.max(DB_LO, Math.min(DB_HI, v)) - DB_LO) / (DB_HI - DB_LO)) * (bottom - 4);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    for (let d = DB_HI; d >= DB_LO; d -= 15) {
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(left, Math.round(y(d)), w - left, 1);
      ctx.fillStyle = COLORS.dim;
      ctx.fillText(String(d), left - 4, y(d) + 4);
    }
    ctx.textAlign = 'center';
    for (const [f, label] of [
      [50, '50'],
      [100, '100'],
      [500, '500'],
      [1000, '1k'],
      [5000, '5k'],
      [10000, '10k'],
    ]) {
      ctx.fillStyle = COLORS.grid;
      ctx.fillRect(Math.round(x(f)), 4, 1, bottom - 4);
      ctx.fillStyle = COLORS.dim;
      ctx.fillText(label, x(f), h - 3);
    }
    if (!this.db || this.hz.length === 0) return;
    ctx.beginPath();
    ctx.moveTo(x(Math.max(F_LO, this.hz[0])), bottom);
    this.hz.forEach((f, i) => ctx.lineTo(x(Math.min(F_HI, Math.max(F_LO, f))), y(this.db[i])));
    ctx.lineTo(x(Math.min(F_HI, this.hz[this.hz.length - 1])), bottom);
    ctx.closePath();
    ctx.fillStyle = 'rgba(63,185,80,0.35)';
    ctx.fill();
    ctx.strokeStyle = COLORS.ok;
    ctx.stroke();
    ctx.beginPath();
    this.hz.forEach((f, i) => {
      const px = x(Math.min(F_HI, Math.max(F_LO, f)));
      if (i === 0) ctx.moveTo(px, y(this.peak[i]));
      else ctx.lineTo(px, y(this.peak[i]));
    });
    ctx.strokeStyle = COLORS.hold;
    ctx.globalAlpha = 0.5;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
}
