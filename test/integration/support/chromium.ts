import type { Browser, BrowserContext } from 'playwright-core';

/** Headless Chromium as the tablet tests run it: a fresh temporary profile per launch, removed by close(). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface TabletBrowser {
  readonly browser: Browser;
  /** A 1024x768 tablet-sized context; every page opened in it reports its errors below. */
  readonly context: BrowserContext;
  /** Uncaught errors of the pages (a test expects none). */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** Chromium with one tablet-sized context whose pages' uncaught errors are collected. */
export async function openTabletBrowser(): Promise<TabletBrowser> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const pageErrors: string[] = [];
  context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(String(e))));
  return {
    browser,
    context,
    pageErrors,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}
