/** The personal data purge of the PostgreSQL store. */
import type pg from 'pg';
import type { JsonObject, PersonalPart, PurgeOptions } from '../../application/ports/event-store';
import { purgedEvent } from '../../application/ports/personal-part';
import { isConnectionError } from './postgres-sql';

/**
 * One transaction: the rows of the stream locked (FOR UPDATE: a concurrent purge waits),
 * rewritten where the purge changes them (the personal salt goes too). Rows are never
 * changed otherwise, and a concurrent append only adds rows, so no lock beyond the rows is
 * needed.
 */
export async function purgeStream(pool: pg.Pool, sql: { purgeRows: string; rewrite: string }, streamName: string, options: PurgeOptions): Promise<void> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ global_position: string; event_id: string; type: string; data: JsonObject; personal: PersonalPart }>(sql.purgeRows, [
        streamName,
        options.eventIds ?? null,
      ]);
      const changed = rows.flatMap((row) => {
        const purged = purgedEvent(row.type, row.data, row.personal, options.legacyPaths);
        return purged ? [{ p: row.global_position, d: purged.data, q: purged.personal }] : [];
      });
      if (changed.length > 0) await client.query(sql.rewrite, [JSON.stringify(changed)]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } catch (error) {
    broken ||= isConnectionError(error);
    throw error;
  } finally {
    client.release(broken);
  }
}
