/**
 * One pass over every code due for its purge (what the scheduler runs every minute and
 * `zerotouch codes purge-expired` runs once): the due list comes from the read model,
 * every decision from the code's stream.
 */
import { nowOf, type RedirectorDeps } from './deps';
import { CODE_EXPIRY } from './projections/code-expiry';
import { purgeCodes, type PurgeResult } from './purge-codes';
import { dueCodes } from './queries';

const PAGE = 500;

export async function purgeExpiredCodes(deps: RedirectorDeps): Promise<PurgeResult> {
  await deps.projections.caughtUp({ name: CODE_EXPIRY, timeoutMs: 30_000 });
  const now = nowOf(deps.clock);
  const total = { purged: { expired: 0, revoked: 0 }, notDue: 0, deferred: 0 };
  let afterKey: string | undefined;
  for (;;) {
    const page = await dueCodes(deps.readModels, now, PAGE, afterKey);
    const result = await purgeCodes(deps, page.codes.map(({ codeHash, row }) => (row === undefined ? { codeHash } : { codeHash, row })));
    total.purged.expired += result.purged.expired;
    total.purged.revoked += result.purged.revoked;
    total.notDue += result.notDue;
    total.deferred += result.deferred;
    if (page.next === null) break;
    afterKey = page.next;
  }
  await deps.events.eraseDeleted();
  return total;
}
