/**
 * `devices.codes`: the code index, Devices' codes by keyed hash (collection `codes`:
 * domain, category, expiry, used or not — no MAC) and by expiry (collection `due`, key
 * `<expiresAt>/<codeHash>`, in time order), so the purge finds the codes whose stream it
 * must delete. A code leaves the index with its audit record, after its stream is gone.
 */
import { DeviceCode, DeviceCodeAudit, type Timestamp } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx } from './doc-tx';

export const CODES = 'devices.codes';
export const CODE_DOCS = 'codes';
export const DUE = 'due';

export interface CodeDoc {
  readonly codeHash: string;
  readonly domain: string;
  readonly category: string;
  readonly expiresAt: Timestamp;
  readonly used: boolean;
}

export const dueKey = (expiresAt: string, codeHash: string): string => `${expiresAt}/${codeHash}`;

export const codesProjection: Projection = {
  name: CODES,
  version: 1,
  eventTypes: [...DeviceCode.Event.types, ...DeviceCodeAudit.Event.types],
  async apply(event, view) {
    const tx = new DocTx(view);
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
