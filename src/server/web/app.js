// The tablet page: wires the connection to the views. No build step; plain ES modules.
import { Connection } from './connection.js';
import { ControlsView } from './controls-view.js';
import { paramText } from './format.js';
import { HistoryView } from './history-view.js';
import { decodeFrame, SECTIONS } from './meter-frame.js';
import { MetersView } from './meters-view.js';
import { SessionsView } from './sessions-view.js';
import { SpectrumView } from './spectrum-view.js';
import { StatusView } from './status-view.js';
import { loadTarget, saveTarget, TARGETS } from './targets.js';

const TOKEN_KEY = 'hybrid-bridge.token';
const FPS_KEY = 'hybrid-bridge.fps';
const $ = (id) => document.getElementById(id);

/**
 * The pairing URL carries `?token=` once: keep it, then take it out of the address bar (and
 * so out of the history, bookmarks and screenshots).
 */
function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    localStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

const ui = {
  target: loadTarget(localStorage),
  fps: Number(localStorage.getItem(FPS_KEY)) || 30,
  layout: undefined,
  metersAvailable: false,
  learnMode: false,
  fine: false,
  frames: 0,
  dirty: false,
  lastHistoryDraw: 0,
  pendingSends: new Map(),
};

const status = new StatusView(document);
const meters = new MetersView($('meters'));
const history = new HistoryView($('history'));
const spectrum = new SpectrumView($('spectrum'));

let toastTimer;
function notify(text, kind = 'info') {
  const t = $('toast');
  t.textContent = text;
  t.dataset.kind = kind;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (t.hidden = true), kind === 'error' ? 5000 : 3000);
}

function errorText(err) {
  return err && err.code ? `${err.message} (${err.code})` : String(err);
}

const controls = new ControlsView({
  tabs: $('tabs'),
  panel: $('panel'),
  // During a drag: the newest value per parameter goes out once per animation frame.
  send: (id, value) => ui.pendingSends.set(id, value),
  commit: (id, value) => {
    ui.pendingSends.delete(id);
    conn
      .request({ type: 'param.set', id, value })
      .then((ack) => controls.setValue(id, ack.value))
      .catch((err) => {
        notify(errorText(err), 'error');
        controls.revert(id);
      });
  },
  learn: (id, el) => {
    const p = controls.params.get(id);
    el.classList.add('learning');
    notify(`Learn: move a control on the surface for ${p?.label ?? id}…`);
    conn
      .request({ type: 'param.learn', id }, 60000)
      .then((r) => notify(`Learned: ${r.data?.control ?? 'control'} → ${p?.label ?? id}`))
      .catch((err) => notify(errorText(err), 'error'))
      .finally(() => {
        el.classList.remove('learning');
        setLearnMode(false);
      });
  },
  isLearnMode: () => ui.learnMode,
  isFine: () => ui.fine,
  notify,
});

const conn = new Connection({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  token: takeToken(),
  clientName: /iPad|Android|Tablet/i.test(window.navigator.userAgent) ? 'tablet' : 'browser',
  onStatus: (s) => {
    status.connection(s);
    if (s.state !== 'open') {
      ui.layout = undefined;
      document.body.classList.add('stale');
    }
  },
  onMessage,
  onFrame,
});

const sessions = new SessionsView({
  doc: document,
  conn,
  notify,
  errorText,
  paramOf: (id) => controls.params.get(id),
  valueText: paramText,
});

function onMessage(msg) {
  switch (msg.type) {
    case 'welcome':
      document.body.classList.remove('stale');
      ui.metersAvailable = msg.meters.available;
      subscribe();
      break;
    case 'state':
      status.state(msg);
      if (msg.actions?.snapshots) sessions.refresh();
      break;
    case 'params':
      controls.setParams(msg.params);
      break;
    case 'param':
    case 'param.ack':
      controls.setValue(msg.id, msg.value);
      break;
    case 'param.batch':
      for (const c of msg.changes) controls.setValue(c.id, c.value);
      break;
    case 'recall.sheets':
      sessions.setSheets(msg);
      break;
    case 'meters.layout':
      ui.layout = msg;
      spectrum.setBands(msg.spectrumHz);
      break;
    case 'error':
      notify(errorText(msg), 'error');
      break;
    default:
      break;
  }
}

function subscribe() {
  conn.send({ type: 'subscribe', meters: SECTIONS, fps: ui.fps });
}

function onFrame(buffer) {
  const f = decodeFrame(buffer, ui.layout);
  if (!f) return;
  ui.frames++;
  meters.update(f);
  if (f.loudness) history.add(f.timeS, f.loudness.s, f.loudness.i);
  if (f.spectrum) spectrum.update(f.spectrum);
  ui.dirty = true;
}

