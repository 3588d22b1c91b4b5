import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/require-tool.ts';
import { openTabletBrowser, type TabletBrowser } from './support/chromium.ts';
import { RACK_WITH_PASSIVE_EQ } from './support/rack.ts';
import { eventually, startStudio, type Studio } from './support/studio.ts';
import { allOnline, setParam, storeReaches, unitReaches, unitStats } from './support/units.ts';

/**
 * Issue 9 on the tablet, end to end: the Sessions drawer of the page in real Chromium on a real
 * Daemon whose rack is firmware-sim processes (eq1, comp1, sw1 recalled electronically, the
 * hand-set passive EQ peq1 with a recall sheet). Knobs are turned on the simulated unit's front
 * panel through its control socket; the page's checklist lines must turn green by themselves.
 */
const socat = requireTool('socat');
const chromium = requireTool('chromium', 'apt-get install chromium');
const skip = !socat.ok || !chromium.ok;


const EQ_GAIN = 'outboard.eq1.ch1.band3.gainDb';
const line = (id: string): string => `#recall-sheets .sheet[data-unit="peq1"] li[data-line="${id}"]`;

async function saveFromPage(page: Page, project: string, track: string, name: string): Promise<void> {
  await page.fill('#sess-project', project);
  await page.fill('#sess-track', track);
  await page.fill('#sess-name', name);
  await page.click('#sess-save');
  await page.locator('#sess-tree .snap .name', { hasText: name }).waitFor();
}

/** An attribute of every element the locator matches, in order (no DOM types here: no evaluate). */
async function attrs(loc: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await loc.all()).map((l) => l.getAttribute(name)));
}

/** The id of the snapshot row the page shows with this name. */
async function rowId(page: Page, name: string): Promise<number> {
  const row = page.locator('#sess-tree li.snap', { has: page.locator('.name', { hasText: name }) });
  return Number(await row.getAttribute('data-snapshot'));
}

