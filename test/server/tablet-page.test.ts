import { copyFile, mkdir, rm } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/errors.ts';
import type { ParamSpecInput } from '../../src/params/param-spec.ts';
import type { ParamStore } from '../../src/params/param-store.ts';
import type { TabletActions } from '../../src/server/ws/tablet-actions.ts';
import { requireTool } from '../support/require-tool.ts';
import { SyntheticMeterFeed } from './synthetic-meter-feed.ts';
import { startTabletDaemon, type TabletFixture } from './tablet-fixture.ts';
import { launchChromium } from '../integration/support/chromium.ts';

const chromium = requireTool('chromium', 'apt-get install chromium');

const STUDIO_PARAMS: ParamSpecInput[] = [
  { id: 'eq.band1.gainDb', label: 'Low gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0, group: 'eq.band1' },
  { id: 'eq.band1.freqHz', label: 'Low freq', kind: 'continuous', unit: 'Hz', min: 20, max: 500, default: 80, taper: 'log', group: 'eq.band1' },
  { id: 'eq.band2.gainDb', label: 'Mid gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0, group: 'eq.band2' },
  { id: 'eq.band2.freqHz', label: 'Mid freq', kind: 'continuous', unit: 'Hz', min: 100, max: 10000, default: 1000, taper: 'log', group: 'eq.band2' },
  { id: 'eq.band2.q', label: 'Mid Q', kind: 'continuous', unit: '', min: 0.3, max: 10, default: 0.7, taper: 'log', group: 'eq.band2' },
  { id: 'eq.band3.gainDb', label: 'High gain', kind: 'continuous', unit: 'dB', min: -18, max: 18, default: 0, group: 'eq.band3' },
  { id: 'eq.band3.shape', label: 'High shape', kind: 'choice', unit: '', min: 0, max: 1, default: 0, choices: ['Shelf', 'Bell'], group: 'eq.band3' },
  { id: 'comp.thresholdDb', label: 'Threshold', kind: 'continuous', unit: 'dB', min: -40, max: 0, default: -12, group: 'comp' },
  { id: 'comp.ratio', label: 'Ratio', kind: 'stepped', unit: ':1', min: 1.5, max: 10, default: 2, steps: [1.5, 2, 3, 4, 6, 10], group: 'comp' },
  { id: 'comp.bypass', label: 'Bypass', kind: 'toggle', unit: '', min: 0, max: 1, default: 0, group: 'comp' },
  { id: 'outboard.eq1.gainDb', label: 'Gain', kind: 'continuous', unit: 'dB', min: -12, max: 12, default: 0, group: 'outboard.eq1' },
  { id: 'outboard.eq1.lowFreqHz', label: 'Low freq', kind: 'stepped', unit: 'Hz', min: 20, max: 100, default: 60, steps: [20, 33, 60, 100], group: 'outboard.eq1' },
];

/**
 * Stands in for the serial outboard driver (another part's work): like the real one, it
 * writes every change of its unit's parameters to the unit unless the change came from the
 * unit itself, and records what the unit was sent.
 */
class FakeOutboardUnit {
  readonly writes: { id: string; value: number }[] = [];
  constructor(store: ParamStore, unitId: string) {
    store.watch((changes, source) => {
      if (source === `outboard:${unitId}`) return;
      for (const c of changes) if (c.id.startsWith(`outboard.${unitId}.`)) this.writes.push({ id: c.id, value: c.value });
    });
  }
}

const YAML = `outboard:
  - { id: eq1, profile: stepped-eq, serial: S1, port: sim }
  - { id: comp1, profile: vca-comp, serial: S2, port: sim }
surfaces:
  - { id: xtouch, type: mcu, match: X-Touch, map: m }
audio: { backend: none }
`;

function waitForChange(store: ParamStore, id: string, pred: (value: number, source: string) => boolean): Promise<{ value: number; source: string }> {
  return new Promise((resolve) => {
    const stop = store.watch((changes, source) => {
      for (const c of changes) {
        if (c.id === id && pred(c.value, source)) {
          stop();
          resolve({ value: c.value, source });
        }
      }
    });
  });
}

async function drag(page: Page, selector: string, dyPx: number): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} not visible`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y - dyPx, { steps: 12 });
  await page.mouse.up();
}

/**
 * The page's globals inside functions Playwright runs in the browser (the project's tsconfig
 * has no DOM types). Functions are serialised as text, so they must not call anything of this
 * module. Functions, not strings: the page's CSP forbids eval, which strings would need.
 */
interface G {
  document: {
    body: { dataset: Record<string, string | undefined> };
    querySelector(s: string): { textContent: string | null } | null;
  };
}

/** Wait until the page has drawn `n` more meter frames. */
async function moreFrames(page: Page, n: number): Promise<void> {
  const now = Number(await page.getAttribute('body', 'data-frames'));
  await page.waitForFunction((want) => Number((globalThis as unknown as G).document.body.dataset.frames) >= want, now + n);
}

const attr = (page: Page, id: string): Promise<string | null> => page.locator(`.control[data-param="${id}"]`).getAttribute('data-value');

describe.skipIf(!chromium.ok)(`tablet page in Chromium ${chromium.reason}`, () => {
  let browser: Browser;
  let fx: TabletFixture | undefined;
  let context: BrowserContext;
  let feed: SyntheticMeterFeed;
  let unit: FakeOutboardUnit;
  let firstDataDir: string;
  const learned: string[] = [];

  const actions: Partial<TabletActions> = {
    learn: async (paramId) => {
      learned.push(paramId);
      return { paramId, control: 'X-Touch encoder 3' };
    },
    transport: async (cmd) => ({ transport: cmd.command }),
    snapshotList: async () => [
      { id: 1, name: 'Track 1 · v3' },
      { id: 2, name: 'Track 1 · v4' },
    ],
    snapshotAb: async () => ({ active: 'b' }),
    calibrate: async () => ({ latencySamples: 1234, latencyMs: 25.71 }),
  };

  async function startDaemon(port?: number, dataDir?: string): Promise<TabletFixture> {
    const f = await startTabletDaemon({
      yaml: YAML,
      ...(port !== undefined ? { port } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      tablet: { meters: feed, actions, requireToken: true },
      daemon: { buildParts: () => [] },
      setup: (d) => {
        d.store.register(STUDIO_PARAMS);
        unit = new FakeOutboardUnit(d.store, 'eq1');
      },
    });
    f.daemon.hub.report('eq1', 'online');
    f.daemon.hub.report('comp1', 'online');
    f.daemon.hub.report('xtouch', 'reconnecting', 'MIDI port X-Touch gone');
    return f;
  }

  beforeAll(async () => {
    // launch() runs Chromium on a fresh temporary profile (user-data-dir) and removes it after.
    feed = new SyntheticMeterFeed({ bands: 48 });
    feed.start(30);
    fx = await startDaemon();
    firstDataDir = fx.dataDir;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: false });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(fx.daemon.tablet.pairingUrl()!);
    await page.waitForSelector('body[data-conn="open"]');
  }, 60_000);

  afterAll(async () => {
    feed?.stop();
    await context?.close();
    await browser?.close();
    await fx?.cleanup();
    await rm(firstDataDir, { recursive: true, force: true });
  });

  let page: Page;
  const pageErrors: string[] = [];

  it('loads from the pairing URL, keeps the token, strips it from the address bar; meters move', async () => {
    const url = fx!.daemon.tablet.pairingUrl();
    const token = await fx!.token();
    expect(url).toBe(`http://127.0.0.1:${fx!.port}/?token=${token}`);
    // beforeAll opened exactly that URL.
    expect(page.url()).toBe(`http://127.0.0.1:${fx!.port}/`);
    expect(await page.evaluate('localStorage.getItem("hybrid-bridge.token")')).toBe(token);

    await page.waitForFunction(() => Number((globalThis as unknown as G).document.body.dataset.frames) > 5);
    const m1 = await page.textContent('[data-readout="m"]');
    expect(m1).toMatch(/^-?\d+\.\d$/);
    await page.waitForFunction((prev) => (globalThis as unknown as G).document.querySelector('[data-readout="m"]')?.textContent !== prev, m1);
    await moreFrames(page, 10);
    // Device status with its reason, session state, and actions the daemon offers.
    expect(await page.textContent('#devices')).toContain('MIDI port X-Touch gone');
    expect(await page.textContent('#session')).toMatch(/^ready/);
    expect(await page.isDisabled('#calibrate')).toBe(false);
    expect(await page.isDisabled('#learn')).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('dragging the outboard EQ gain changes the parameter and reaches the (simulated) unit; double-tap and typed entry too', async () => {
    await page.click('button[data-page="outboard.eq1"]');
    const dial = '.control[data-param="outboard.eq1.gainDb"] .dial';
    const changed = waitForChange(fx!.daemon.store, 'outboard.eq1.gainDb', (v) => v >= 3);
    await drag(page, dial, 60);
    const c = await changed;
    expect(c.source).toMatch(/^tablet:[0-9a-f]{8}$/);
    // 60 px of a 220 px travel over a 24 dB range: about +6.5 dB (pointer steps round a little).
    await page.waitForFunction(() => !(globalThis as unknown as G).document.querySelector('.control.active'));
    const v = fx!.daemon.store.get('outboard.eq1.gainDb');
    expect(v).toBeGreaterThan(5);
    expect(v).toBeLessThan(8);
    expect(unit.writes.at(-1)).toEqual({ id: 'outboard.eq1.gainDb', value: v });
    expect(Number(await attr(page, 'outboard.eq1.gainDb'))).toBe(v);

    const reset = waitForChange(fx!.daemon.store, 'outboard.eq1.gainDb', (x) => x === 0);
    await page.dblclick(dial);
    await reset;
    expect(unit.writes.at(-1)).toEqual({ id: 'outboard.eq1.gainDb', value: 0 });

    const typed = waitForChange(fx!.daemon.store, 'outboard.eq1.gainDb', (x) => x === -2.5);
    await page.click('.control[data-param="outboard.eq1.gainDb"] .control-value');
    await page.fill('.control[data-param="outboard.eq1.gainDb"] .control-entry', '-2.5 dB');
    await page.keyboard.press('Enter');
    await typed;

    // A stepped control snaps to its detent; the page shows what the daemon stored.
    const stepped = waitForChange(fx!.daemon.store, 'outboard.eq1.lowFreqHz', () => true);
    await drag(page, '.control[data-param="outboard.eq1.lowFreqHz"] .dial', 30);
    expect((await stepped).value).toBe(100);
    await page.waitForSelector('.control[data-param="outboard.eq1.lowFreqHz"][data-value="100"]');
  }, 60_000);

  it('shows a change made elsewhere (a surface) within a frame, and a second page stays in sync', async () => {
    fx!.daemon.store.set('outboard.eq1.gainDb', -7.5, 'surface:xtouch');
    await page.waitForSelector('.control[data-param="outboard.eq1.gainDb"][data-value="-7.5"]');
    expect(await page.textContent('.control[data-param="outboard.eq1.gainDb"] .control-value')).toBe('-7.5 dB');

    // Same browser profile: the second page has the kept token and no token in its URL.
    const second = await context.newPage();
    await second.goto(`http://127.0.0.1:${fx!.port}/`);
    await second.waitForSelector('body[data-conn="open"]');
    await second.click('button[data-page="outboard.eq1"]');
    expect(await attr(second, 'outboard.eq1.gainDb')).toBe('-7.5');

    const moved = waitForChange(fx!.daemon.store, 'outboard.eq1.gainDb', (_v, source) => source.startsWith('tablet:'));
    await drag(page, '.control[data-param="outboard.eq1.gainDb"] .dial', -30);
    await moved;
    await page.waitForFunction(() => !(globalThis as unknown as G).document.querySelector('.control.active'));
    const v = fx!.daemon.store.get('outboard.eq1.gainDb');
    await second.waitForSelector(`.control[data-param="outboard.eq1.gainDb"][data-value="${v}"]`);

    // And the other way: the second page's toggle shows on the first.
    await second.click('button[data-page="comp"]');
    await page.click('button[data-page="comp"]');
    await second.click('.control[data-param="comp.bypass"] .switch');
    await page.waitForSelector('.control[data-param="comp.bypass"][data-value="1"]');
    expect(fx!.daemon.store.get('comp.bypass')).toBe(1);
    await second.close();
  }, 60_000);

  it('runs learn and calibration through TabletActions and shows the results', async () => {
    await page.click('#learn');
    await page.click('.control[data-param="comp.thresholdDb"] .dial');
    await page.waitForSelector('#toast:has-text("Learned: X-Touch encoder 3")');
    expect(learned).toEqual(['comp.thresholdDb']);
    expect(await page.getAttribute('#learn', 'aria-pressed')).toBe('false');
    await page.click('#calibrate');
    await page.waitForSelector('#cal-state:has-text("latency 1234 samples (25.71 ms)")');
  }, 60_000);

  it('takes screenshots in landscape and portrait', async () => {
    await page.click('button[data-page="eq"]');
    fx!.daemon.store.setMany({ 'eq.band1.gainDb': 2.5, 'eq.band2.gainDb': -1.5, 'eq.band2.freqHz': 2400, 'eq.band3.gainDb': 1 }, 'recall');
    await page.waitForSelector('.control[data-param="eq.band2.freqHz"][data-value="2400"]');
    await mkdir('test-results', { recursive: true });
    if (await page.isVisible('#toast')) await page.click('#toast');
    await page.waitForSelector('#toast', { state: 'hidden' });
    // Time-lapse: 4 s of audio per frame fills the five-minute loudness history in ~3 s.
    feed.timeStepS = 4;
    await moreFrames(page, 80);
    feed.timeStepS = 1 / 60;
    await page.screenshot({ path: 'test-results/tablet-landscape.png' });
    await page.setViewportSize({ width: 768, height: 1024 });
    await moreFrames(page, 5);
    await page.screenshot({ path: 'test-results/tablet-portrait.png' });
    // Every panel has a real size in both orientations (nothing collapsed or off-screen).
    const sizes = await page.evaluate<[string, number, number, boolean][]>(
      '[...document.querySelectorAll("canvas")].map((c) => [c.id, c.clientWidth, c.clientHeight, c.getBoundingClientRect().bottom <= innerHeight])',
    );
    for (const [id, w, h, inside] of sizes) {
      expect({ id, ok: w > 40 && h > 20 && inside }).toEqual({ id, ok: true });
    }
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await copyFile('test-results/tablet-landscape.png', 'docs/tablet-landscape.png');
      await copyFile('test-results/tablet-portrait.png', 'docs/tablet-portrait.png');
    }
    await page.setViewportSize({ width: 1024, height: 768 });
  }, 60_000);

  it('reconnects by itself after the daemon restarts and resynchronises', async () => {
    const port = fx!.port;
    const dataDir = fx!.dataDir;
    await fx!.daemon.stop();
    await page.waitForSelector('body[data-conn="waiting"], body[data-conn="connecting"]');
    // The new daemon has other values (as after a restart with another session).
    fx = await startDaemon(port, dataDir);
    fx.daemon.store.set('outboard.eq1.gainDb', 4, 'session');
    await page.waitForSelector('body[data-conn="open"]', { timeout: 30_000 });
    await page.click('button[data-page="outboard.eq1"]');
    await page.waitForSelector('.control[data-param="outboard.eq1.gainDb"][data-value="4"]');
    await moreFrames(page, 5);
  }, 60_000);

  it('a page with a wrong token says it is not paired and does not connect', async () => {
    const other = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const p = await other.newPage();
    await p.goto(`http://127.0.0.1:${fx!.port}/?token=wrong-token-wrong-token-wrong-token-000`);
    await p.waitForSelector('body[data-conn="unauthorized"]');
    expect(await p.textContent('#conn-text')).toContain('Not paired');
    expect(Number(await p.getAttribute('body', 'data-frames'))).toBe(0);
    await other.close();
  }, 60_000);

  it('fails loudly on a BridgeError from an action (shown as a toast with its code)', async () => {
    fx!.daemon.tablet.setActions({
      transport: async () => {
        throw new BridgeError('E_TRANSPORT_STATE', 'cannot print while recalling');
      },
    });
    await page.click('button[data-cmd="transport.print"]');
    await page.waitForSelector('#toast[data-kind="error"]:has-text("E_TRANSPORT_STATE")');
  }, 60_000);
});
