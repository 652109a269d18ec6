/**
 * `zerotouch admin` (SPEC §8) against a real all-in-one server over HTTP: tables with
 * aligned columns and local times, `--json` as one document, exit status 0 / 1 (the
 * problem's detail) / 2 (usage), `--help` per noun; a domain admin's token sees only its
 * domain. One run goes through the real `bin/zerotouch.mjs` for the exit statuses.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCommand, NOUNS } from '../../src/adapters/cli/admin';
import { localTime } from '../../src/adapters/cli/admin/output';
import { startTestServer, type TestServer } from '../support/server';
import { tempDir } from '../support/temp-dir';
import { AdminClient } from './admin-support';
import { FIRMWARE } from './support';

let server: TestServer;
let client: AdminClient;
const dir = tempDir('zt-admin-cli-');

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const run = async (argv: readonly string[], token = server.config.adminToken, extraEnv: Record<string, string> = {}): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  const status = await adminCommand(argv, {
    env: { ZT_PUBLIC_URL: server.url, ZT_ADMIN_TOKEN: token, ...extraEnv },
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { status, stdout, stderr };
};

const json = async (argv: readonly string[], token?: string): Promise<any> => {
  const r = await run([...argv, '--json'], token);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

beforeAll(async () => {
  server = await startTestServer({ demo: true });
  client = new AdminClient(server, 0x20);
}, 60_000);

afterAll(async () => {
  await server?.close();
  dir.remove();
});

describe('zerotouch admin', () => {
  it('creates and lists domains and categories; a table has aligned columns', async () => {
    expect((await run(['domains', 'create', 'cli.example', '--app-password', 'a long app password'])).status).toBe(0);
    const created = await run(['categories', 'create', 'cli.example', 'desk', '--name', 'Desk phones']);
    expect(created.status, created.stderr).toBe(0);
    expect((await run(['categories', 'disable', 'cli.example', 'desk'])).status).toBe(0);
    expect(await json(['categories', 'list', 'cli.example'])).toEqual([{ id: 'desk', name: 'Desk phones', provisioning: false }]);

    const table = await run(['domains', 'list']);
    expect(table.status).toBe(0);
    const [header, ...lines] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^name\s+createdAt$/);
    expect(lines.map((l) => l.split(/\s{2,}/)[0])).toEqual(expect.arrayContaining(['cli.example', 'example.com']));
    // the second column starts at the same place on every line
    const at = header!.indexOf('createdAt');
    for (const line of lines) expect(line.slice(at)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/);
  });

  it('shows times in the local time zone', async () => {
    const previous = process.env['TZ'];
    process.env['TZ'] = 'Asia/Kolkata';
    try {
      expect(localTime('2026-03-01T09:00:00.000Z')).toBe('2026-03-01 14:30:00 +05:30');
    } finally {
      if (previous === undefined) delete process.env['TZ'];
      else process.env['TZ'] = previous;
    }
  });

  it('update and config jobs: create, list, cancel', async () => {
    const file = join(dir.path, 'firmware.json');
    writeFileSync(file, JSON.stringify({ ...FIRMWARE, version: '13r3 sr9' }));
    const { jobId } = await json(['update-jobs', 'create', '--domain', 'example.com', '--category', 'office', '--firmware', `@${file}`, '--waves', '10,100']);
    const listed = await run(['update-jobs', 'list', '--domain', 'example.com', '--limit', '1']);
    expect(listed.stdout).toContain(jobId);
    expect(listed.stdout).toContain('13r3 sr9');
    expect(listed.stdout).toMatch(/\*10%:0\/0 100%:0\/0/);
    expect(listed.stderr).toMatch(/^more: --cursor \S+\n$/);
    expect((await run(['update-jobs', 'cancel', jobId])).stdout).toBe(`cancelled ${jobId}\n`);
    expect((await json(['update-jobs', 'list', '--domain', 'example.com'])).find((j: any) => j.jobId === jobId).status).toBe('cancelled');

    const config = await json(['config-jobs', 'create', '--domain', 'example.com', '--type', 'ldap', '--params', '{"server":"ldap.example.com"}']);
    expect((await json(['config-jobs', 'list', '--domain', 'example.com']))[0]).toMatchObject({ jobId: config.jobId, type: 'ldap', category: '*' });
  });

  it('claims, devices show, approve, release', async () => {
    const mac = client.nextMac();
    expect(await json(['claims', 'create', mac, '--domain', 'example.com', '--category', 'office'])).toMatchObject({ claimed: 1 });
    const phone = await client.call(undefined, 'POST', '/devices/v1/phone/provision', { mac, model: 'IP112', firmware: '13r1 sr1', bootcode: '13r1 boot', localIp: '192.0.2.10' });
    expect(phone.status).toBe(200);
    expect((await run(['devices', 'approve', mac])).status).toBe(0);
    const shown = await run(['devices', 'show', mac]);
    expect(shown.stdout).toMatch(/^mac\s+009033/m);
    expect(shown.stdout).toMatch(/^state\s+active$/m);
    expect(shown.stdout).toContain('DeviceApproved');
    expect((await json(['devices', 'list', '--domain', 'example.com', '--state', 'active'])).map((d: any) => d.mac)).toContain(mac);
    expect((await run(['devices', 'release', mac])).stdout).toBe(`released ${mac}\n`);
  });

  it('domain admins: made with a token shown once, which then sees only its domain, until revoked', async () => {
    const made = await json(['admins', 'create', 'example.com', '--name', 'Example IT']);
    expect(made.token).toMatch(/^\S+\.[A-Za-z0-9_-]{43}$/);
    const listed = await run(['admins', 'list', 'example.com']);
    expect(listed.stdout).toContain('Example IT');
    expect(listed.stdout).not.toContain(made.token);

    expect((await json(['domains', 'list'], made.token)).map((d: any) => d.name)).toEqual(['example.com']);
    const foreign = await run(['categories', 'list', 'cli.example'], made.token);
    expect(foreign).toMatchObject({ status: 1, stdout: '' });
    expect(foreign.stderr).toMatch(/refused \(404 not-found\): no such domain/);
    const forbidden = await run(['domains', 'create', 'mine.example', '--app-password', 'a long app password'], made.token);
    expect(forbidden.status).toBe(1);
    expect(forbidden.stderr).toMatch(/403 forbidden/);

    expect((await run(['admins', 'revoke', 'example.com', made.id])).status).toBe(0);
    const after = await run(['domains', 'list'], made.token);
    expect(after.status).toBe(1);
    expect(after.stderr).toMatch(/401 unauthorized/);
  });

  it('users and rollouts speak the Users admin API', async () => {
    expect((await run(['users', 'create', 'dave', '--name', 'Dave Example', '--email', 'dave@example.com'])).status).toBe(0);
    const file = join(dir.path, 'users.csv');
    writeFileSync(file, 'id,name,email\nerin,Erin Example,erin@example.com\n');
    expect(await json(['users', 'import', file])).toMatchObject({ created: 1 });
    const list = await json(['users', 'list']);
    expect(list.map((u: any) => u.id)).toEqual(expect.arrayContaining(['alice', 'dave', 'erin']));
    expect(await json(['users', 'token', 'dave'])).toMatchObject({ token: expect.any(String) });
    const missing = await run(['rollouts', 'show', 'no-such-rollout']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/404/);
  });

  it('usage errors are exit status 2 with the help of the noun; --help lists every verb', async () => {
    expect((await run(['gadgets', 'list'])).status).toBe(2);
    const noVerb = await run(['devices', 'explode']);
    expect(noVerb.status).toBe(2);
    expect(noVerb.stderr).toMatch(/devices has no verb explode/);
    expect((await run(['admins', 'create'])).status).toBe(2);
    expect((await run(['domains', 'list', '--bogus'])).status).toBe(2);
    expect((await run(['domains', 'list'], '')).status).toBe(2);
    for (const noun of NOUNS) {
      const help = await run([noun.name, '--help']);
      expect(help.status).toBe(0);
      for (const verb of Object.keys(noun.verbs)) expect(help.stdout).toContain(`zerotouch admin ${noun.name} ${verb}`);
    }
  });

  it('a server that cannot be reached is a refusal, exit status 1', async () => {
    const r = await run(['domains', 'list', '--url', 'http://127.0.0.1:9']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot reach/);
  });

  it('the real command exits 0, 1 and 2', async () => {
    const env = { ...process.env, ZT_PUBLIC_URL: server.url, ZT_ADMIN_TOKEN: server.config.adminToken };
    // asynchronously: the server answers from this very process
    const cli = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/zerotouch.mjs', 'admin', ...args], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.stderr.on('data', (d) => (stderr += String(d)));
        child.once('error', reject);
        child.once('close', (status) => resolve({ status, stdout, stderr }));
      });
    const [ok, refused, usage] = await Promise.all([cli('domains', 'list', '--json'), cli('devices', 'show', '009033fffffe'), cli('devices')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).map((d: { name: string }) => d.name)).toContain('example.com');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('no phone 009033fffffe');
    expect(usage.status).toBe(2);
  }, 120_000);
});
