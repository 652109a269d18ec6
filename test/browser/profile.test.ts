/**
 * Profile in Chromium: a user logs in with their token, gets a code (large, grouped, with
 * expiry and QR code), and sees their phone register when a simulated phone uses it. A
 * wrong token and a stopped server are said clearly; the page reconnects by itself.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { describeInBrowser, ensureWebBuilt, expectNoSidewaysScroll, launchBrowser, phoneUsesCode, screenshot, shownMac, waitUntilReady } from './support';

describeInBrowser('Profile in a browser', () => {
  let browser: Browser;
  let server: TestServer;
  let alice: string;

  beforeAll(async () => {
    await ensureWebBuilt();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer({ demo: true })]);
    alice = server.server.demo!.userTokens['alice']!;
    await waitUntilReady(server.url);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const logIn = async (page: Page, token: string): Promise<void> => {
    await page.goto(`${server.url}/apps/profile`);
    await page.getByLabel('Profile token').fill(token);
    await page.keyboard.press('Enter');
  };

  it('a user adds a phone and sees it register when the phone uses the code', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await logIn(page, alice);
    await expect.poll(() => page.locator('.session').textContent()).toContain('Alice Adams');

    await page.getByLabel('Category').selectOption('office');
    await page.getByRole('button', { name: 'Get a code' }).click();
    const shown = (await page.locator('#code-value').textContent())!;
    expect(shown).toMatch(/^\d{4} \d{4} \d{4}$/);
    await expect.poll(() => page.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await page.locator('img.qr').getAttribute('alt')).toBe(`QR code of the code ${shown}`);
    await expect.poll(() => page.locator('#codes-table').textContent()).toContain(shown);
    expect(await page.locator('#codes-table .badge').first().textContent()).toBe('Pending');
    await screenshot(page, 'profile-code');

    const phone = await phoneUsesCode(server.url, shown.replace(/ /g, ''));
    await expect.poll(() => page.locator('.code-card').getAttribute('data-state'), { timeout: 10_000 }).toBe('registered');
    await expect.poll(() => page.locator('#devices-table').textContent()).toContain(shownMac(phone.state.mac));
    expect(await page.locator('#announce').textContent()).toContain('is registered');
    expect(await page.locator('#codes-table .badge').first().textContent()).toBe('Registered');
    await screenshot(page, 'profile-registered');
    await page.close();
  });

  it('works on a phone-sized screen, by keyboard', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(`${server.url}/apps/profile`);
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('token');
    await page.keyboard.type(alice);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#category').count()).toBe(1);
    await page.locator('#category').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Get a code');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#code-value').count()).toBe(1);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'profile-phone-size');
    await page.close();
  });

  it('says so when the token is refused', async () => {
    const page = await browser.newPage();
    await logIn(page, 'not-a-token-anybody-issued');
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('This token was refused');
    expect(await page.getByLabel('Profile token').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Log in' }).click(); // empty: asked to type one
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('Enter the token first');
    await page.close();
  });

  it('says so when the server stops, and reconnects when it is back', async () => {
    const page = await browser.newPage();
    await logIn(page, alice);
    await expect.poll(() => page.locator('#category').count()).toBe(1);
    const { dataDir, storeUrl, config } = server;
    await server.close({ keepData: true });
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 10_000 }).toMatch(/shutting down|cannot be reached|was lost/);
    expect(await page.locator('#banner').getAttribute('role')).toBe('alert');
    await screenshot(page, 'profile-server-down');
    await page.getByLabel('Category').selectOption('office');
    await page.getByRole('button', { name: 'Get a code' }).click();
    await expect.poll(() => page.locator('#add-error').textContent()).toContain('Not connected');

    server = await startTestServer({ demo: true, dataDir, storeUrl, env: { ZT_PORT: String(config.port) } });
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 20_000 }).toContain('Connected again');
    await page.close();
  });
});
