/** What the Redirector's read models answer. */
import { Digest } from '../../domain';
import type { JsonObject } from '../ports/event-store';
import type { ReadModelStore } from '../ports/read-model-store';
import { CODE_EXPIRY, CODES, DUE, dueTimeOfKey, type CodeRow } from './projections/code-expiry';
import { INSTALLATIONS, INSTALLATIONS_PROJECTION, type InstallationRow } from './projections/installations';

export interface DueCode {
  readonly key: string;
  readonly codeHash: Digest;
  readonly row: CodeRow | undefined;
}

export interface DuePage {
  readonly codes: readonly DueCode[];
  /** where the next page starts, or null when no further code is due */
  readonly next: string | null;
}

/** Up to `limit` codes whose purge is due at `now` (ended, or past their expiry), oldest first, after `afterKey`. */
export async function dueCodes(readModels: ReadModelStore, now: string, limit: number, afterKey?: string): Promise<DuePage> {
  const listed = await readModels.list<{ codeHash: string }>(CODE_EXPIRY, DUE, { limit, ...(afterKey === undefined ? {} : { afterKey }) });
  const upToNow = listed.filter((d) => dueTimeOfKey(d.key) <= now);
  const rows = await readModels.getMany<JsonObject & CodeRow>(CODE_EXPIRY, CODES, upToNow.map((d) => d.doc.codeHash));
  const codes = upToNow.flatMap((d) => (Digest.is(d.doc.codeHash) ? [{ key: d.key, codeHash: d.doc.codeHash, row: rows.get(d.doc.codeHash) }] : []));
  const more = listed.length === limit && upToNow.length === listed.length;
  return { codes, next: more ? listed.at(-1)!.key : null };
}

export interface InstallationPage {
  readonly installations: readonly InstallationRow[];
  /** pass as `after` for the next page; null on the last */
  readonly next: string | null;
}

/** Registered installations by id. */
export async function listInstallations(readModels: ReadModelStore, limit: number, after?: string): Promise<InstallationPage> {
  const page = await readModels.list<JsonObject & InstallationRow>(INSTALLATIONS_PROJECTION, INSTALLATIONS, {
    limit: limit + 1,
    ...(after === undefined ? {} : { afterKey: after }),
  });
  const installations = page.slice(0, limit).map((p) => p.doc);
  return { installations, next: page.length > limit ? installations.at(-1)!.installationId : null };
}
