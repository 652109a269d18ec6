/**
 * Purging expired codes (docs/events.md, "Personal data and its deletion"): the stream
 * `deviceCode-<codeHash>` holds the MAC the code bound and is deleted once the code has
 * expired; an audit record without personal data remains (`deviceCodeAudit-<codeHash>`).
 *
 * The code index lists codes by expiry. For each code due: delete its stream, then archive
 * the audit record, which takes the code out of the index. A purge stopped in between is
 * finished by the next one: the code is still listed, and its row (which holds no MAC)
 * supplies the record.
 *
 * The digits of a code go from the history of the phone it provisioned (`DeviceProvisioned`
 * keeps its keyed hash): the index lists such phones by the code's expiry (`digits`). For
 * each phone due: its `DeviceProvisioned` events of those codes are purged
 * (`purgePersonalData`), then `DeviceCodesPurged` records it, which takes the phone out of
 * that list (a purge stopped in between is done again by the next pass, idempotently).
 * Last, the store is asked to erase what the pass deleted from its files.
 */
import * as E from 'fp-ts/Either';
import { Device, DeviceCode, DeviceCodeAudit, isAtOrAfter, type CategoryId, type Digest, type DomainName, type Mac, type Timestamp } from '../../domain';
import type { JsonObject } from '../ports/event-store';
import { handle, load } from '../command-handler';
import { legacyPaths } from '../personal-data';
import { deviceAggregate, deviceCodeAggregate, deviceCodeAuditAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { CODE_DOCS, CODES, DIGITS, DUE, type CodeDoc, type DigitsDoc } from './projections/codes';
import { OUTBOX } from './projections/outbox';

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

export interface DevicesPurgeResult {
  /** codes whose record was archived */
  readonly codes: number;
  /** phones whose history lost the digits of expired codes */
  readonly phones: number;
}

/** The expiry part of an index key (`<expiresAt>/…`); empty: due at once. */
const expiryOf = (key: string): string => key.slice(0, key.indexOf('/'));
const isDue = (key: string, now: Timestamp): boolean => expiryOf(key) === '' || isAtOrAfter(now, expiryOf(key) as Timestamp);

/** Purge the digits of these codes from one phone's history; answers the position of the record of it. */
const purgeDigits = async (deps: Deps, mac: Mac, codeHashes: readonly Digest[], now: Timestamp): Promise<number | undefined> => {
  const stream = Device.streamName(mac);
  const hashes = new Set<string>(codeHashes);
  const read = await deps.events.readStream(stream);
  // (a code's hash is no personal field: it is in the data as stored)
  const eventIds = read.events.filter((e) => e.type === 'DeviceProvisioned' && hashes.has(String(e.data['codeHash']))).map((e) => e.id);
  if (eventIds.length > 0) await deps.events.purgePersonalData(stream, { eventIds, legacyPaths });
  const recorded = await handle(deps.events, stream, deviceAggregate, { type: 'PurgeProvisioningCodes', mac, codeHashes, now }, {
    random: deps.random,
    metadata: metadataOf('system'),
  });
  return E.isRight(recorded) ? recorded.right.position : undefined;
};

/** Every phone whose history holds digits of codes expired by now loses them; answers how many phones. */
const purgeExpiredDigits = async (deps: Deps, now: Timestamp): Promise<number> => {
  let phones = 0;
  for (;;) {
    const page = await deps.readModels.list<DigitsDoc & JsonObject>(CODES, DIGITS, { limit: PAGE });
    const due = page.filter((entry) => isDue(entry.key, now));
    if (due.length === 0) return phones;
    const byPhone = new Map<string, Digest[]>();
    for (const { doc } of due) byPhone.set(doc.mac, [...(byPhone.get(doc.mac) ?? []), doc.codeHash as Digest]);
    let last: number | undefined;
    for (const [mac, codeHashes] of byPhone) {
      const position = await purgeDigits(deps, mac as Mac, codeHashes, now);
      if (position !== undefined) {
        phones++;
        last = Math.max(last ?? 0, position);
      }
    }
    if (last === undefined) return phones;
    // the outbox drops the digits of pushes still waiting at the same record
    await Promise.all([awaitOwnWrite(deps, CODES, last), awaitOwnWrite(deps, OUTBOX, last)]);
    if (due.length < PAGE) return phones;
  }
};

/** Purge every code that has expired by now, and its digits from the phone it provisioned. */
export const purgeExpiredCodes = async (deps: Deps): Promise<DevicesPurgeResult> => {
  await deps.projections.caughtUp({ name: CODES, timeoutMs: 30_000 }).catch(() => undefined);
  const now = nowOf(deps.clock);
  const codes = await archiveExpiredCodes(deps, now);
  const phones = await purgeExpiredDigits(deps, now);
  await deps.events.eraseDeleted();
  return { codes, phones };
};

/** Delete the streams of the codes expired by `now` and archive their records; answers how many. */
const archiveExpiredCodes = async (deps: Deps, now: Timestamp): Promise<number> => {
  let purged = 0;
  for (;;) {
    const page = await deps.readModels.list<{ codeHash: string }>(CODES, DUE, { limit: PAGE });
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
