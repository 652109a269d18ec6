/**
 * Purging expired codes (docs/events.md, "Personal data and its deletion"): the stream
 * `deviceCode-<codeHash>` holds the MAC the code bound and is deleted once the code has
 * expired; an audit record without personal data remains (`deviceCodeAudit-<codeHash>`).
 *
 * The code index lists codes by expiry. For each code due: delete its stream, then archive
 * the audit record, which takes the code out of the index. A purge stopped in between is
 * finished by the next one: the code is still listed, and its row (which holds no MAC)
 * supplies the record.
 */
import * as E from 'fp-ts/Either';
import { DeviceCode, DeviceCodeAudit, isAtOrAfter, type CategoryId, type Digest, type DomainName, type Timestamp } from '../../domain';
import type { JsonObject } from '../ports/event-store';
import { handle, load } from '../command-handler';
import { deviceCodeAggregate, deviceCodeAuditAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { CODE_DOCS, CODES, DUE, type CodeDoc } from './projections/codes';

const PAGE = 200;

type Deps = Pick<DevicesDeps, 'events' | 'readModels' | 'clock' | 'random' | 'projections'>;

/** Purge one code whose expiry has passed; answers the log position of its audit record when this call wrote it. */
const purgeCode = async (deps: Deps, row: CodeDoc, now: Timestamp): Promise<number | undefined> => {
  const codeHash = row.codeHash as Digest;
  const stream = DeviceCode.streamName(codeHash);
  const state = (await load(deps.events, stream, deviceCodeAggregate)).state;
  let used = row.used;
  if (state.status === 'assigned' && state.expiresAt === row.expiresAt) {
    if (!DeviceCode.isPurgeable(state, now)) return undefined;
    used = state.usedBy !== null;
    await deps.events.deleteStream(stream);
  }
  const record = { codeHash, domain: row.domain as DomainName, category: row.category as CategoryId, expiresAt: row.expiresAt, used };
  const archived = await handle(deps.events, DeviceCodeAudit.streamName(codeHash), deviceCodeAuditAggregate, { type: 'ArchiveDeviceCode', record, now }, {
    random: deps.random,
    metadata: metadataOf('system'),
  });
  return E.isRight(archived) ? archived.right.position : undefined;
};

/** Purge every code that has expired by now; answers how many were archived. */
export const purgeExpiredCodes = async (deps: Deps): Promise<number> => {
  const now = nowOf(deps.clock);
  let purged = 0;
  for (;;) {
    const page = await deps.readModels.list<{ codeHash: string }>(CODES, DUE, { limit: PAGE });
    const expiryOf = (key: string): string => key.slice(0, key.indexOf('/'));
    const due = page.filter((entry) => isAtOrAfter(now, expiryOf(entry.key) as Timestamp));
    if (due.length === 0) return purged;
    const rows = await deps.readModels.getMany<CodeDoc & JsonObject>(CODES, CODE_DOCS, due.map((entry) => entry.doc.codeHash));
    let last: number | undefined;
    for (const entry of due) {
      const row = rows.get(entry.doc.codeHash);
      // (a row of a later code with the same digits stands for that code, not for this entry)
      const position = row === undefined || row.expiresAt !== expiryOf(entry.key) ? undefined : await purgeCode(deps, row, now);
      if (position !== undefined) {
        purged++;
        last = Math.max(last ?? 0, position);
      }
    }
    // nothing new archived: what is left waits for the read model, or for the next run
    if (last === undefined) return purged;
    await awaitOwnWrite(deps, CODES, last);
    if (due.length < PAGE) return purged;
  }
};
