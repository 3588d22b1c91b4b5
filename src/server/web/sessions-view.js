// Projects, tracks and snapshots: list, save, recall with its verification report, A/B with
// what differs, and the recall sheets of hand-set units as a live checklist (docs/protocol.md).
import { level } from './format.js';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text, data = {}) {
  const b = el('button', '', text);
  b.type = 'button';
  for (const [k, v] of Object.entries(data)) b.dataset[k] = v;
  return b;
}

function shortDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toLocaleDateString()} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

const RESULT_TEXT = { matched: 'matched', adjusted: 'adjusted', mismatched: 'mismatched', failed: 'failed' };

export class SessionsView {
  /**
   * @param {object} o
   * @param {Document} o.doc
   * @param {{ request(msg: object, timeoutMs?: number): Promise<any> }} o.conn
   * @param {(text: string, kind?: string) => void} o.notify
   * @param {(err: unknown) => string} o.errorText
   * @param {(id: string) => any} o.paramOf the parameter spec (label, unit, kind…) or undefined
   * @param {(p: any, v: number) => string} o.valueText
   */
  constructor({ doc, conn, notify, errorText, paramOf, valueText }) {
    this.conn = conn;
    this.notify = notify;
    this.errorText = errorText;
    this.paramOf = paramOf;
    this.valueText = valueText;
    const $ = (id) => doc.getElementById(id);
    this.drawer = $('sessions');
    this.openButton = $('sessions-open');
    this.tree = $('sess-tree');
    this.form = $('sess-save-form');
    this.project = $('sess-project');
    this.track = $('sess-track');
    this.name = $('sess-name');
    this.projectsList = $('sess-projects');
    this.tracksList = $('sess-tracks');
    this.restoreNotes = $('restore-notes');
    this.reportBox = $('recall-report');
    this.abPanel = $('ab-panel');
    this.abPair = $('ab-pair');
    this.abDiff = $('ab-diff');
    this.sheetsBox = $('recall-sheets');
    this.snapList = $('snap-list');
    this.projects = [];
    this.current = { projectId: null, trackId: null, snapshotId: null };
    /** The pair chosen for A/B (snapshot ids) and the side heard last. */
    this.pair = { a: undefined, b: undefined };
    this.abActive = undefined;
    this.#wire(doc);
  }

