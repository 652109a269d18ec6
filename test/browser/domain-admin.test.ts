/**
 * Domain administrators in the Devices admin, in Chromium (SPEC §5.5): the global admin
 * makes one on the Administrators page (its token shown once), the domain admin signs in
 * with that token and sees only its domain (its phones, its domain, no domain creation, no
 * Administrators page), and is signed out at the next reload once the global admin revokes it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { AdminClient } from '../devices/admin-support';
import { describeInBrowser, ensureWebBuilt, expectNoSidewaysScroll, launchBrowser, screenshot, shownMac, waitUntilReady } from './support';

describeInBrowser('Devices admin with a domain administrator', () => {
  let browser: Browser;
  let server: TestServer;
  let client: AdminClient;
  let ownMac: string;
  let foreignMac: string;

  beforeAll(async () => {
    await ensureWebBuilt();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer({ demo: true })]);
    await waitUntilReady(server.url);
    client = new AdminClient(server, 0x30);
    await client.domain('other.example');
    ownMac = await client.claimed('example.com');
    foreignMac = await client.claimed('other.example');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const logIn = async (page: Page, token: string): Promise<void> => {
    await page.goto(`${server.url}/apps/devices`);
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
  };

  it('the global admin makes a domain admin, who sees only its domain until revoked', async () => {
    const global = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await logIn(global, server.config.adminToken);
    await global.getByRole('link', { name: 'Administrators' }).click();
    await expect.poll(() => global.locator('#view-title').textContent()).toBe('Domain administrators');
    await global.getByLabel('Domain', { exact: true }).selectOption('example.com');
    await global.getByLabel('Name', { exact: true }).fill('Example IT');
    await global.getByRole('button', { name: 'Make administrator' }).click();
    const token = (await global.locator('#new-admin-token').textContent({ timeout: 10_000 }))!;
    expect(token).toMatch(/^\S+\.[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => global.locator('#admins-table').textContent()).toContain('Example IT');
    expect(await global.locator('#admins-table').textContent()).not.toContain(token);
    await screenshot(global, 'devices-domain-admins');

    const admin = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await logIn(admin, token);
    await expect.poll(() => admin.locator('#who').textContent()).toBe('Administrator of example.com');
    await expect.poll(() => admin.locator('#devices-table').textContent()).toContain(shownMac(ownMac));
    expect(await admin.locator('#devices-table').textContent()).not.toContain(shownMac(foreignMac));
    expect(await admin.getByRole('link', { name: 'Administrators' }).count()).toBe(0);
    await expectNoSidewaysScroll(admin);
    await screenshot(admin, 'devices-as-domain-admin');

    await admin.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => admin.locator('#domains-table').textContent()).toContain('example.com');
    expect(await admin.locator('#domains-table').textContent()).not.toContain('other.example');
    expect(await admin.getByRole('button', { name: 'Create domain' }).count()).toBe(0);
    // a page it may not open falls back to the phones
    await admin.goto(`${server.url}/apps/devices#admins`);
    await expect.poll(() => admin.locator('#view-title').textContent()).not.toBe('Domain administrators');

    global.once('dialog', (dialog) => void dialog.accept());
    await global.getByRole('button', { name: 'Revoke Example IT' }).click();
    await expect.poll(() => global.locator('#admin-list').textContent()).toContain('has no administrators of its own');
    // the admin's page is refused at its next reload and asks for a token again
    await expect.poll(() => admin.getByLabel('Admin token').isVisible(), { timeout: 15_000 }).toBe(true);
    await admin.close();
    await global.close();
  }, 90_000);
});
