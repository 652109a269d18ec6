/** `zerotouch admin` nouns of the Devices admin API: domains, categories, admins, claims, devices, outbox. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../usage-error';
import { arg, optionalString, page, required, showPage, type Noun, type VerbContext } from './noun';
import { done, show } from './output';

const enc = encodeURIComponent;

export const domains: Noun = {
  name: 'domains',
  summary: 'the domains of Devices (a domain admin sees only its own)',
  verbs: {
    list: { usage: '', summary: 'every domain, by name', paged: true, run: async (c) => showPage(c, await c.api.devices('GET', '/domains', { query: page(c) })) },
    create: {
      usage: '<name>',
      summary: 'create a domain with the app password its Users logs in with (global admin only)',
      options: { 'app-password': { type: 'string' } },
      run: async (c) => {
        const name = arg(c, 0, 'the domain name');
        show(c.out, (await c.api.devices('POST', '/domains', { body: { name, appPassword: required(c, 'app-password') } })).body);
      },
    },
  },
};

const setProvisioning = (provisioning: boolean) => async (c: VerbContext) => {
  const domain = arg(c, 0, 'the domain');
  const id = arg(c, 1, 'the category id');
  await c.api.devices('PATCH', `/domains/${enc(domain)}/categories/${enc(id)}`, { body: { provisioning } });
  done(c.out, `${domain}/${id}: provisioning ${provisioning ? 'enabled' : 'disabled'}`, { domain, id, provisioning });
};

export const categories: Noun = {
  name: 'categories',
  summary: 'the categories of a domain',
  verbs: {
    list: { usage: '<domain>', summary: 'the categories, in the order they were added', run: async (c) => show(c.out, (await c.api.devices('GET', `/domains/${enc(arg(c, 0, 'the domain'))}/categories`)).body) },
    create: {
      usage: '<domain> <id>',
      summary: 'add a category, enabled for provisioning unless --disabled',
      options: { name: { type: 'string' }, disabled: { type: 'boolean' } },
      run: async (c) => {
        const domain = arg(c, 0, 'the domain');
        const id = arg(c, 1, 'the category id');
        const body = { id, name: optionalString(c, 'name') ?? id, provisioning: c.values['disabled'] !== true };
        show(c.out, (await c.api.devices('POST', `/domains/${enc(domain)}/categories`, { body })).body);
      },
    },
    enable: { usage: '<domain> <id>', summary: 'enable a category for provisioning', run: setProvisioning(true) },
    disable: { usage: '<domain> <id>', summary: 'disable a category for provisioning', run: setProvisioning(false) },
  },
};

export const admins: Noun = {
  name: 'admins',
  summary: 'the administrators of one domain (global admin only)',
  verbs: {
    list: {
      usage: '<domain>',
      summary: 'the active administrators of the domain (never a token)',
      paged: true,
      run: async (c) => showPage(c, await c.api.devices('GET', `/domains/${enc(arg(c, 0, 'the domain'))}/admins`, { query: page(c) })),
    },
    create: {
      usage: '<domain>',
      summary: 'make an administrator of the domain; its token is printed this once',
      options: { name: { type: 'string' } },
      run: async (c) => show(c.out, (await c.api.devices('POST', `/domains/${enc(arg(c, 0, 'the domain'))}/admins`, { body: { name: required(c, 'name') } })).body),
    },
    revoke: {
      usage: '<domain> <id>',
      summary: 'revoke an administrator: its token stops working at once',
      run: async (c) => {
        const domain = arg(c, 0, 'the domain');
        const id = arg(c, 1, 'the admin id');
        await c.api.devices('DELETE', `/domains/${enc(domain)}/admins/${enc(id)}`);
        done(c.out, `revoked ${id}`, { id });
      },
    },
  },
};

/** MACs from the arguments, or one a line from --file */
const macsOf = (args: readonly string[], file: string | undefined): string[] => {
  const fromFile = file === undefined ? [] : readFileSync(file, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const macs = [...args, ...fromFile];
  if (macs.length === 0) throw new UsageError('give the MACs to claim, or --file with one a line');
  return macs;
};

export const claims: Noun = {
  name: 'claims',
  summary: 'pre-claim phones by MAC for a domain and category (SPEC §5.4)',
  verbs: {
    create: {
      usage: '<mac>…',
      summary: 'claim these MACs (or those of --file, one a line); forwarded to the Redirector',
      options: { domain: { type: 'string' }, category: { type: 'string' }, file: { type: 'string' } },
      run: async (c) => {
        const body = { macs: macsOf(c.args, optionalString(c, 'file')), domain: required(c, 'domain'), category: required(c, 'category') };
        show(c.out, (await c.api.devices('POST', '/claims', { body })).body);
      },
    },
  },
};

const DEVICE_COLUMNS = ['mac', 'domain', 'category', 'model', 'firmware', 'state', 'since', 'lastSeen'];

export const devices: Noun = {
  name: 'devices',
  summary: 'the phones',
  verbs: {
    list: {
      usage: '',
      summary: 'phones, newest first; --mac searches part of the MAC, --model and --firmware match exactly',
      options: { domain: { type: 'string' }, category: { type: 'string' }, state: { type: 'string' }, mac: { type: 'string' }, model: { type: 'string' }, firmware: { type: 'string' } },
      paged: true,
      run: async (c) => {
        const names = ['domain', 'category', 'state', 'mac', 'model', 'firmware'];
        const query = { ...Object.fromEntries(names.map((n) => [n, optionalString(c, n)])), ...page(c) };
        showPage(c, await c.api.devices('GET', '/devices', { query }), DEVICE_COLUMNS);
      },
    },
    show: {
      usage: '<mac>',
      summary: 'one phone with its jobs, configs and whole history',
      run: async (c) => {
        const phone = (await c.api.devices('GET', `/devices/${enc(arg(c, 0, 'the MAC'))}`)).body as Record<string, unknown>;
        if (c.out.json) return show(c.out, phone);
        const { history, firmwareJobs, configs, notices, ...rest } = phone;
        show(c.out, rest);
        c.out.write('\nfirmware jobs\n');
        show(c.out, firmwareJobs ?? []);
        c.out.write('\nconfigs\n');
        show(c.out, configs ?? []);
        c.out.write('\nhistory\n');
        show(c.out, (history as Array<Record<string, unknown>> | undefined) ?? [], ['version', 'at', 'type']);
      },
    },
    release: {
      usage: '<mac>',
      summary: 'release a phone: any domain may provision it again',
      run: async (c) => {
        const mac = arg(c, 0, 'the MAC');
        await c.api.devices('POST', `/devices/${enc(mac)}/release`);
        done(c.out, `released ${mac}`, { mac });
      },
    },
    approve: {
      usage: '<mac>',
      summary: 'approve a pre-claimed phone waiting to be provisioned',
      run: async (c) => {
        const mac = arg(c, 0, 'the MAC');
        await c.api.devices('POST', `/devices/${enc(mac)}/approve`);
        done(c.out, `approved ${mac}`, { mac });
      },
    },
  },
};

export const outbox: Noun = {
  name: 'outbox',
  summary: 'PhoneProvisioned notices no Users acknowledged yet',
  verbs: {
    list: {
      usage: '',
      summary: 'in the order they are sent',
      options: { domain: { type: 'string' } },
      paged: true,
      run: async (c) => showPage(c, await c.api.devices('GET', '/outbox', { query: { domain: optionalString(c, 'domain'), ...page(c) } })),
    },
  },
};
