import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/require-tool.ts';
import { eventually, startStudio, type Studio } from './support/studio.ts';
import { allOnline, unitReaches, unitValues } from './support/units.ts';
import { EQ_AND_XTOUCH, OUTBOARD_XTOUCH_MAP, SEQ4_GAIN_DB, stripText, type XTouchState } from './support/xtouch-map.ts';
import { launchChromium } from './support/chromium.ts';

/**
 * Issue 8 end to end: the tablet page in real Chromium on a real Daemon whose outboard EQ and
 * X-Touch are firmware-sim processes. Values are read back from the simulated unit itself.
 */
const socat = requireTool('socat');
const chromium = requireTool('chromium', 'apt-get install chromium');
const PARAM = 'outboard.eq1.ch1.band3.gainDb';
const UNIT_NAME = 'ch1.band3.gainDb';
const CONTROL = `.control[data-param="${PARAM}"]`;
const skip = !socat.ok || !chromium.ok;

/** Drag a dial vertically by `dyPx` (up is positive), like a finger on the tablet. */
async function drag(page: Page, selector: string, dyPx: number): Promise<void> {
  const dial = page.locator(selector);
  await dial.scrollIntoViewIfNeeded();
  const box = await dial.boundingBox();
  if (!box) throw new Error(`${selector} not visible`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y - dyPx, { steps: 12 });
  await page.mouse.up();
}

/** The page's drag has ended (its final value committed). */
async function dragEnded(page: Page): Promise<void> {
  await page.locator('.control.active').waitFor({ state: 'detached' });
}

const shown = async (page: Page): Promise<number> => Number(await page.locator(CONTROL).getAttribute('data-value'));

async function openTablet(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-conn="open"]');
  await page.click('button[data-page="outboard.eq1"]');
  await page.locator(CONTROL).scrollIntoViewIfNeeded();
  return page;
}

describe.skipIf(skip)(`the tablet page on the simulated outboard EQ and X-Touch ${socat.reason} ${chromium.reason}`, () => {
  let s: Studio;
  let browser: Browser;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    s = await startStudio({ yaml: EQ_AND_XTOUCH, maps: { 'itest-xtouch': OUTBOARD_XTOUCH_MAP } });
    await allOnline(s, ['eq1', 'comp1']);
    await eventually('X-Touch online', () => s.daemon.stateView().devices.find((d) => d.id === 'xtouch')?.status, (v) => v === 'online');
    // A fresh temporary profile per launch, removed by close().
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: false });
    context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(String(e))));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await s?.cleanup();
  });

  it('dragging the EQ control changes the unit; a V-Pot turn on the X-Touch shows on the page; a second page stays in sync', async () => {
    const store = s.daemon.store;
    const page = await openTablet(context, s.url);
    expect(await shown(page)).toBe(0);

    // Drag up: a few detents, through the daemon, to the unit.
    await drag(page, `${CONTROL} .dial`, 60);
    await dragEnded(page);
    const dragged = await eventually('a positive gain stored', () => store.get(PARAM), (v) => v > 0);
    expect(SEQ4_GAIN_DB).toContain(dragged);
    const settled = await eventually(
      'page, store and unit agree',
      async () => [await shown(page), store.get(PARAM), (await unitValues(s, 'EQ-0001'))[UNIT_NAME]],
      (vs) => vs[0] === vs[1] && vs[1] === vs[2],
    );
    const afterDrag = settled[1] as number;
    expect(afterDrag).toBeGreaterThan(0);
    // The X-Touch follows the tablet too.
    await eventually('X-Touch shows the tablet value', async () => (await s.surface('xtouch').send('state')).state as XTouchState, (x) =>
      stripText(x, 3, 1).startsWith(String(afterDrag)),
    );

    // Five ticks down on the X-Touch's V-Pot 3: the page shows the unit's new detent.
    const index = SEQ4_GAIN_DB.indexOf(afterDrag as (typeof SEQ4_GAIN_DB)[number]);
    const turned = SEQ4_GAIN_DB[index - 5] as number;
    await s.surface('xtouch').send('turn 3 -5');
    await page.waitForSelector(`${CONTROL}[data-value="${turned}"]`);
    await unitReaches(s, 'EQ-0001', UNIT_NAME, turned);
    expect(store.get(PARAM)).toBe(turned);

    // A second tablet opens in sync, then both follow a hand on the unit's front panel.
    const second = await openTablet(context, s.url);
    expect(await shown(second)).toBe(turned);
    await s.unit('EQ-0001').send(`panel ${UNIT_NAME} 4`);
    await page.waitForSelector(`${CONTROL}[data-value="4"]`);
    await second.waitForSelector(`${CONTROL}[data-value="4"]`);

    // The second tablet turns it down: the first follows, and so does the unit.
    await drag(second, `${CONTROL} .dial`, -50);
    await dragEnded(second);
    const fromSecond = await eventually('second page value stored', () => store.get(PARAM), (v) => v < 4);
    await eventually('second page settled', async () => [await shown(second), store.get(PARAM)], (vs) => vs[0] === vs[1]);
    const final = store.get(PARAM);
    expect(final).toBeLessThanOrEqual(fromSecond);
    await page.waitForSelector(`${CONTROL}[data-value="${final}"]`);
    await unitReaches(s, 'EQ-0001', UNIT_NAME, final);
    expect(pageErrors).toEqual([]);
    await second.close();
    await page.close();
  }, 60_000);
});
