/**
 * The Devices admin in Chromium: the phones and a phone's history; an update job created
 * in the page and a phone picking it up (its wave's progress, the phone on the job);
 * staged waves; config jobs; domains and categories; the outbox. A wrong token and a
 * stopped server are said clearly; bad input in a form is answered in the form.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { describeInBrowser, ensureWebBuilt, expectNoSidewaysScroll, launchBrowser, phoneUsesCode, screenshot, shownMac, waitUntilReady } from './support';
import type { SimulatedPhone } from '../../src/adapters/phone/simulated-phone';

const SHA = 'c'.repeat(64);

describeInBrowser('Devices admin in a browser', () => {
  let browser: Browser;
  let server: TestServer;
  let phone: SimulatedPhone;
  let stopped = false;

  beforeAll(async () => {
    await ensureWebBuilt();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer({ demo: true })]);
    await waitUntilReady(server.url);
    // a phone of alice's, provisioned with a code from Profile, up to date with the demo jobs
    const profile = await TestSocket.connect(`${server.wsUrl}/users/v1/profile`);
    const login = await profile.request({ mt: 'Login', token: server.server.demo!.userTokens['alice'] });
    expect(login).toMatchObject({ ok: true });
    const added = await profile.request({ mt: 'AddPhone', category: 'office' });
    profile.close();
    phone = await phoneUsesCode(server.url, String(added['code']));
    expect(phone.state.firmware).toBe('13r1 sr2');
  });
  afterAll(async () => {
    await browser?.close();
    if (!stopped) await server?.close();
  });

  const logIn = async (page: Page, token = server.config.adminToken): Promise<void> => {
    await page.goto(`${server.url}/apps/devices`);
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
  };

  const jobRow = (page: Page, version: string) => page.locator('#update-jobs article', { hasText: version });

  it('shows the phones and a phone with its history', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await logIn(page);
    const mac = shownMac(phone.state.mac);
    await expect.poll(() => page.locator('#devices-table').textContent()).toContain(mac);
    const row = page.locator('#devices-table tbody tr', { hasText: mac });
    expect(await row.textContent()).toContain('13r1 sr2');
    expect(await row.locator('.badge').textContent()).toBe('Active');
    await page.getByLabel('State').selectOption('released');
    await expect.poll(() => page.locator('#device-list').textContent()).toContain('No phone matches');
    await page.getByLabel('State').selectOption('');
    await screenshot(page, 'devices-phones');

    await page.getByRole('link', { name: mac }).click();
    await expect.poll(() => page.locator('#view-title').textContent()).toBe(`Phone ${mac}`);
    expect(await page.evaluate('document.activeElement?.id')).toBe('view-title');
    const history = (await page.locator('#history-table').textContent())!;
    for (const type of ['DeviceProvisioned', 'FirmwareOffered', 'FirmwareApplied', 'ConfigApplied']) expect(history).toContain(type);
    expect(history).not.toContain('credentialHash');
    await screenshot(page, 'devices-history');
    await page.close();
  });

  it('an admin creates an update job and sees the phone pick it up', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await logIn(page);
    await page.getByRole('link', { name: 'Update jobs' }).click();
    await expect.poll(() => page.locator('#update-jobs article').count()).toBe(1); // the demo's

    const create = async (category: string, version: string, waves: string): Promise<void> => {
      await page.getByLabel('Category', { exact: true }).selectOption(category);
      await page.getByLabel('Firmware version').fill(version);
      await page.getByLabel('Bootcode version').fill(version);
      await page.getByLabel('Firmware files').fill(`IP112 https://fw.example.com/${version.replace(/ /g, '')}/ip112.bin ${SHA}\nIP232 https://fw.example.com/${version.replace(/ /g, '')}/ip232.bin ${SHA}`);
      await page.getByLabel('Waves (%)').fill(waves);
      await page.getByRole('button', { name: 'New update job' }).click();
      await expect.poll(() => jobRow(page, version).count()).toBe(1);
    };
    // a staged job for every category (the office job below beats it for office phones)
    await create('*', '13r2 sr1', '1, 10, 100');
    expect(await jobRow(page, '13r2 sr1').locator('.wave').allTextContents()).toEqual([
      expect.stringContaining('Wave 1 (1 %), open: 0 offered'),
      expect.stringContaining('Wave 2 (10 %): 0 offered'),
      expect.stringContaining('Wave 3 (100 %): 0 offered'),
    ]);
    await create('office', '13r3 sr1', '');

    // the phone checks in: offered the new firmware, applies it, reports
    const outcome = await phone.checkin();
    expect(outcome.firmwareApplied?.version).toBe('13r3 sr1');
    const job = jobRow(page, '13r3 sr1');
    await expect.poll(() => job.locator('.wave').textContent(), { timeout: 15_000 }).toContain('1 offered · 1 applied · 0 failed');
    await job.getByText('Phones').click();
    await expect.poll(() => job.locator('details').textContent()).toContain(shownMac(phone.state.mac));
    expect(await job.locator('details .badge').textContent()).toBe('Applied');
    await screenshot(page, 'devices-update-jobs');

    // the list of phones shows the new version
    await page.getByRole('link', { name: 'Phones' }).click();
    await expect.poll(() => page.locator('#devices-table tbody tr', { hasText: shownMac(phone.state.mac) }).textContent()).toContain('13r3 sr1');
    await page.close();
  });

  it('config jobs: bad input is answered in the form; a job is created and cancelled', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await logIn(page);
    await page.getByRole('link', { name: 'Config jobs' }).click();
    await expect.poll(() => page.locator('#config-jobs-table tbody tr').count()).toBe(2); // the demo's sip and time
    const submit = page.getByRole('button', { name: 'New config job' });
    const formError = page.locator('details form [role=alert]');

    await page.getByLabel('Config type').fill('ldap');
    await page.getByLabel('Parameters (JSON)').fill('{"server": ');
    await submit.click();
    await expect.poll(() => formError.textContent()).toContain('the parameters are not JSON');
    await page.getByLabel('Parameters (JSON)').fill('["a list"]');
    await submit.click();
    await expect.poll(() => formError.textContent()).toContain('a JSON object');
    await page.getByLabel('Config type').fill('no such type!');
    await page.getByLabel('Parameters (JSON)').fill('{"server": "ldap.example.com"}');
    await submit.click();
    await expect.poll(() => formError.textContent()).toContain('Check the input');
    expect(await page.locator('#config-jobs-table tbody tr').count()).toBe(2);

    await page.getByLabel('Config type').fill('ldap');
    await submit.click();
    await expect.poll(() => page.locator('#config-jobs-table tbody tr').count()).toBe(3);
    expect(await formError.textContent()).toBe('');
    await screenshot(page, 'devices-config-jobs');

    const ldap = page.locator('#config-jobs-table tbody tr', { hasText: 'ldap.example.com' });
    page.once('dialog', (dialog) => void dialog.accept());
    await ldap.getByRole('button', { name: /^Cancel job/ }).click();
    await expect.poll(() => ldap.locator('.badge').textContent()).toBe('Cancelled');
    await page.close();
  });

  it('domains and categories: create, add, open and close for provisioning', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await logIn(page);
    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator('#categories-table').textContent()).toContain('office');

    await page.getByLabel('Domain name').fill('branch.example.com');
    await page.getByLabel('App password').fill('short');
    await page.getByRole('button', { name: 'Create domain' }).click();
    await expect.poll(() => page.locator('form [role=alert]').first().textContent()).toContain('8 to 256 characters');
    await page.getByLabel('App password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create domain' }).click();
    await expect.poll(() => page.locator('#categories-title').textContent()).toBe('Categories of branch.example.com');
    await expect.poll(() => page.locator('#domains-table').textContent(), { timeout: 10_000 }).toContain('branch.example.com');

    await page.getByLabel('Id', { exact: true }).fill('desk');
    await page.getByLabel('Name', { exact: true }).fill('Desk phones');
    await page.getByRole('button', { name: 'Add category' }).click();
    await expect.poll(() => page.locator('#categories-table').textContent()).toContain('Desk phones');
    await page.getByRole('button', { name: 'Close for new phones' }).click();
    await expect.poll(() => page.locator('#categories-table .badge').textContent()).toBe('Closed');
    await screenshot(page, 'devices-domains');

    await page.getByRole('link', { name: 'Outbox' }).click();
    await expect.poll(() => page.locator('#outbox-empty').count()).toBe(1);
    await page.close();
  });

  it('fits a phone-sized screen', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await logIn(page);
    await expect.poll(() => page.locator('#devices-table').count()).toBe(1);
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'devices-phone-size');
    await page.close();
  });

  it('says so when the admin token is refused, and when the server stops', async () => {
    const refused = await browser.newPage();
    await logIn(refused, 'wrong-token');
    await expect.poll(() => refused.locator('#login-error').textContent()).toContain('The admin token was refused');
    await refused.close();

    const page = await browser.newPage();
    await logIn(page);
    await expect.poll(() => page.locator('#devices-table').count()).toBe(1);
    stopped = true;
    await server.close();
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 15_000 }).toContain('The server cannot be reached');
    await page.close();
  });
});
