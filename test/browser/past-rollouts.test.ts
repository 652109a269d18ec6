/**
 * UsersAdmin's past rollouts in Chromium: a rollout started earlier (one phone up, one
 * waiting) listed with its counts, reopened live (a phone that comes up afterwards turns
 * its row Registered), its welcome sheets and CSV had again.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { describeInBrowser, ensureWebBuilt, launchBrowser, phoneUsesCode, screenshot, waitUntilReady } from './support';

describeInBrowser('UsersAdmin past rollouts in a browser', () => {
  let browser: Browser;
  let server: TestServer;
  let rolloutId: string;
  let codes: Record<string, string>;

  beforeAll(async () => {
    await ensureWebBuilt();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer({ demo: true })]);
    await waitUntilReady(server.url);
    const ws = await TestSocket.connect(`${server.wsUrl}/users/v1/admin`);
    expect(await ws.request({ mt: 'Login', token: server.config.adminToken })).toMatchObject({ ok: true });
    const started = await ws.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ['alice', 'bob'] }, 30_000);
    ws.close();
    rolloutId = String(started['rolloutId']);
    codes = Object.fromEntries((started['entries'] as Array<{ user: string; code: string }>).map((e) => [e.user, e.code]));
    await phoneUsesCode(server.url, codes['alice']!);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists, reopens live, and gives the sheets and CSV again', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, acceptDownloads: true });
    await page.goto(`${server.url}/apps/users-admin`);
    await page.getByLabel('Admin token').fill(server.config.adminToken);
    await page.getByRole('button', { name: 'Log in' }).click();

    const row = page.locator('#past-rollouts-table tbody tr');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await row.locator('td').allTextContents()).slice(1, 7)).toEqual(['office', 'phone', '2', '1', '1', '0']);
    await screenshot(page, 'users-admin-past-rollouts');

    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /^Download the CSV/ }).click()]);
    const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
    expect(csv).toContain(`alice,`);
    expect(csv).toMatch(new RegExp(`bob,[^,]*,${codes['bob']},[^,]+,pending,`));

    await row.getByRole('button', { name: /^Welcome sheets/ }).click();
    await expect.poll(() => page.locator('article.sheet').count()).toBe(1);
    expect(await page.locator('article.sheet h2').allTextContents()).toEqual([expect.stringContaining('Bob')]);

    await page.goto(`${server.url}/apps/users-admin`);
    await page.locator('#past-rollouts-table tbody tr').getByRole('button', { name: /^Open/ }).click();
    await expect.poll(() => page.locator('#rollout-table tbody tr').count()).toBe(2);
    expect(page.url()).toContain(`#rollout=${encodeURIComponent(rolloutId)}`);
    // live: bob's phone comes up while the reopened rollout is on screen
    await phoneUsesCode(server.url, codes['bob']!);
    await expect.poll(() => page.locator('#rollout-table tbody tr', { hasText: 'bob' }).textContent(), { timeout: 15_000 }).toContain('Registered');
    await page.close();
  }, 90_000);
});
