/**
 * `redirector-code-expiry`: which codes are due for their purge, and when. It holds no
 * personal data (no MAC, IP, model, versions or time of first connect): only what the
 * audit record keeps, so a purge that stopped after deleting a code's stream can still
 * write the record.
 *
 * - `codes`, key `<codeHash>`: the code's issue, whether it was redeemed, and how it ended;
 * - `due`, key `<due time> <codeHash>`: one row per code, ordered by the time its purge is
 *   due: its expiry while it is active, the moment it ended once revoked or expired.
 * Both rows go when the audit record is archived (the stream is deleted just before).
 */
import * as E from 'fp-ts/Either';
import { CodeAudit, ProvisioningCode, type Digest, type Timestamp } from '../../../domain';
import { CorruptEventError } from '../../command-handler';
import type { JsonObject, RecordedEvent } from '../../ports/event-store';
import type { DocChange } from '../../ports/read-model-store';
import { put, remove, type Projection, type ReadModelView } from '../../projections/projection';

export const CODE_EXPIRY = 'redirector-code-expiry';
export const CODES = 'codes';
export const DUE = 'due';

export type CodeRow = Omit<ProvisioningCode.AuditRecord, 'endedAt' | 'reason'> & {
  readonly endedAt: Timestamp | null;
  readonly reason: ProvisioningCode.AuditRecord['reason'] | null;
  /** the key of the code's row in `due` */
  readonly dueKey: string;
};

export const dueKeyOf = (dueAt: Timestamp, codeHash: Digest): string => `${dueAt} ${codeHash}`;

/** the due time a key of `due` starts with */
export const dueTimeOfKey = (key: string): string => key.slice(0, key.indexOf(' '));

const decode = (event: RecordedEvent): ProvisioningCode.Event | CodeAudit.Event => {
  const decoded = event.type === 'CodeHistoryArchived' ? CodeAudit.Event.decode(event) : ProvisioningCode.Event.decode(event);
  if (E.isLeft(decoded)) throw new CorruptEventError(event, decoded.left);
  return decoded.right;
};

const rowChanges = (row: CodeRow): DocChange[] => [
  put(CODES, row.codeHash, row as unknown as JsonObject),
  put(DUE, row.dueKey, { codeHash: row.codeHash }),
];

const ended = async (view: ReadModelView, codeHash: Digest, at: Timestamp, reason: ProvisioningCode.AuditRecord['reason']): Promise<DocChange[]> => {
  const row = await view.get<JsonObject & CodeRow>(CODES, codeHash);
  if (row === undefined || row.endedAt !== null) return [];
  const dueKey = dueKeyOf(at, codeHash);
  return [remove(DUE, row.dueKey), ...rowChanges({ ...row, endedAt: at, reason, dueKey })];
};

export const codeExpiryProjection: Projection = {
  name: CODE_EXPIRY,
  version: 1,
  eventTypes: ['CodeIssued', 'CodeRedeemed', 'CodeRevoked', 'CodeExpired', 'CodeHistoryArchived'],
  async apply(recorded, view) {
    const event = decode(recorded);
    switch (event.type) {
      case 'CodeIssued': {
        const { codeHash, installationId, devicesUrl, issuedAt, expiresAt } = event.data;
        const stale = await view.get<JsonObject & CodeRow>(CODES, codeHash);
        return [
          ...(stale === undefined ? [] : [remove(DUE, stale.dueKey)]),
          ...rowChanges({ codeHash, installationId, devicesUrl, issuedAt, expiresAt, redeemed: false, endedAt: null, reason: null, dueKey: dueKeyOf(expiresAt, codeHash) }),
        ];
      }
      case 'CodeRedeemed': {
        const row = await view.get<JsonObject & CodeRow>(CODES, event.data.codeHash);
        return row === undefined || row.redeemed ? [] : [put(CODES, row.codeHash, { ...row, redeemed: true })];
      }
      case 'CodeRevoked':
        return ended(view, event.data.codeHash, event.data.at, 'revoked');
      case 'CodeExpired':
        return ended(view, event.data.codeHash, event.data.at, 'expired');
      case 'CodeHistoryArchived': {
        const row = await view.get<JsonObject & CodeRow>(CODES, event.data.codeHash);
        // a later code that drew the same digits keeps its own row
        return row === undefined || row.issuedAt !== event.data.issuedAt ? [] : [remove(CODES, row.codeHash), remove(DUE, row.dueKey)];
      }
    }
  },
};