  #wire(doc) {
    this.openButton.addEventListener('click', () => this.toggle());
    doc.getElementById('sessions-close').addEventListener('click', () => this.toggle(false));
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.save({ project: this.project.value.trim(), track: this.track.value.trim(), name: this.name.value.trim() });
    });
    this.project.addEventListener('change', () => this.#fillTracks());
    this.tree.addEventListener('click', (ev) => {
      const b = ev.target.closest('button[data-act]');
      const row = ev.target.closest('[data-snapshot]');
      if (b && row) {
        const id = Number(row.dataset.snapshot);
        if (b.dataset.act === 'recall') this.recall(id);
        else this.choose(b.dataset.act, id);
        return;
      }
      const track = ev.target.closest('[data-track]');
      if (track && ev.target.closest('h4')) {
        this.project.value = track.dataset.project;
        this.track.value = track.dataset.trackName;
        this.#fillTracks();
      }
    });
    doc.getElementById('ab-a').addEventListener('click', () => this.ab('a'));
    doc.getElementById('ab-b').addEventListener('click', () => this.ab('b'));
    this.sheetsBox.addEventListener('click', (ev) => {
      if (ev.target.closest('#sheets-dismiss')) {
        this.conn.request({ type: 'recall.sheet.dismiss' }).catch((err) => this.notify(this.errorText(err), 'error'));
        return;
      }
      const tick = ev.target.closest('button.tick');
      const line = ev.target.closest('[data-line]');
      const sheet = ev.target.closest('[data-unit]');
      if (!tick || !line || !sheet) return;
      const confirmed = tick.getAttribute('aria-pressed') !== 'true';
      this.conn
        .request({ type: 'recall.sheet.confirm', unitId: sheet.dataset.unit, id: line.dataset.line, confirmed })
        .catch((err) => this.notify(this.errorText(err), 'error'));
    });
  }

  toggle(open = this.drawer.hidden) {
    this.drawer.hidden = !open;
    this.openButton.setAttribute('aria-expanded', String(open));
    if (open) this.refresh();
  }

  /** Ask for the list again (after a save, a recall, a state change). */
  refresh() {
    return this.conn
      .request({ type: 'snapshot.list' })
      .then((r) => this.setList(r.data))
      .catch(() => undefined);
  }

  /** `snapshot.list` data: `{projects, current, session}` (or a bare list of `{id, name}`). */
  setList(data) {
    if (Array.isArray(data)) {
      this.projects = [{ id: 0, name: '', tracks: [{ id: 0, name: '', snapshots: data }] }];
    } else {
      this.projects = Array.isArray(data?.projects) ? data.projects : [];
      if (data?.current) this.current = data.current;
      this.#restoreNotes(data?.session ?? null);
    }
    this.#renderTree();
    this.#renderSnapList();
    this.#fillNames();
  }

  save({ project, track, name }) {
    if (!name) {
      this.notify('Give the snapshot a name', 'error');
      return Promise.resolve();
    }
    const msg = { type: 'snapshot.save', name };
    if (project) msg.project = project;
    if (track) msg.track = track;
    return this.conn
      .request(msg, 60000)
      .then((r) => {
        const d = r.data ?? {};
        const warn = Array.isArray(d.warnings) && d.warnings.length > 0 ? ` (${d.warnings.length} unit(s) left out: ${d.warnings.map((w) => w.unitId).join(', ')})` : '';
        this.notify(`Saved "${name}"${d.track ? ` in ${d.project} · ${d.track}` : ''}${warn}`, warn ? 'error' : 'info');
        this.name.value = '';
        return this.refresh();
      })
      .catch((err) => this.notify(this.errorText(err), 'error'));
  }

  recall(id) {
    this.#busy(true);
    return this.conn
      .request({ type: 'snapshot.recall', id }, 120000)
      .then((r) => {
        const report = r.data?.report ?? r.data;
        this.showReport(report);
        this.notify(report?.status === 'verified' ? 'Recalled: verified' : report?.status === 'mismatch' ? 'Recalled with a mismatch: see the report' : 'Recalled', report?.status === 'mismatch' ? 'error' : 'info');
        return this.refresh();
      })
      .catch((err) => this.notify(this.errorText(err), 'error'))
      .finally(() => this.#busy(false));
  }

  /** Choose a snapshot as side `a` or `b` of the A/B pair. */
  choose(side, id) {
    this.pair[side] = id;
    this.abActive = undefined;
    this.#renderTree();
    this.#renderAb(null);
  }

  /** Hear side `a`, `b` or `toggle` (the toolbar's A/B button). */
  ab(side) {
    const msg = { type: 'snapshot.ab', side };
    if (this.pair.a !== undefined && this.pair.b !== undefined) {
      msg.a = this.pair.a;
      msg.b = this.pair.b;
    }
    this.#busy(true);
    return this.conn
      .request(msg, 120000)
      .then((r) => {
        const d = r.data ?? {};
        this.abActive = d.active;
        if (d.a !== undefined) this.pair = { a: d.a, b: d.b };
        this.#renderAb(d.diff ?? null);
        if (d.report) this.showReport(d.report);
        this.#renderTree();
        return d;
      })
      .catch((err) => this.notify(this.errorText(err), 'error'))
      .finally(() => this.#busy(false));
  }

  // ---- the verification report ----

  showReport(report) {
    const box = this.reportBox;
    if (!report || !Array.isArray(report.params)) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.dataset.status = report.status;
    const snap = this.#snapshot(report.snapshotId);
    const c = report.counts ?? {};
    const head = el('h3', '', `${snap ? snap.name : `Snapshot ${report.snapshotId ?? ''}`}: ${report.status === 'verified' ? 'verified' : 'mismatch'}`);
    const counts = el('p', 'counts', `${c.matched ?? 0} matched · ${c.adjusted ?? 0} adjusted · ${c.mismatched ?? 0} mismatched · ${c.failed ?? 0} failed · ${Math.round(report.durationMs ?? 0)} ms`);
    const units = el('ul', 'units');
    for (const u of report.units ?? []) {
      const li = el('li', '', `${u.unitId}: ${u.status}${u.reason ? ` (${u.reason})` : ''}`);
      li.dataset.unit = u.unitId;
      li.dataset.status = u.status;
      units.append(li);
    }
    const problems = el('ul', 'problems');
    for (const p of report.params.filter((x) => x.result !== 'matched' && x.result !== 'adjusted')) {
      const spec = this.paramOf(p.id);
      const label = `${p.unitId ? `${p.unitId} ` : ''}${spec?.label ?? p.id}`;
      const want = spec ? this.valueText(spec, p.expected) : String(p.expected);
      const got = p.actual === null || p.actual === undefined ? 'nothing' : spec ? this.valueText(spec, p.actual) : String(p.actual);
      const li = el('li', '', `${label}: expected ${want}, got ${got} · ${RESULT_TEXT[p.result] ?? p.result}${p.reason ? ` (${p.reason})` : ''}`);
      li.dataset.param = p.id;
      li.dataset.result = p.result;
      problems.append(li);
    }
    box.replaceChildren(head, counts, units, problems);
  }

  // ---- recall sheets ----

  /** A `recall.sheets` push: the checklist of every hand-set unit of the last recall. */
  setSheets(msg) {
    const box = this.sheetsBox;
    const sheets = Array.isArray(msg.sheets) ? msg.sheets : [];
    box.hidden = sheets.length === 0;
    if (sheets.length === 0) {
      box.replaceChildren();
      return;
    }
    const head = el('div', 'sheets-head');
    const snap = this.#snapshot(msg.snapshotId);
    const done = button('Done');
    done.id = 'sheets-dismiss';
    head.append(el('h2', '', `Recall sheet${sheets.length > 1 ? 's' : ''}${snap ? ` · ${snap.name}` : ''}`), done);
    const parts = [head];
    for (const s of sheets) {
      const card = el('div', 'sheet');
      card.dataset.unit = s.unitId;
      card.dataset.complete = String(s.complete);
      const title = el('h3', '', `${s.unitId} · ${s.model} ${s.serial}`);
      title.append(el('span', 'remaining', s.complete ? 'all set' : `${s.remaining} to set`));
      card.append(title);
      if (!s.reporting) card.append(el('p', 'hint', 'This unit does not report its controls: tick each one when it is set.'));
      const list = el('ol', 'lines');
      for (const l of s.lines) list.append(this.#line(s, l));
      card.append(list);
      parts.push(card);
    }
    box.replaceChildren(...parts);
  }

  #line(sheet, l) {
    const li = el('li', `line${l.done ? ' done' : ''}`);
    li.dataset.line = l.id;
    li.dataset.done = String(l.done);
    const spec = this.paramOf(l.id);
    li.append(el('span', 'label', l.label));
    const target = el('span', 'target', l.targetText + (l.detent ? ` · position ${l.detent.position} of ${l.detent.of}` : ''));
    li.append(target);
    const now = l.current === null || l.current === undefined ? (sheet.reporting ? '?' : '') : spec ? this.valueText(spec, l.current) : String(l.current);
    const current = el('span', 'current', now && !l.atTarget ? `now ${now}` : '');
    current.dataset.value = l.current === null || l.current === undefined ? '' : String(l.current);
    li.append(current);
    if (!sheet.reporting || l.confirmed) {
      const tick = button(l.confirmed ? '✓' : 'Set');
      tick.className = 'tick';
      tick.setAttribute('aria-pressed', String(l.confirmed));
      tick.setAttribute('aria-label', `${l.label} set by hand`);
      li.append(tick);
    }
    return li;
  }

  // ---- rendering ----

  #renderTree() {
    const frag = [];
    for (const p of this.projects) {
      const pd = el('div', 'project');
      if (p.name) pd.append(el('h3', '', p.name));
      for (const t of p.tracks ?? []) {
        const td = el('div', 'track');
        td.dataset.track = String(t.id);
        td.dataset.project = p.name ?? '';
        td.dataset.trackName = t.name ?? '';
        if (t.name) td.append(el('h4', '', t.name));
        const ul = el('ul', 'snaps');
        for (const s of t.snapshots ?? []) ul.append(this.#snapRow(s));
        td.append(ul);
        pd.append(td);
      }
      frag.push(pd);
    }
    if (frag.length === 0) frag.push(el('p', 'empty', 'No snapshots yet: save one above.'));
    this.tree.replaceChildren(...frag);
  }

  #snapRow(s) {
    const li = el('li', 'snap');
    li.dataset.snapshot = String(s.id);
    if (s.id === this.current.snapshotId) li.dataset.current = 'true';
    if (s.id === this.pair.a) li.dataset.ab = 'a';
    if (s.id === this.pair.b) li.dataset.ab = 'b';
    const name = el('span', 'name', s.name ?? `#${s.id}`);
    const meta = [];
    if (s.createdAt) meta.push(shortDate(s.createdAt));
    if (s.loudness) meta.push(`${level(s.loudness.integratedLufs)} LUFS · ${level(s.loudness.truePeakDbtp)} dBTP`);
    const info = el('span', 'meta', meta.join(' · '));
    const buttons = el('span', 'acts');
    buttons.append(button('Recall', { act: 'recall' }), button('A', { act: 'a' }), button('B', { act: 'b' }));
    li.append(name, info, buttons);
    return li;
  }

  #renderAb(diff) {
    const { a, b } = this.pair;
    const ready = a !== undefined && b !== undefined;
    this.abPanel.hidden = !ready;
    if (!ready) return;
    this.abPanel.dataset.active = this.abActive ?? '';
    this.abPair.textContent = `A: ${this.#snapshot(a)?.name ?? a} · B: ${this.#snapshot(b)?.name ?? b}${this.abActive ? ` · hearing ${this.abActive.toUpperCase()}` : ''}`;
    if (!diff) {
      this.abDiff.replaceChildren();
      return;
    }
    const rows = [];
    const head = el('tr');
    head.append(el('th', '', `${diff.length} difference${diff.length === 1 ? '' : 's'}`), el('th', '', 'A'), el('th', '', 'B'));
    rows.push(head);
    for (const d of diff) {
      const spec = this.paramOf(d.id);
      const tr = el('tr');
      tr.dataset.param = d.id;
      const show = (v) => (v === null || v === undefined ? '—' : spec ? this.valueText(spec, v) : String(v));
      tr.append(el('td', '', `${d.unitId ? `${d.unitId} ` : ''}${spec?.label ?? d.id}`), el('td', '', show(d.a)), el('td', '', show(d.b)));
      rows.push(tr);
    }
    this.abDiff.replaceChildren(...rows);
  }

  #renderSnapList() {
    const sel = this.snapList;
    const keep = sel.value || (this.current.snapshotId ? String(this.current.snapshotId) : '');
    const options = [];
    for (const p of this.projects) {
      for (const t of p.tracks ?? []) {
        for (const s of t.snapshots ?? []) {
          const o = document.createElement('option');
          o.value = String(s.id);
          o.textContent = [t.name, s.name ?? `#${s.id}`].filter(Boolean).join(' · ');
          options.push(o);
        }
      }
    }
    sel.replaceChildren(...options);
    if (keep) sel.value = keep;
  }

  /** Default the save form to the current project and track; offer the known names. */
  #fillNames() {
    this.projectsList.replaceChildren(...this.projects.filter((p) => p.name).map((p) => Object.assign(document.createElement('option'), { value: p.name })));
    const cur = this.projects.find((p) => p.id === this.current.projectId);
    if (cur && !this.project.value) {
      this.project.value = cur.name;
      const t = (cur.tracks ?? []).find((x) => x.id === this.current.trackId);
      if (t && !this.track.value) this.track.value = t.name;
    }
    this.#fillTracks();
  }

  #fillTracks() {
    const p = this.projects.find((x) => x.name === this.project.value);
    this.tracksList.replaceChildren(...(p?.tracks ?? []).map((t) => Object.assign(document.createElement('option'), { value: t.name })));
  }

  #restoreNotes(session) {
    const trouble = (session?.units ?? []).filter((u) => u.status !== 'restored');
    this.restoreNotes.hidden = trouble.length === 0;
    this.restoreNotes.replaceChildren(
      ...trouble.map((u) => {
        const li = el('p', 'note', `${u.unitId}: ${u.status === 'changed' ? 'session not restored' : 'restored unchecked'}: ${u.reason ?? ''}`);
        li.dataset.unit = u.unitId;
        li.dataset.status = u.status;
        return li;
      }),
    );
  }

  #snapshot(id) {
    for (const p of this.projects) for (const t of p.tracks ?? []) for (const s of t.snapshots ?? []) if (s.id === id) return s;
    return undefined;
  }

  #busy(on) {
    this.drawer.classList.toggle('busy', on);
  }
}
