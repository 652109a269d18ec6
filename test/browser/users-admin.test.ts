/**
 * UsersAdmin "Register phones" in Chromium: the four steps for three users, a phone
 * coming up turns its row Registered live, the CSV downloaded and read row by row, the
 * welcome sheets, a new code for an expired one; a wrong token is said clearly.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import { startTestServer, type TestServer } from '../support/server';
import { describeInBrowser, ensureWebBuilt, expectNoSidewaysScroll, launchBrowser, phoneUsesCode, screenshot, shownMac, waitUntilReady } from './support';

const DAY = 86_400_000;

describeInBrowser('UsersAdmin "Register phones" in a browser', () => {
  let browser: Browser;
  let server: TestServer;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    await ensureWebBuilt();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer({ demo: true, clock })]);
    await waitUntilReady(server.url);
    // a second phone app: step 2 then offers a choice of phone app, and none of category
    const created = await fetch(`${server.url}/users/v1/admin/phone-apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.config.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'softphone', name: 'Softphone' }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const logIn = async (page: Page, token: string): Promise<void> => {
    await page.goto(`${server.url}/apps/users-admin`);
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
  };

  const rows = async (page: Page): Promise<Array<{ user: string; code: string; state: string; mac: string }>> =>
    page.locator('#rollout-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '');
        return { user: tr.querySelector('td .mono')?.textContent ?? '', code: cells[1]!.replace(/\s/g, ''), state: cells[3]!, mac: cells[4]! };
      }),
    );

  it('rolls out phones to three users: steps, live state, CSV, welcome sheets, a new code for an expired one', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await logIn(page, server.config.adminToken);

    // 1. the connection to Devices
    await expect.poll(() => page.locator('#devices-status').textContent()).toContain('Connected');
    expect(await page.locator('.stepper [aria-current=step]').textContent()).toBe('Connection to Devices');
    await screenshot(page, 'users-admin-1-connection');
    await page.getByRole('button', { name: 'Continue' }).click();

    // 2. one category open for provisioning (no dropdown), two phone apps (a dropdown)
    await expect.poll(() => page.locator('.stepper [aria-current=step]').textContent()).toBe('Category and phone app');
    expect(await page.locator('#category').count()).toBe(0);
    expect(await page.locator('#step-body').textContent()).toContain('Category: Office phones');
    await page.getByLabel('Phone app', { exact: true }).selectOption('phone');
    await screenshot(page, 'users-admin-2-category');
    await page.getByRole('button', { name: 'Continue' }).click();

    // 3. users: search, then select all
    await expect.poll(() => page.locator('#users-table tbody tr').count()).toBe(3);
    await page.getByLabel('Search by name, user id or e-mail').fill('bro');
    await expect.poll(() => page.locator('#users-table tbody tr').count()).toBe(1);
    expect(await page.locator('#users-table tbody').textContent()).toContain('Bob Brown');
    await page.getByLabel('Search by name, user id or e-mail').fill('');
    await page.getByLabel('Select all 3 users shown').check();
    expect(await page.locator('#selection-summary').textContent()).toBe('3 of 3 users selected');
    await screenshot(page, 'users-admin-3-users');
    await page.getByRole('button', { name: 'Start the rollout for 3 users' }).click();

    // 4. the codes, Pending
    await expect.poll(() => page.locator('#rollout-table tbody tr').count()).toBe(3);
    const started = await rows(page);
    expect(started.map((r) => [r.user, r.state])).toEqual([
      ['alice', 'Pending'],
      ['bob', 'Pending'],
      ['carol', 'Pending'],
    ]);
    for (const r of started) expect(r.code).toMatch(/^\d{12}$/);
    expect(page.url()).toMatch(/#rollout=/);

    // alice's phone comes up: her row turns Registered without a reload
    const phone = await phoneUsesCode(server.url, started[0]!.code);
    await expect.poll(async () => (await rows(page))[0]!.state, { timeout: 10_000 }).toBe('Registered');
    expect((await rows(page))[0]!.mac).toBe(shownMac(phone.state.mac));
    expect(await page.locator('#rollout-summary').textContent()).toBe('1 of 3 registered.');
    await screenshot(page, 'users-admin-4-codes');

    // the CSV, row by row
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^rollout-.+\.csv$/);
    const csv = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
    const lines = csv.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('user,name,code,expires_at,state,mac');
    expect(lines.slice(1).map((line) => line.split(','))).toEqual([
      ['alice', 'Alice Adams', started[0]!.code, expect.any(String), 'registered', phone.state.mac],
      ['bob', 'Bob Brown', started[1]!.code, expect.any(String), 'pending', ''],
      ['carol', 'Carol Clarke', started[2]!.code, expect.any(String), 'pending', ''],
    ]);

    // welcome sheets for those still waiting
    await page.getByRole('button', { name: 'Welcome sheets' }).click();
    await expect.poll(() => page.locator('article.sheet').count()).toBe(2);
    expect(await page.locator('article.sheet h2').allTextContents()).toEqual(['Welcome, Bob Brown', 'Welcome, Carol Clarke']);
    expect(await page.locator('article.sheet .code').first().textContent()).toBe(started[1]!.code.replace(/(\d{4})(?=\d)/g, '$1 '));
    await expect.poll(() => page.locator('article.sheet img.qr').evaluateAll((imgs) => imgs.every((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth > 0))).toBe(true);
    await screenshot(page, 'users-admin-welcome-sheets');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.locator('article.sheet').first().isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: 'Back to the codes' }).click();

    // eight days on, bob's and carol's codes have expired; a reload comes back to the rollout
    clock.advance(8 * DAY);
    await page.reload();
    await expect.poll(async () => (await rows(page)).map((r) => r.state)).toEqual(['Registered', 'Expired', 'Expired']);
    await page.getByRole('button', { name: 'Issue a new code for Bob Brown' }).click();
    await expect.poll(async () => (await rows(page))[1]!.state).toBe('Pending');
    expect((await rows(page))[1]!.code).not.toBe(started[1]!.code);
    expect((await rows(page))[2]!.state).toBe('Expired');
    await page.close();
  });

  it('fits a phone-sized screen', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await logIn(page, server.config.adminToken);
    await expect.poll(() => page.locator('#devices-status').textContent()).toContain('Connected');
    await expectNoSidewaysScroll(page);
    await page.close();
  });

  it('says so when the admin token is refused', async () => {
    const page = await browser.newPage();
    await logIn(page, `${server.config.adminToken}x`);
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('The admin token was refused');
    await page.close();
  });
});
