/**
 * Browser tests: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), the web apps built by Vite before the first test, a real server, simulated
 * phones, screenshots (into docs/screenshots with ZT_UPDATE_SCREENSHOTS=1). Without /usr/bin/chromium a suite is
 * reported as skipped with the reason in its name; it never passes without a browser.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PhoneClient } from '../../src/adapters/phone/phone-client';
import { SimulatedPhone } from '../../src/adapters/phone/simulated-phone';
import { WEB_ROOT } from '../../src/adapters/web/routes';

export const CHROMIUM = '/usr/bin/chromium';
const REPO = new URL('../../', import.meta.url).pathname;
/**
 * Screenshots go to docs/screenshots when ZT_UPDATE_SCREENSHOTS=1 (to refresh the docs),
 * otherwise to a directory under the system temp dir, so a test run leaves the tree clean.
 */
export const SCREENSHOTS = process.env['ZT_UPDATE_SCREENSHOTS'] === '1' ? join(REPO, 'docs/screenshots') : join(tmpdir(), 'zerotouch-screenshots');

/** `describe` when Chromium is installed; otherwise a skipped suite that says why */
export function describeInBrowser(name: string, suite: () => void): void {
  if (existsSync(CHROMIUM)) describe(name, suite);
  else
    describe.skip(`${name} — skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`, () => {
      it('runs in Chromium', () => {});
    });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

const newest = (path: string): number => {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
};

const STAMP = join(WEB_ROOT, '.built');
const LOCK = join(REPO, 'dist/.web-build-lock');

/**
 * Build the web apps unless `dist/web` is newer than their sources. Test files run in
 * parallel: one builds (holding a lock directory), the others wait and find it fresh.
 */
export async function ensureWebBuilt(): Promise<void> {
  const sources = Math.max(newest(join(REPO, 'src/adapters/web/apps')), newest(join(REPO, 'vite.config.ts')));
  const fresh = (): boolean => existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources;
  mkdirSync(join(REPO, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (fresh()) return;
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // a stale lock (a build killed half-way) is taken over after a minute
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 60_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the web build did not finish within 2 minutes (lock ${LOCK})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (fresh()) return;
    await promisify(execFile)(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: REPO });
    writeFileSync(STAMP, new Date().toISOString());
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** a full-page screenshot into SCREENSHOTS (overwritten on every run) */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** the page does not scroll sideways at its current width */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate<{ scroll: number; width: number }>('({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })');
  expect(scroll).toBeLessThanOrEqual(width);
}

/** until /readyz says ready (Users logged in to Devices, read models caught up) */
export async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${url}/readyz`);
    if (res.ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready: ${await res.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let phones = 0;

/** a new simulated phone that asks the server's Redirector for the code prompt */
export async function newPhone(url: string, model = 'IP112'): Promise<SimulatedPhone> {
  const n = ++phones + process.pid * 16;
  const mac = `0290${(n & 0xffffffff).toString(16).padStart(8, '0')}`;
  const phone = new SimulatedPhone(
    { mac, model, firmware: '13r1 sr1', bootcode: '13r1 sr1', localIp: '192.0.2.20', redirectorUrl: url, devicesUrl: null, credential: null, configRevision: null, settings: {} },
    new PhoneClient(),
  );
  expect(await phone.start()).toBe('prompt-code');
  return phone;
}

/** a phone that types `code` and checks in until it is up to date */
export async function phoneUsesCode(url: string, code: string, model?: string): Promise<SimulatedPhone> {
  const phone = await newPhone(url, model);
  await phone.enterCode(code);
  const outcomes = await phone.converge();
  expect(outcomes.at(-1)?.idle).toBe(true);
  return phone;
}

/** `00:90:33:aa:bb:cc` as the apps show it */
export const shownMac = (mac: string): string => mac.replace(/(..)(?=.)/g, '$1:');
