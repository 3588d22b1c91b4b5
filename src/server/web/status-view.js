// Connection, session state, devices, and which action buttons the daemon can serve.

const CONN_TEXT = {
  connecting: 'Connecting…',
  open: 'Connected',
  waiting: 'Reconnecting…',
  unauthorized: 'Not paired: open the pairing URL printed by the daemon',
  version: 'Daemon speaks another protocol: reload the page',
};

export class StatusView {
  constructor(doc) {
    this.conn = doc.getElementById('conn');
    this.connText = doc.getElementById('conn-text');
    this.session = doc.getElementById('session');
    this.devices = doc.getElementById('devices');
    this.body = doc.body;
    this.buttons = {
      transport: [...doc.querySelectorAll('[data-needs="transport"]')],
      snapshots: [...doc.querySelectorAll('[data-needs="snapshots"]')],
      calibrate: [...doc.querySelectorAll('[data-needs="calibrate"]')],
      learn: [...doc.querySelectorAll('[data-needs="learn"]')],
    };
    this.transportButtons = [...doc.querySelectorAll('[data-transport]')];
    this.calState = doc.getElementById('cal-state');
  }

  connection(status) {
    this.body.dataset.conn = status.state;
    const text = status.state === 'waiting' ? `Reconnecting in ${Math.ceil(status.retryInMs / 1000)} s…` : CONN_TEXT[status.state] ?? status.state;
    this.connText.textContent = text;
    this.conn.dataset.state = status.state;
  }

  state(msg) {
    const s = msg.state;
    const ready = s && typeof s === 'object' && s.ready && typeof s.ready === 'object' ? s.ready : undefined;
    const parts = [];
    if (ready) {
      parts.push(ready.health === 'degraded' ? 'ready · degraded' : 'ready');
      if (typeof ready.recall === 'string' && ready.recall !== 'idle') parts.push(`recall: ${ready.recall}`);
    } else parts.push(typeof s === 'string' ? s : s && typeof s === 'object' ? Object.keys(s)[0] : '?');
    this.session.textContent = parts.join(' · ');
    this.session.dataset.health = ready?.health ?? 'unknown';
    const transport = typeof ready?.transport === 'string' ? ready.transport : 'stopped';
    for (const b of this.transportButtons) b.setAttribute('aria-pressed', String(b.dataset.transport === transport));
    const cal = typeof ready?.calibration === 'string' ? ready.calibration : undefined;
    this.calState.dataset.state = cal ?? 'unknown';
    if (cal && !this.calState.dataset.result) this.calState.textContent = cal === 'none' ? 'not calibrated' : cal;

    this.devices.replaceChildren(
      ...msg.devices.map((d) => {
        const chip = document.createElement('span');
        chip.className = 'device';
        chip.dataset.status = d.status;
        chip.title = `${d.kind} ${d.id}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`;
        const dot = document.createElement('i');
        const name = document.createElement('b');
        name.textContent = d.id;
        chip.append(dot, name);
        if (d.status !== 'online') {
          const why = document.createElement('small');
          why.textContent = d.reason ? `${d.status}: ${d.reason}` : d.status;
          chip.append(why);
        }
        return chip;
      }),
    );
    for (const [k, list] of Object.entries(this.buttons)) {
      const ok = msg.actions?.[k] === true;
      for (const b of list) {
        b.disabled = !ok;
        b.title = ok ? '' : `not available: no ${k} in this daemon yet`;
      }
    }
  }

  calibration(text) {
    this.calState.dataset.result = 'yes';
    this.calState.textContent = text;
  }
}
