/**
 * `devices.codes`: the code index, Devices' codes by keyed hash (collection `codes`:
 * domain, category, expiry, used or not — no MAC) and by expiry (collection `due`, key
 * `<expiresAt>/<codeHash>`, in time order), so the purge finds the codes whose stream it
 * must delete. A code leaves the index with its audit record, after its stream is gone.
 *
 * And the phones whose history holds a code's digits (collection `digits`, key
 * `<expiresAt>/<codeHash>/<mac>`, in time order; `digitsOf` by `<codeHash>/<mac>` points to
 * it), from `DeviceProvisioned` until `DeviceCodesPurged`. A code no longer in the index
 * when its phone provisioned (its record was archived before this index existed) is due
 * at once: its key starts with an empty expiry.
 */
import { Device, DeviceCode, DeviceCodeAudit, type Timestamp } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx } from './doc-tx';

export const CODES = 'devices.codes';
export const CODE_DOCS = 'codes';
export const DUE = 'due';
export const DIGITS = 'digits';
export const DIGITS_OF = 'digitsOf';

export interface DigitsDoc {
  readonly codeHash: string;
  readonly mac: string;
}

export interface CodeDoc {
  readonly codeHash: string;
  readonly domain: string;
  readonly category: string;
  readonly expiresAt: Timestamp;
  readonly used: boolean;
}

export const dueKey = (expiresAt: string, codeHash: string): string => `${expiresAt}/${codeHash}`;
const digitsOfKey = (codeHash: string, mac: string): string => `${codeHash}/${mac}`;

export const codesProjection: Projection = {
  name: CODES,
  version: 2,
  eventTypes: [...DeviceCode.Event.types, ...DeviceCodeAudit.Event.types, 'DeviceProvisioned', 'DeviceCodesPurged'],
  async apply(event, view) {
    const tx = new DocTx(view);
    const device = decodeEvent(Device.Event, event);
    if (device?.type === 'DeviceProvisioned') {
      const { codeHash, mac, code: digits } = device.data;
      if (digits === null) return []; // purged already
      const row = await tx.get<CodeDoc>(CODE_DOCS, codeHash);
      const key = `${dueKey(row?.expiresAt ?? '', codeHash)}/${mac}`;
      tx.put(DIGITS, key, { codeHash, mac });
      tx.put(DIGITS_OF, digitsOfKey(codeHash, mac), { key });
      return tx.changes();
    }
    if (device?.type === 'DeviceCodesPurged') {
      for (const codeHash of device.data.codeHashes) {
        const of = await tx.get<{ key: string }>(DIGITS_OF, digitsOfKey(codeHash, device.data.mac));
        if (!of) continue;
        tx.remove(DIGITS, of.key);
        tx.remove(DIGITS_OF, digitsOfKey(codeHash, device.data.mac));
      }
      return tx.changes();
    }
    const code = decodeEvent(DeviceCode.Event, event);
    if (code?.type === 'DeviceCodeAssigned') {
      const { codeHash, domain, category, expiresAt } = code.data;
      tx.put(CODE_DOCS, codeHash, { codeHash, domain, category, expiresAt, used: false });
      tx.put(DUE, dueKey(expiresAt, codeHash), { codeHash });
    } else if (code?.type === 'DeviceCodeUsed') {
      const doc = await tx.get<CodeDoc>(CODE_DOCS, code.data.codeHash);
      if (doc) tx.put(CODE_DOCS, doc.codeHash, { ...doc, used: true });
    } else {
      const archived = decodeEvent(DeviceCodeAudit.Event, event);
      if (!archived) return [];
      const { codeHash, expiresAt } = archived.data;
      tx.remove(DUE, dueKey(expiresAt, codeHash));
      const doc = await tx.get<CodeDoc>(CODE_DOCS, codeHash);
      if (doc?.expiresAt === expiresAt) tx.remove(CODE_DOCS, codeHash);
    }
    return tx.changes();
  },
};