function tick(now) {
  for (const [id, value] of ui.pendingSends) conn.send({ type: 'param.set', id, value });
  ui.pendingSends.clear();
  if (ui.dirty) {
    ui.dirty = false;
    meters.draw(ui.target);
    spectrum.draw();
    document.body.dataset.frames = String(ui.frames);
  }
  if (now - ui.lastHistoryDraw > 100) {
    ui.lastHistoryDraw = now;
    history.draw(ui.target);
  }
  requestAnimationFrame(tick);
}

// ---- toolbar ----

function setLearnMode(on) {
  ui.learnMode = on;
  document.body.classList.toggle('learn', on);
  $('learn').setAttribute('aria-pressed', String(on));
}

function setupTargets() {
  const sel = $('target');
  sel.replaceChildren(
    ...TARGETS.map((t) => {
      const o = document.createElement('option');
      o.value = t.id;
      o.textContent = t.id === 'custom' ? 'Custom' : `${t.label} ${t.lufs} / ${t.tp}`;
      return o;
    }),
  );
  const apply = () => {
    $('custom-target').hidden = ui.target.id !== 'custom';
    $('custom-lufs').value = String(ui.target.lufs);
    $('custom-tp').value = String(ui.target.tp);
    $('target-label').textContent = `target ${ui.target.lufs} LUFS`;
    $('target').title = `${ui.target.label}: ${ui.target.lufs} LUFS integrated, true peak at most ${ui.target.tp} dBTP`;
    document.body.dataset.target = ui.target.id;
    saveTarget(localStorage, ui.target);
    ui.dirty = true;
  };
  sel.value = ui.target.id;
  sel.addEventListener('change', () => {
    const base = TARGETS.find((t) => t.id === sel.value) ?? TARGETS[0];
    ui.target = base.id === 'custom' ? { ...base, lufs: ui.target.lufs, tp: ui.target.tp } : base;
    apply();
  });
  for (const id of ['custom-lufs', 'custom-tp']) {
    $(id).addEventListener('change', () => {
      const lufs = Number($('custom-lufs').value);
      const tp = Number($('custom-tp').value);
      if (Number.isFinite(lufs) && Number.isFinite(tp)) ui.target = { ...ui.target, lufs, tp };
      apply();
    });
  }
  apply();
}

function setupButtons() {
  $('toast').addEventListener('click', () => ($('toast').hidden = true));
  for (const b of document.querySelectorAll('[data-cmd]')) {
    b.addEventListener('click', () => conn.request({ type: b.dataset.cmd }).catch((err) => notify(errorText(err), 'error')));
  }
  $('ab').addEventListener('click', () =>
    sessions.ab('toggle').then((d) => {
      $('ab').textContent = d?.active ? `A/B: ${String(d.active).toUpperCase()}` : 'A/B';
    }),
  );
  $('calibrate').addEventListener('click', () => {
    status.calibration('measuring…');
    conn
      .request({ type: 'calibrate' }, 120000)
      .then((r) => {
        const d = r.data ?? {};
        const ms = Number.isFinite(d.latencyMs) ? ` (${d.latencyMs.toFixed(2)} ms)` : '';
        status.calibration(Number.isFinite(d.latencySamples) ? `latency ${d.latencySamples} samples${ms}` : 'calibrated');
      })
      .catch((err) => {
        status.calibration('failed');
        notify(errorText(err), 'error');
      });
  });
  $('learn').addEventListener('click', () => setLearnMode(!ui.learnMode));
  $('fine').addEventListener('click', () => {
    ui.fine = !ui.fine;
    $('fine').setAttribute('aria-pressed', String(ui.fine));
  });
  const fps = $('fps');
  fps.value = String(ui.fps);
  fps.addEventListener('change', () => {
    ui.fps = Number(fps.value);
    localStorage.setItem(FPS_KEY, String(ui.fps));
    subscribe();
  });
  $('snap-recall').addEventListener('click', () => {
    const id = Number($('snap-list').value);
    if (id) sessions.recall(id);
  });
  // Quick save into the current track; the Sessions drawer chooses project, track and name.
  $('snap-save').addEventListener('click', () => {
    const d = new Date();
    sessions.save({ name: `Snapshot ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}` });
  });
}

// Exposed for the browser tests and for debugging from the console.
window.hybridBridge = { ui, controls, sessions, paramText };

setupTargets();
setupButtons();
conn.start();
requestAnimationFrame(tick);
