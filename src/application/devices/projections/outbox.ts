/**
 * `devices.outbox`: the `PhoneProvisioned` notices Users has not acknowledged yet, per
 * domain, in the order of the log (collection `pending`, key `<domain>/<pos>`: the push
 * as sent), and every notice ever raised (collection `notices`, key: notice id), so an
 * acknowledgement finds its phone and a second one is known to be harmless. How many wait
 * is counted as they come and go (collection `size`, key `all`), so the metric reads one
 * document rather than counting a large outbox.
 *
 * Notices are raised by `DeviceProvisioned` and `DeviceApproved` and end with
 * `PhoneProvisionedAcknowledged`, all events of the device: the outbox is rebuilt from
 * the log like any read model and survives restarts.
 *
 * `DeviceCodesPurged` takes the digits out of the pushes still waiting (collection
 * `byCode`, key: code hash, points to the notice): a notice delivered after its code expired
 * says `code: null`, as a rebuild reading the purged `DeviceProvisioned` would.
 */
import { Device, type Timestamp } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx, positionKey } from './doc-tx';

export const OUTBOX = 'devices.outbox';
export const PENDING = 'pending';
export const NOTICES = 'notices';
export const SIZE = 'size';
export const ALL = 'all';
export const BY_CODE = 'byCode';

/** exactly the push of SPEC §5.2 */
export interface Push {
  readonly mt: 'PhoneProvisioned';
  readonly id: string;
  readonly mac: string;
  readonly code: string | null;
  readonly model: string;
  readonly at: Timestamp;
}

export interface PendingDoc {
  readonly domain: string;
  readonly push: Push;
}

export interface NoticeDoc {
  readonly noticeId: string;
  readonly mac: string;
  readonly domain: string;
  /** its key in `pending` while unacknowledged */
  readonly pendingKey: string;
  readonly acknowledged: boolean;
}

export const pendingPrefix = (domain: string): string => `${domain}/`;

export interface SizeDoc {
  readonly pending: number;
}

const count = async (tx: DocTx, by: number): Promise<void> => {
  const size = await tx.get<SizeDoc>(SIZE, ALL);
  tx.put(SIZE, ALL, { pending: (size?.pending ?? 0) + by });
};

export const outboxProjection: Projection = {
  name: OUTBOX,
  version: 3,
  eventTypes: ['DeviceProvisioned', 'DeviceApproved', 'PhoneProvisionedAcknowledged', 'DeviceCodesPurged'],
  async apply(event, view) {
    const ev = decodeEvent(Device.Event, event);
    if (!ev) return [];
    const tx = new DocTx(view);
    if (ev.type === 'DeviceProvisioned' || ev.type === 'DeviceApproved') {
      const { noticeId, mac, domain, model, at } = ev.data;
      const pendingKey = `${pendingPrefix(domain)}${positionKey(event.globalPosition)}`;
      const push: Push = { mt: 'PhoneProvisioned', id: noticeId, mac, code: ev.type === 'DeviceProvisioned' ? ev.data.code : null, model, at };
      tx.put(PENDING, pendingKey, { domain, push });
      tx.put(NOTICES, noticeId, { noticeId, mac, domain, pendingKey, acknowledged: false });
      if (ev.type === 'DeviceProvisioned') tx.put(BY_CODE, ev.data.codeHash, { noticeId });
      await count(tx, 1);
    } else if (ev.type === 'PhoneProvisionedAcknowledged') {
      const notice = await tx.get<NoticeDoc>(NOTICES, ev.data.noticeId);
      if (!notice || notice.acknowledged) return [];
      tx.remove(PENDING, notice.pendingKey);
      tx.put(NOTICES, notice.noticeId, { ...notice, acknowledged: true });
      await count(tx, -1);
    } else if (ev.type === 'DeviceCodesPurged') {
      for (const codeHash of ev.data.codeHashes) {
        const byCode = await tx.get<{ noticeId: string }>(BY_CODE, codeHash);
        if (!byCode) continue;
        tx.remove(BY_CODE, codeHash);
        const notice = await tx.get<NoticeDoc>(NOTICES, byCode.noticeId);
        const pending = notice && !notice.acknowledged ? await tx.get<PendingDoc>(PENDING, notice.pendingKey) : undefined;
        if (pending && pending.push.code !== null) tx.put(PENDING, notice!.pendingKey, { ...pending, push: { ...pending.push, code: null } });
      }
    }
    return tx.changes();
  },
};
