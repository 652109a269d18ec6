/**
 * The hash chain of the PostgreSQL store (docs/stores.md, "Tamper evidence").
 *
 * The append function computes every link itself, under the append lock that already
 * serialises the global order: it reads the head, draws each event's position, hashes its
 * canonical form (the expression below, the same bytes src/application/audit/chain-format.ts
 * builds from the stored text), and writes the new head with the rows, in one transaction.
 * Concurrent writers and nodes therefore chain in exactly the order readers see, and a
 * batch that rolls back leaves the head where it was.
 */
import type { ChainEntry, ChainHead, ReadChainResult } from '../../application/ports/event-store';
import { GENESIS_DIGEST, CHAIN_FORMAT } from '../../application/audit/chain-format';
import { advisoryKey, quoteIdent, quoteLiteral } from './postgres-sql';

/** a timestamptz as the canonical form writes it: UTC, with microseconds (all PostgreSQL keeps) */
export function canonicalTime(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** SQL for the canonical form (text) of an event, from expressions for its fields */
export function canonicalSql(f: {
  position: string;
  stream: string;
  version: string;
  id: string;
  type: string;
  at: string;
  data: string;
  metadata: string;
  personalDigest: string;
}): string {
  return `'["${CHAIN_FORMAT}",' || ${f.position}::text || ',' || to_json(${f.stream}::text)::text || ',' || ${f.version}::text || ','
    || to_json(${f.id}::text)::text || ',' || to_json(${f.type}::text)::text || ',"' || ${canonicalTime(f.at)} || '",'
    || ${f.data}::text || ',' || ${f.metadata}::text || ',' || coalesce('"' || ${f.personalDigest} || '"', 'null') || ']'`;
}

/** hex SHA-256 of text (UTF-8), of salt ‖ text, and of previous ‖ content (both hex) */
export const sha256Text = (text: string): string => `encode(sha256(convert_to(${text}, 'UTF8')), 'hex')`;
export const sha256Salted = (salt: string, text: string): string => `encode(sha256(decode(${salt}, 'hex') || convert_to(${text}, 'UTF8')), 'hex')`;
export const sha256Link = (previous: string, content: string): string => `encode(sha256(decode(${previous}, 'hex') || decode(${content}, 'hex')), 'hex')`;

/**
 * The chain's columns, tombstones and head. A database from before the chain keeps its rows
 * unchained: the head starts after its last position, taken under the append lock so no
 * append of an older process is in flight.
 */
export function chainStatements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `ALTER TABLE ${s}.zt_events ADD COLUMN IF NOT EXISTS chain_digest TEXT, ADD COLUMN IF NOT EXISTS content_digest TEXT,
       ADD COLUMN IF NOT EXISTS personal_digest TEXT, ADD COLUMN IF NOT EXISTS personal_salt TEXT`,
    `CREATE TABLE IF NOT EXISTS ${s}.zt_chain_tombstones (
      global_position BIGINT PRIMARY KEY,
      chain_digest    TEXT   NOT NULL,
      content_digest  TEXT   NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.zt_chain_head (
      id             INT    PRIMARY KEY CHECK (id = 1),
      start_position BIGINT NOT NULL,
      position       BIGINT NOT NULL,
      digest         TEXT   NOT NULL
    )`,
    `SELECT pg_advisory_xact_lock(${advisoryKey('append', schema)})`,
    `INSERT INTO ${s}.zt_chain_head (id, start_position, position, digest)
       SELECT 1, m, m, ${quoteLiteral(GENESIS_DIGEST)} FROM (SELECT coalesce(max(global_position), 0) AS m FROM ${s}.zt_events) x
       ON CONFLICT (id) DO NOTHING`,
  ];
}

export function chainRelations(schema: string): string[] {
  const s = quoteIdent(schema);
  return [`${s}.zt_chain_tombstones`, `${s}.zt_chain_head`];
}

type ChainRow = [position: string, digest: string | null, contentDigest: string | null, canonical: string, personal: string, personalDigest: string | null, personalSalt: string | null];

export class PostgresChain {
  private readonly sql;

  constructor(
    private readonly query: <R>(config: { text: string; values?: unknown[]; rowMode: 'array' }) => Promise<R[]>,
    schema: string,
  ) {
    const s = quoteIdent(schema);
    this.sql = {
      head: `SELECT start_position::text, position::text, digest FROM ${s}.zt_chain_head WHERE id = 1`,
      // the canonical form from the columns, by the expression the append function hashed
      entries: `SELECT global_position::text, chain_digest, content_digest,
          ${canonicalSql({ position: 'global_position', stream: 'stream_name', version: 'stream_version', id: 'event_id', type: 'type', at: 'recorded_at', data: 'data', metadata: 'metadata', personalDigest: 'personal_digest' })},
          personal::text, personal_digest, personal_salt
          FROM ${s}.zt_events e WHERE e.global_position > $1 ORDER BY e.global_position LIMIT $2`,
      // (ordered by the column, not by the text it is answered as)
      deleted: `SELECT t.global_position::text, chain_digest, content_digest FROM ${s}.zt_chain_tombstones t
          WHERE t.global_position > $1 AND t.global_position <= $2 ORDER BY t.global_position LIMIT $3`,
    };
  }

  async head(): Promise<ChainHead | undefined> {
    const [row] = await this.query<[string, string, string]>({ text: this.sql.head, rowMode: 'array' });
    return row && { startPosition: Number(row[0]), position: Number(row[1]), digest: row[2] };
  }

  async read(after: number, limit: number): Promise<ReadChainResult> {
    const rows = await this.query<ChainRow>({ text: this.sql.entries, values: [after, limit], rowMode: 'array' });
    const upTo = rows.length === limit ? rows[rows.length - 1]![0] : String(Number.MAX_SAFE_INTEGER);
    const deleted = await this.query<[string, string, string]>({ text: this.sql.deleted, values: [after, upTo, limit], rowMode: 'array' });
    const entries: ChainEntry[] = rows.map((r) => ({
      position: Number(r[0]),
      digest: r[1],
      contentDigest: r[2],
      content: { canonical: r[3], personal: r[4], personalDigest: r[5], personalSalt: r[6] },
    }));
    if (deleted.length > 0) {
      for (const [position, digest, contentDigest] of deleted) entries.push({ position: Number(position), digest, contentDigest });
      entries.sort((a, b) => a.position - b.position);
      entries.length = Math.min(entries.length, limit);
    }
    return { entries, position: entries.length > 0 ? entries[entries.length - 1]!.position : after };
  }
}
