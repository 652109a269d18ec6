/**
 * SQL helpers the PostgreSQL stores share: quoting, advisory lock keys, schema DDL under a
 * lock, and what an error from the server means.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { InvalidEventError, StoreUnavailableError } from '../../application/ports/event-store';

/** A quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A stable signed 64-bit advisory lock key for a purpose and a schema. */
export function advisoryKey(purpose: string, schema: string): string {
  const digest = createHash('sha256').update(`zerotouch:${purpose}:${schema}`).digest();
  return BigInt.asIntN(64, digest.readBigUInt64BE(0)).toString();
}

const statementNames = new Map<string, string>();
/** at most this many texts get a name: texts built for a number of keys stay unnamed past it */
const MOST_NAMED = 512;

/**
 * A query as a named prepared statement: PostgreSQL parses and plans a text once per
 * connection instead of at every call (most of the stores' queries are a few static texts
 * run very often). The name comes from the text, so one name never stands for two texts.
 */
export function prepared(text: string, values: unknown[]): { name?: string; text: string; values: unknown[] } {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MOST_NAMED) {
    name = `zt_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text, values } : { name, text, values };
}

/**
 * A query on the pool as a prepared statement, its connection failures answered as
 * StoreUnavailableError (the HTTP answer is then 503 with Retry-After, which phones and
 * balancers retry), never as an unexplained 500. For the tables beside the events.
 */
export async function queryPool<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(prepared(text, values));
  } catch (error) {
    throw translateError(error);
  }
}

/** The NOTIFY channel of a schema's event table. */
export function notifyChannel(schema: string): string {
  const plain = `zt_events_${schema}`;
  if (Buffer.byteLength(plain) <= 63) return plain;
  return `zt_events_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

/** What a schema holds once its DDL ran: qualified relation names and function signatures. */
export interface SchemaObjects {
  readonly relations?: readonly string[];
  readonly functions?: readonly string[];
}

/**
 * Create the schema (when missing) and run `statements` in one transaction, under the
 * schema's DDL advisory lock, so processes opening at the same time do not collide.
 * When `present` is given and all of it exists, nothing runs: opening then needs no
 * CREATE privilege (which `CREATE ... IF NOT EXISTS` checks even when the object exists).
 */
export async function runSchemaDdl(pool: pg.Pool, schema: string, statements: readonly string[], present?: SchemaObjects): Promise<void> {
  if (present) {
    const relations = present.relations ?? [];
    const functions = present.functions ?? [];
    const { rows } = await pool.query<{ missing: number }>(
      `SELECT (SELECT count(*) FROM unnest($1::text[]) r WHERE to_regclass(r) IS NULL)
            + (SELECT count(*) FROM unnest($2::text[]) f WHERE to_regprocedure(f) IS NULL) AS missing`,
      [relations, functions],
    );
    if (Number(rows[0]?.missing) === 0) return;
  }
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${advisoryKey('ddl', schema)})`);
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      for (const statement of statements) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/**
 * A statement creating a function when no function of that signature exists. Functions are
 * versioned by name (`_v1`): replacing one on every open would rewrite the catalog under
 * running calls of other processes.
 */
export function createFunctionIfMissing(signature: string, createStatement: string): string {
  return `DO $do$ BEGIN
    IF to_regprocedure(${quoteLiteral(signature)}) IS NULL THEN
      EXECUTE ${quoteLiteral(createStatement)};
    END IF;
  END $do$`;
}

/** The SQLSTATE of an error the server answered, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/** Is this a failure to reach the server (as opposed to an error the server answered)? */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08: connection exception; 57P01-03: terminated, crash, starting up; 53300: too many connections
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EPIPE, ...
  }
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error|Client was closed|connection timeout/i.test(
      message,
    )
  );
}

/** StoreUnavailableError for connection failures, the error itself otherwise. */
export function translateError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (isConnectionError(error)) {
    return new StoreUnavailableError(`PostgreSQL unavailable: ${(error as Error).message}`, { cause: error });
  }
  return error;
}

/** SQL for a timestamptz column as RFC 3339 UTC text, the way `Date.toISOString()` writes it */
export function isoUtc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The failure of a single operation: unreachable → StoreUnavailableError; a value
 * PostgreSQL refuses (class 22: `\u0000` or a lone surrogate in JSON text, text too long)
 * or an id another writer stored outside this adapter (23505) → InvalidEventError.
 */
export function translateSingleFailure(error: unknown): unknown {
  const code = sqlState(error);
  if (code !== undefined && (code.startsWith('22') || code === '23505')) {
    return new InvalidEventError(`PostgreSQL refused the append: ${(error as Error).message}`, { cause: error });
  }
  return translateError(error);
}
