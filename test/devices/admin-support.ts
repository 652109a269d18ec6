/**
 * Admin calls over real HTTP against a real server, as the global admin or a domain
 * admin, with fixtures a table of routes needs: jobs, claimed and waiting phones, admins.
 */
import { expect } from 'vitest';
import type { TestServer } from '../support/server';
import { FIRMWARE } from './support';

export interface Answer {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
}

export class AdminClient {
  private macs = 0;
  constructor(
    readonly server: TestServer,
    /** distinguishes the MACs of several clients on one server */
    private readonly macBase = 0x10,
  ) {}

  get global(): string {
    return this.server.config.adminToken;
  }

  async call(token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> {
    // a path of the Devices admin API, or a full one (`/devices/v1/phone/…`, `/redirector/v1/…`)
    const full = /^\/(devices\/v1|redirector\/v1|users\/v1)\//.test(path) ? path : `/devices/v1/admin${path}`;
    const res = await fetch(`${this.server.url}${full}`, {
      method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  }

  /** a call as the global admin that must answer `status` */
  async ok(method: string, path: string, body?: unknown, status = method === 'POST' ? 201 : 200): Promise<any> {
    const answer = await this.call(this.global, method, path, body);
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
    return answer.body;
  }

  async domain(name: string): Promise<void> {
    await this.ok('POST', '/domains', { name, appPassword: `${name} app password` });
    await this.ok('POST', `/domains/${name}/categories`, { id: 'office', name: 'Office', provisioning: true });
  }

  async admin(domain: string, name = 'Customer IT'): Promise<{ id: string; name: string; token: string }> {
    return this.ok('POST', `/domains/${domain}/admins`, { name });
  }

  async updateJob(domain: string): Promise<string> {
    return (await this.ok('POST', '/update-jobs', { domain, category: 'office', firmware: FIRMWARE })).jobId;
  }

  async configJob(domain: string): Promise<string> {
    return (await this.ok('POST', '/config-jobs', { domain, category: 'office', type: 'sip', params: { registrar: `sip.${domain}` } })).jobId;
  }

  nextMac(): string {
    this.macs += 1;
    return `009033${this.macBase.toString(16).padStart(2, '0')}${this.macs.toString(16).padStart(4, '0')}`;
  }

  /** a MAC claimed for the domain's `office` */
  async claimed(domain: string): Promise<string> {
    const mac = this.nextMac();
    await this.ok('POST', '/claims', { macs: [mac], domain, category: 'office' });
    return mac;
  }

  /** a claimed phone that asked to be provisioned without a code: it awaits approval */
  async awaiting(domain: string): Promise<string> {
    const mac = await this.claimed(domain);
    const provisioned = await this.call(undefined, 'POST', '/devices/v1/phone/provision', { mac, model: 'IP112', firmware: '13r1 sr1', bootcode: '13r1 boot', localIp: '192.0.2.10' });
    expect(provisioned.status, JSON.stringify(provisioned.body)).toBe(200);
    return mac;
  }
}