describe.skipIf(skip)(`the tablet's sessions drawer and recall sheet on the simulated rack ${socat.reason} ${chromium.reason}`, () => {
  let s: Studio;
  let tablet: TabletBrowser;

  beforeAll(async () => {
    s = await startStudio({ yaml: RACK_WITH_PASSIVE_EQ });
    await allOnline(s, ['eq1', 'comp1', 'sw1', 'peq1']);
    tablet = await openTabletBrowser();
  }, 60_000);

  afterAll(async () => {
    await tablet?.close();
    await s?.cleanup();
  });

  it('lists, saves and recalls snapshots with the verification report; A/B shows what differs; the recall sheet ticks itself as the knobs reach their targets', async () => {
    const store = s.daemon.store;
    const peq = s.unit('PEQ-0001');
    const page = await tablet.context.newPage();
    await page.goto(s.url);
    await page.waitForSelector('body[data-conn="open"]');
    await page.click('#sessions-open');
    await page.locator('#sess-tree .empty').waitFor();

    // Version 1 of the track: the EQ up a little (through the API), the passive EQ set by hand.
    await setParam(s, EQ_GAIN, 1.5);
    await unitReaches(s, 'EQ-0001', 'ch1.band3.gainDb', 1.5);
    await peq.send('panel lowBoostDb 6');
    await peq.send('panel highFreqHz 12000');
    await peq.send('panel highAttenDb 3');
    await storeReaches(store, 'outboard.peq1.lowBoostDb', 6);
    await storeReaches(store, 'outboard.peq1.highFreqHz', 12000);
    await storeReaches(store, 'outboard.peq1.highAttenDb', 3);
    await s.daemon.outboard.manager.idle('eq1');
    await saveFromPage(page, 'Album', '03 Night Drive', 'v1');

    // Version 2: the EQ back down, two knobs of the passive EQ moved.
    await setParam(s, EQ_GAIN, -2);
    await unitReaches(s, 'EQ-0001', 'ch1.band3.gainDb', -2);
    await peq.send('panel lowBoostDb 2');
    await peq.send('panel highFreqHz 5000');
    await storeReaches(store, 'outboard.peq1.lowBoostDb', 2);
    await storeReaches(store, 'outboard.peq1.highFreqHz', 5000);
    await s.daemon.outboard.manager.idle('eq1');
    await saveFromPage(page, 'Album', '03 Night Drive', 'v2');

    // The drawer lists the project, its track and both versions, saved in the store.
    expect(await page.locator('#sess-tree .project h3').allTextContents()).toEqual(['Album']);
    expect(await page.locator('#sess-tree .track h4').allTextContents()).toEqual(['03 Night Drive']);
    expect(await page.locator('#sess-tree .snap .name').allTextContents()).toEqual(['v1', 'v2']);
    const v1 = await rowId(page, 'v1');
    const v2 = await rowId(page, 'v2');
    const projects = s.daemon.storePart.store.listProjects();
    expect(projects.map((p) => [p.name, p.tracks.map((t) => [t.name, t.snapshots.map((x) => [x.id, x.name])])])).toEqual([
      ['Album', [['03 Night Drive', [[v1, 'v1'], [v2, 'v2']]]]],
    ]);
    expect(await page.locator('#recall-sheets').isHidden()).toBe(true);
    const setsBefore = (await unitStats(s, 'PEQ-0001')).setsIn;

    // Recall v1 from the page: the report says verified, the EQ unit is back at +1.5 dB.
    await page.click(`#sess-tree li.snap[data-snapshot="${v1}"] button[data-act="recall"]`);
    await page.waitForSelector('#recall-report[data-status="verified"]');
    expect(await page.locator('#recall-report h3').textContent()).toBe('v1: verified');
    const unitRows = page.locator('#recall-report li[data-unit]');
    expect(await Promise.all((await unitRows.all()).map(async (l) => [await l.getAttribute('data-unit'), await l.getAttribute('data-status')]))).toEqual([
      ['eq1', 'verified'],
      ['comp1', 'verified'],
      ['sw1', 'verified'],
      ['peq1', 'manual'],
    ]);
    expect(await page.locator('#recall-report .problems li').count()).toBe(0);
    await unitReaches(s, 'EQ-0001', 'ch1.band3.gainDb', 1.5);

    // The recall sheet for the hand-set unit appears: nothing was written to it, two lines open.
    await page.waitForSelector('#recall-sheets .sheet[data-unit="peq1"]');
    expect((await unitStats(s, 'PEQ-0001')).setsIn).toBe(setsBefore);
    const open = page.locator('#recall-sheets .sheet[data-unit="peq1"] li[data-done="false"]');
    expect(await attrs(open, 'data-line')).toEqual(['outboard.peq1.lowBoostDb', 'outboard.peq1.highFreqHz']);
    expect(await page.locator(`${line('outboard.peq1.lowBoostDb')} .target`).textContent()).toBe('6 dB · position 7 of 11');
    expect(await page.locator(`${line('outboard.peq1.lowBoostDb')} .current`).getAttribute('data-value')).toBe('2');
    expect(await page.locator(`${line('outboard.peq1.highAttenDb')}`).getAttribute('data-done')).toBe('true');
    expect(await page.locator('#recall-sheets .sheet[data-unit="peq1"]').getAttribute('data-complete')).toBe('false');

    // Hands on the front panel: one detent short stays open (showing where it is), then green.
    await peq.send('panel lowBoostDb 5');
    await page.waitForSelector(`${line('outboard.peq1.lowBoostDb')} .current[data-value="5"]`);
    expect(await page.locator(line('outboard.peq1.lowBoostDb')).getAttribute('data-done')).toBe('false');
    await peq.send('turn lowBoostDb 1');
    await page.waitForSelector(`${line('outboard.peq1.lowBoostDb')}[data-done="true"]`);
    expect((await page.locator(line('outboard.peq1.lowBoostDb')).getAttribute('class'))?.split(' ')).toContain('done');
    expect(await page.locator('#recall-sheets .sheet[data-unit="peq1"] .remaining').textContent()).toBe('1 to set');
    await peq.send('panel highFreqHz 12000');
    await page.waitForSelector('#recall-sheets .sheet[data-unit="peq1"][data-complete="true"]');
    expect(await page.locator('#recall-sheets .sheet[data-unit="peq1"] li[data-done="false"]').count()).toBe(0);

    // A knob knocked off its target turns its line back.
    await peq.send('turn highAttenDb 1');
    await page.waitForSelector(`${line('outboard.peq1.highAttenDb')}[data-done="false"]`);
    await peq.send('turn highAttenDb -1');
    await page.waitForSelector('#recall-sheets .sheet[data-unit="peq1"][data-complete="true"]');

    // A second tablet opening now gets the sheet in force.
    const second = await tablet.context.newPage();
    await second.goto(s.url);
    await second.waitForSelector('#recall-sheets .sheet[data-unit="peq1"][data-complete="true"]');

    // A/B between v1 and v2: the page lists what differs, and switching moves the EQ unit.
    await page.click(`#sess-tree li.snap[data-snapshot="${v1}"] button[data-act="a"]`);
    await page.click(`#sess-tree li.snap[data-snapshot="${v2}"] button[data-act="b"]`);
    await page.click('#ab-b');
    await page.waitForSelector('#ab-panel[data-active="b"]');
    const diff = await Promise.all(
      (await page.locator('#ab-diff tr[data-param]').all()).map(async (row) => [await row.getAttribute('data-param'), ...(await row.locator('td').allTextContents()).slice(1)]),
    );
    expect(diff).toEqual(
      expect.arrayContaining([
        [EQ_GAIN, '+1.5 dB', '-2.0 dB'],
        ['outboard.peq1.lowBoostDb', '+6.0 dB', '+2.0 dB'],
        ['outboard.peq1.highFreqHz', '12 kHz', '5 kHz'],
      ]),
    );
    expect(diff.filter((d) => !d[0]?.startsWith('outboard.peq1.') && d[0] !== EQ_GAIN)).toEqual([]);
    await unitReaches(s, 'EQ-0001', 'ch1.band3.gainDb', -2);
    // B's sheet (the first switch recalls B whole): the two knobs set for v1 must go back to v2's positions by hand.
    await eventually(
      'the B sheet has exactly the knobs that differ open',
      () => attrs(page.locator('#recall-sheets .sheet[data-unit="peq1"] li[data-done="false"]'), 'data-line'),
      (ids) => ids.length === 2 && ids[0] === 'outboard.peq1.lowBoostDb' && ids[1] === 'outboard.peq1.highFreqHz',
    );
    expect(await page.locator(`${line('outboard.peq1.lowBoostDb')} .target`).textContent()).toBe('2 dB · position 3 of 11');
    await page.click('#sheets-dismiss');
    await page.waitForSelector('#recall-sheets', { state: 'hidden' });
    await second.waitForSelector('#recall-sheets', { state: 'hidden' });
    expect(tablet.pageErrors).toEqual([]);
    await second.close();
    await page.close();
  }, 90_000);
});
