import { paramText, parseEntry } from './format.js';
import { denormalise, normalise, tidy } from './taper.js';

const SVG = 'http://www.w3.org/2000/svg';
const PAGE_LABELS = { eq: 'EQ', comp: 'Comp', limiter: 'Limiter', width: 'Width', dither: 'Dither', gain: 'Gain', insert: 'Insert', monitor: 'Monitor' };
/** Pixels of vertical drag for the whole range; fine mode is ten times finer. */
const FULL_TRAVEL_PX = 220;
const FINE_FACTOR = 0.1;
/** Dragging this far sideways switches to fine mode (scrubbing, as on a phone's slider). */
const FINE_SIDEWAYS_PX = 90;
const DOUBLE_TAP_MS = 350;

/** The page a parameter belongs to: its first id segment, or `outboard.<unit>` for a unit. */
export function pageOf(id) {
  const parts = id.split('.');
  return parts[0] === 'outboard' ? parts.slice(0, 2).join('.') : parts[0];
}

function pageLabel(key) {
  if (key.startsWith('outboard.')) return `${key.slice(9)} · analog`;
  return PAGE_LABELS[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The controls of the current page as knobs (continuous and stepped), switches (toggles) and
 * segmented buttons (short choices). Drag up/down to move; fine with Shift, the Fine button,
 * or by dragging sideways away from the knob; double-tap for the default; tap the value to
 * type one. Remote changes move the control at once, except while this tablet is dragging it
 * (the newest remote value is applied when the finger lifts).
 */
export class ControlsView {
  constructor({ tabs, panel, send, commit, learn, isLearnMode, isFine, notify }) {
    this.tabs = tabs;
    this.panel = panel;
    this.send = send;
    this.commit = commit;
    this.learn = learn;
    this.isLearnMode = isLearnMode;
    this.isFine = isFine;
    this.notify = notify;
    this.params = new Map();
    this.controls = new Map();
    this.page = undefined;
  }

  setParams(list) {
    this.params = new Map(list.map((p) => [p.id, { ...p, confirmed: p.value }]));
    const pages = [...new Set(list.map((p) => pageOf(p.id)))];
    if (!pages.includes(this.page)) this.page = pages[0];
    this.tabs.replaceChildren(
      ...pages.map((key) => {
        const b = el('button', 'tab', pageLabel(key));
        b.dataset.page = key;
        b.setAttribute('aria-selected', String(key === this.page));
        b.addEventListener('click', () => this.showPage(key));
        return b;
      }),
    );
    this.#render();
  }

  showPage(key) {
    this.page = key;
    for (const b of this.tabs.children) b.setAttribute('aria-selected', String(b.dataset.page === key));
    this.#render();
  }

  /** A change from elsewhere (surface, another tablet, recall) or the daemon's corrected value. */
  setValue(id, value) {
    const p = this.params.get(id);
    if (!p) return;
    p.value = value;
    p.confirmed = value;
    this.controls.get(id)?.remote(value);
  }

  /** Back to the last value the daemon confirmed (after a refused change). */
  revert(id) {
    const p = this.params.get(id);
    if (p) this.setValue(id, p.confirmed);
  }

  value(id) {
    return this.params.get(id)?.value;
  }

  #render() {
    this.controls.clear();
    const list = [...this.params.values()].filter((p) => pageOf(p.id) === this.page);
    const groups = new Map();
    for (const p of list) {
      const g = p.group ?? pageOf(p.id);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(p);
    }
    const boxes = [];
    for (const [g, ps] of groups) {
      const box = el('section', 'group');
      const caption = g.startsWith(this.page + '.') ? g.slice(this.page.length + 1) : g === this.page ? '' : g;
      if (caption) box.append(el('h3', 'group-title', caption));
      const row = el('div', 'group-controls');
      for (const p of ps) {
        const c = p.kind === 'toggle' ? new Toggle(p, this) : p.kind === 'choice' && p.choices && p.choices.length <= 4 ? new Segmented(p, this) : new Knob(p, this);
        this.controls.set(p.id, c);
        row.append(c.root);
      }
      box.append(row);
      boxes.push(box);
    }
    if (boxes.length === 0) boxes.push(el('p', 'empty', 'No parameters yet.'));
    this.panel.replaceChildren(...boxes);
  }
}

class Control {
  constructor(p, view, kind) {
    this.p = p;
    this.view = view;
    this.root = el('div', `control ${kind}`);
    this.root.dataset.param = p.id;
    this.label = el('div', 'control-label', p.label);
    this.label.title = p.id;
    this.root.append(this.label);
  }

  /** Local change: show it now, send it (coalesced per frame by the app). */
  set(value, immediate = false) {
    const v = tidy(this.p, value);
    if (v === this.p.value) return;
    this.p.value = v;
    this.show(v);
    if (immediate) this.view.commit(this.p.id, v);
    else this.view.send(this.p.id, v);
  }

  remote(value) {
    this.show(value);
  }

  learnTap(e) {
    if (!this.view.isLearnMode()) return false;
    e.preventDefault();
    this.view.learn(this.p.id, this.root);
    return true;
  }
}

class Knob extends Control {
  constructor(p, view) {
    super(p, view, 'knob');
    this.dial = document.createElementNS(SVG, 'svg');
    this.dial.setAttribute('viewBox', '0 0 100 100');
    this.dial.classList.add('dial');
    this.track = document.createElementNS(SVG, 'path');
    this.track.classList.add('track');
    this.track.setAttribute('d', arc(0, 1));
    this.arcPath = document.createElementNS(SVG, 'path');
    this.arcPath.classList.add('arc');
    this.pointer = document.createElementNS(SVG, 'line');
    this.pointer.classList.add('pointer');
    this.dial.append(this.track, this.arcPath, this.pointer);
    this.valueButton = el('button', 'control-value');
    this.valueButton.addEventListener('click', (e) => {
      if (!this.learnTap(e)) this.#entry();
    });
    this.root.append(this.dial, this.valueButton);
    this.drag = undefined;
    this.lastTap = { t: 0, x: 0, y: 0 };
    this.remoteWhileDragging = undefined;
    this.dial.addEventListener('pointerdown', (e) => this.#down(e));
    this.dial.addEventListener('pointermove', (e) => this.#move(e));
    this.dial.addEventListener('pointerup', (e) => this.#up(e));
    this.dial.addEventListener('pointercancel', (e) => this.#up(e));
    this.show(p.value);
  }

  show(v) {
    const pos = normalise(this.p, v);
    const zero = this.p.min < 0 && this.p.max > 0 && !this.p.steps ? normalise(this.p, 0) : 0;
    this.arcPath.setAttribute('d', arc(Math.min(zero, pos), Math.max(zero, pos)));
    const a = angle(pos);
    this.pointer.setAttribute('x1', String(50 + Math.cos(a) * 14));
    this.pointer.setAttribute('y1', String(50 + Math.sin(a) * 14));
    this.pointer.setAttribute('x2', String(50 + Math.cos(a) * 36));
    this.pointer.setAttribute('y2', String(50 + Math.sin(a) * 36));
    this.valueButton.textContent = paramText(this.p, v);
    this.root.dataset.value = String(v);
  }

  remote(value) {
    if (this.drag) this.remoteWhileDragging = value;
    else this.show(value);
  }

  #down(e) {
    if (this.learnTap(e)) return;
    e.preventDefault();
    this.dial.setPointerCapture(e.pointerId);
    const now = performance.now();
    if (now - this.lastTap.t < DOUBLE_TAP_MS && Math.hypot(e.clientX - this.lastTap.x, e.clientY - this.lastTap.y) < 24) {
      this.lastTap.t = 0;
      this.set(this.p.default, true);
      this.root.classList.add('flash');
      setTimeout(() => this.root.classList.remove('flash'), 200);
      return;
    }
    this.drag = { id: e.pointerId, x0: e.clientX, y0: e.clientY, pos0: normalise(this.p, this.p.value), fine: false, moved: false };
    this.remoteWhileDragging = undefined;
    this.root.classList.add('active');
  }

  #move(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    const dx = e.clientX - d.x0;
    const dy = d.y0 - e.clientY;
    if (!d.moved && Math.hypot(dx, dy) < 3) return;
    d.moved = true;
    const fine = e.shiftKey || this.view.isFine() || Math.abs(dx) > FINE_SIDEWAYS_PX;
    if (fine !== d.fine) {
      // Re-anchor so switching modes never makes the value jump.
      d.pos0 = normalise(this.p, this.p.value);
      d.y0 = e.clientY;
      d.fine = fine;
      this.root.classList.toggle('fine', fine);
      return;
    }
    const travel = this.p.steps ? Math.max(FULL_TRAVEL_PX * 0.6, (this.p.steps.length - 1) * 24) : FULL_TRAVEL_PX;
    const pos = Math.min(1, Math.max(0, d.pos0 + (dy / travel) * (fine ? FINE_FACTOR : 1)));
    this.set(denormalise(this.p, pos));
    d.last = this.p.value;
  }

  #up(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    this.drag = undefined;
    this.root.classList.remove('active', 'fine');
    const remote = this.remoteWhileDragging;
    this.remoteWhileDragging = undefined;
    if (d.moved && d.last !== undefined) {
      // The finger's last position is the intent; the acknowledgement carries the stored value.
      this.view.commit(this.p.id, d.last);
      return;
    }
    if (!d.moved) this.lastTap = { t: performance.now(), x: e.clientX, y: e.clientY };
    if (remote !== undefined) this.show(remote);
  }

  #entry() {
    const input = el('input', 'control-entry');
    input.inputMode = 'decimal';
    input.value = paramText(this.p, this.p.value);
    input.setAttribute('aria-label', `${this.p.label} value`);
    this.valueButton.replaceWith(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (accept) => {
      if (done) return;
      done = true;
      input.replaceWith(this.valueButton);
      if (!accept) return;
      const v = parseEntry(this.p, input.value);
      if (v === undefined) {
        this.view.notify(`Not a value for ${this.p.label}: "${input.value}"`, 'error');
        return;
      }
      this.view.commit(this.p.id, v, true);
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') finish(true);
      if (e.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
  }
}

class Toggle extends Control {
  constructor(p, view) {
    super(p, view, 'toggle');
    this.button = el('button', 'switch');
    this.button.addEventListener('click', (e) => {
      if (!this.learnTap(e)) this.set(this.p.value >= 0.5 ? 0 : 1, true);
    });
    this.root.append(this.button);
    this.show(p.value);
  }

  show(v) {
    this.button.textContent = paramText(this.p, v);
    this.button.setAttribute('aria-pressed', String(v >= 0.5));
    this.root.dataset.value = String(v);
  }
}

class Segmented extends Control {
  constructor(p, view) {
    super(p, view, 'segmented');
    this.buttons = p.choices.map((label, i) => {
      const b = el('button', 'segment', label);
      b.addEventListener('click', (e) => {
        if (!this.learnTap(e)) this.set(i, true);
      });
      return b;
    });
    const row = el('div', 'segments');
    row.append(...this.buttons);
    this.root.append(row);
    this.show(p.value);
  }

  show(v) {
    this.buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(i === Math.round(v))));
    this.root.dataset.value = String(v);
  }
}

// Dial geometry: 270 degrees, from 7:30 to 4:30 o'clock.
function angle(pos) {
  return ((135 + pos * 270) * Math.PI) / 180;
}

function arc(from, to) {
  const r = 38;
  const a0 = angle(from);
  const a1 = angle(Math.max(to, from + 1e-4));
  const large = (to - from) * 270 > 180 ? 1 : 0;
  return `M ${50 + Math.cos(a0) * r} ${50 + Math.sin(a0) * r} A ${r} ${r} 0 ${large} 1 ${50 + Math.cos(a1) * r} ${50 + Math.sin(a1) * r}`;
}
