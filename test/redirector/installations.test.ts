/**
 * Registering installations in-process, as another part's composition does: one URL, one
 * installation, also when registrations race or one stopped half-way; keys that name their
 * installation and are kept only as keyed hashes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateInstallation } from '../../src/application/redirector/authenticate-installation';
import { installationForDevicesUrl, registerInstallation, rotateApiKey } from '../../src/application/redirector/register-installation';
import { apiKeyHashOf } from '../../src/application/redirector/secrets';
import { DevicesUrlReservation, type DevicesUrl, type Id } from '../../src/domain';
import { bearer, head, post, startRedirector, type Redirector } from './support';

let r: Redirector;
beforeAll(async () => {
  r = await startRedirector();
});
afterAll(() => r.close());

const deps = () => r.test.server.context;

describe('registerInstallation (in-process)', () => {
  it('registers, answers a key that works over HTTP at once, and finds the installation by its URL', async () => {
    const { installationId, apiKey } = await registerInstallation(deps(), { name: 'All-in-one', devicesUrl: 'http://127.0.0.1:8080/' });
    expect(await installationForDevicesUrl(deps(), 'http://127.0.0.1:8080')).toBe(installationId);
    expect(await installationForDevicesUrl(deps(), 'http://127.0.0.1:9090')).toBeUndefined();
    expect((await post(r.app, '/codes', { devicesUrl: 'http://127.0.0.1:8080' }, bearer(apiKey))).statusCode).toBe(201);
  });

  it('refuses bad input with validation-failed, writing nothing', async () => {
    const before = await head(r);
    await expect(registerInstallation(deps(), { name: '', devicesUrl: 'https://a.example.com' })).rejects.toMatchObject({ code: 'validation-failed' });
    await expect(registerInstallation(deps(), { name: 'A', devicesUrl: 'mailto:a@example.com' })).rejects.toMatchObject({ code: 'validation-failed' });
    expect(await head(r)).toBe(before);
  });

  it('of registrations racing for one URL exactly one succeeds; the others are conflict', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => registerInstallation(deps(), { name: `Racer ${i}`, devicesUrl: 'https://race.example.com' })));
    const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(won).toHaveLength(1);
    for (const lost of results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))) expect(lost).toMatchObject({ name: 'Refusal', code: 'conflict' });
    const winner = won[0]!;
    expect(await installationForDevicesUrl(deps(), 'https://race.example.com')).toBe(winner.installationId);
    expect(await authenticateInstallation(deps(), winner.apiKey)).toEqual({ installationId: winner.installationId, devicesUrl: 'https://race.example.com' });
  });

  it('finishes a registration that stopped after reserving the URL', async () => {
    const devicesUrl = 'https://half.example.com' as DevicesUrl;
    await r.test.server.storage.events.appendToStream(DevicesUrlReservation.streamName(devicesUrl), [
      { id: 'half-1', type: 'DevicesUrlReserved', data: { devicesUrl, installationId: 'half-done', at: '2026-03-01T08:00:00.000Z' } },
    ]);
    const { installationId, apiKey } = await registerInstallation(deps(), { name: 'Second try', devicesUrl });
    expect(installationId).toBe('half-done');
    expect(apiKey.startsWith('half-done.')).toBe(true);
    expect(await authenticateInstallation(deps(), apiKey)).toEqual({ installationId: 'half-done', devicesUrl });
    await expect(registerInstallation(deps(), { name: 'Third', devicesUrl })).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('API keys', () => {
  it('are stored as keyed hashes, name their installation, and a rotated key stops working at once', async () => {
    const { installationId, apiKey } = await registerInstallation(deps(), { name: 'Keys', devicesUrl: 'https://keys.example.com' });
    const stream = await r.test.server.storage.events.readStream(`installation-${installationId}`);
    expect(stream.events[0]!.data['apiKeyHash']).toBe(apiKeyHashOf(deps().secrets, apiKey));
    expect(JSON.stringify(stream.events)).not.toContain(apiKey);
    const { apiKey: rotated } = await rotateApiKey(deps(), installationId as Id);
    expect(await authenticateInstallation(deps(), apiKey)).toBeUndefined();
    expect(await authenticateInstallation(deps(), rotated)).toMatchObject({ installationId });
    await expect(rotateApiKey(deps(), 'nobody' as Id)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('a key of the right shape for another installation, or with a changed character, is refused', async () => {
    const a = await registerInstallation(deps(), { name: 'A', devicesUrl: 'https://a.example.com' });
    const b = await registerInstallation(deps(), { name: 'B', devicesUrl: 'https://b.example.com' });
    const swapped = `${b.installationId}.${a.apiKey.split('.')[1]}`;
    const flipped = a.apiKey.slice(0, -1) + (a.apiKey.endsWith('A') ? 'B' : 'A');
    for (const key of [swapped, flipped, a.installationId, `${a.apiKey}x`, '']) expect(await authenticateInstallation(deps(), key)).toBeUndefined();
  });
});
