/**
 * The PostgreSQL store's tables, its append function and its statements (the adapter's
 * header in postgres.ts says how appends are ordered and batched).
 */
import type { EventMetadata, ExpectedVersion, JsonObject, PersonalPart, RecordedEvent } from '../../application/ports/event-store';
import { advisoryKey, isoUtc, notifyChannel, quoteIdent, quoteLiteral } from './postgres-sql';
import { canonicalSql, sha256Link, sha256Salted, sha256Text } from './postgres-chain';

export interface ResultRow {
  r_status: number;
  r_version: string;
  r_position: string;
  r_found: number;
}

export interface EventRow {
  global_position: string;
  stream_name: string;
  stream_version: string;
  event_id: string;
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
  recorded_at: string;
  personal: PersonalPart;
}

/** the answers of the append function, one row per operation */
export const STATUS_WRITTEN = 0;
export const STATUS_IDS_FOUND = 1;
export const STATUS_WRONG_VERSION = 2;

/** expected versions as the function reads them: a version, or one of these */
const EXPECT_ANY = -1;
const EXPECT_NO_STREAM = -2;
const EXPECT_EXISTS = -3;

/** bumped when the function's signature or meaning changes; a new name sits beside the old one */
export const APPEND_FUNCTION = 'zt_append_v4';
/** a NOTIFY payload holds at most 8000 bytes: longer lists of types are left out (the listeners then wake for anything) */
const NOTIFY_TYPES_MAX = 7000;

export function schemaStatements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.zt_events (
      global_position BIGSERIAL   PRIMARY KEY,
      stream_name     TEXT        COLLATE "C" NOT NULL,
      stream_version  BIGINT      NOT NULL,
      event_id        TEXT        COLLATE "C" NOT NULL,
      type            TEXT        NOT NULL,
      data            JSONB       NOT NULL,
      metadata        JSONB       NOT NULL,
      recorded_at     TIMESTAMPTZ NOT NULL,
      personal        JSONB       NOT NULL DEFAULT '{}'
    )`,
    // a database from before personal parts: its rows get {} (their personal values, inside
    // data, are moved out when their stream is purged, see PurgeOptions.legacyPaths)
    `ALTER TABLE ${s}.zt_events ADD COLUMN IF NOT EXISTS personal JSONB NOT NULL DEFAULT '{}'`,
    `CREATE UNIQUE INDEX IF NOT EXISTS zt_events_stream ON ${s}.zt_events (stream_name, stream_version)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS zt_events_stream_id ON ${s}.zt_events (stream_name, event_id)`,
  ];
}

/**
 * The append function: takes the batch as one jsonb array of operations
 * (`{k:'a', s: stream, x: expected, e: [{i: id, t: type, d: data, p: personal, z: its salt, m: metadata}]}` or
 * `{k:'d', s: stream}`), answers one row per operation, in order.
 *
 * Ids: the idempotency rule comes first, but with `check_ids` false (the fast path) the
 * function looks ids up only when the expected version does not match. Otherwise the
 * unique index on (stream_name, event_id) refuses a repeated id, which fails the whole
 * call, and the adapter sends the batch again with `check_ids` true, when each append
 * first counts which of its ids the stream holds (the idempotency rule needs the count).
 *
 * Plans: PL/pgSQL caches generic plans, made once per connection from the statistics of
 * the moment. On a young table those say "tiny", and a plan that scans a stream (or the
 * table) would be kept while the table grows. So the hot path has only lookups with one
 * good plan (the version: the last entry of the (stream_name, stream_version) index, the
 * only plan without a sort, with sequential scans off inside the function; ids: the
 * unique index probe inside INSERT), and the id lookup of the slow path is planned afresh
 * on each call, from the table's size at that moment.
 *
 * Chain: each event is inserted on its own, its position drawn first, its links computed
 * from the head read under the lock (postgres-chain.ts); the head is written once per call.
 */
export function appendFunction(schema: string): string {
  const s = quoteIdent(schema);
  return `CREATE OR REPLACE FUNCTION ${s}.${APPEND_FUNCTION}(ops jsonb, check_ids boolean)
RETURNS TABLE (r_status int, r_version bigint, r_position bigint, r_found int)
LANGUAGE plpgsql
SET enable_seqscan = off
AS $fn$
DECLARE
  v_op       jsonb;
  v_stream   text;
  v_events   jsonb;
  v_expected bigint;
  v_matches  boolean;
  v_current  bigint;
  v_found    int;
  v_found_at bigint;
  v_last     bigint;
  v_head     bigint := 0;
  v_types    text[] := '{}';
  v_now      timestamptz;
  v_seq      regclass := pg_get_serial_sequence(${quoteLiteral(`${s}.zt_events`)}, 'global_position')::regclass;
  v_chain_at bigint;
  v_digest   text;
  v_e        jsonb;
  v_n        bigint;
  v_pos      bigint;
  v_personal jsonb;
  v_pdigest  text;
  v_content  text;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'zerotouch appends need READ COMMITTED isolation, not %', current_setting('transaction_isolation');
  END IF;
  -- appends are serialised: positions are drawn in commit order (see the adapter's header)
  PERFORM pg_advisory_xact_lock(${advisoryKey('append', schema)});
  v_now := clock_timestamp();
  SELECT position, digest INTO v_chain_at, v_digest FROM ${s}.zt_chain_head WHERE id = 1;
  FOR v_op IN SELECT value FROM jsonb_array_elements(ops) LOOP
    v_stream := v_op->>'s';
    IF v_op->>'k' = 'd' THEN
      -- the deleted events' links stay as tombstones: the chain still verifies
      WITH gone AS (DELETE FROM ${s}.zt_events WHERE stream_name = v_stream RETURNING global_position, chain_digest, content_digest)
      INSERT INTO ${s}.zt_chain_tombstones SELECT * FROM gone WHERE chain_digest IS NOT NULL;
      r_status := ${STATUS_WRITTEN}; r_version := 0; r_position := 0; r_found := 0;
      RETURN NEXT;
      CONTINUE;
    END IF;
    v_events := v_op->'e';
    -- the last entry of the (stream_name, stream_version) index: the only plan without a sort
    SELECT stream_version INTO v_current FROM ${s}.zt_events
     WHERE stream_name = v_stream ORDER BY stream_version DESC LIMIT 1;
    v_current := coalesce(v_current, 0);
    v_expected := (v_op->>'x')::bigint;
    v_matches := v_expected = ${EXPECT_ANY}
                 OR (v_expected = ${EXPECT_NO_STREAM} AND v_current = 0)
                 OR (v_expected = ${EXPECT_EXISTS} AND v_current > 0)
                 OR v_expected = v_current;
    -- the idempotency rule comes before the expected version: a retry may well expect an old version
    IF v_current > 0 AND (check_ids OR NOT v_matches) THEN
      -- planned afresh each time (EXECUTE), from the table's size now: a cached plan could scan the stream
      EXECUTE ${quoteLiteral(`SELECT count(*), max(global_position) FROM ${s}.zt_events
                WHERE stream_name = $1 AND event_id = ANY (ARRAY(SELECT x.e->>'i' FROM jsonb_array_elements($2) AS x(e)))`)}
         INTO v_found, v_found_at
        USING v_stream, v_events;
      IF v_found > 0 THEN
        r_status := ${STATUS_IDS_FOUND}; r_version := v_current; r_position := v_found_at; r_found := v_found;
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;
    IF NOT v_matches THEN
      r_status := ${STATUS_WRONG_VERSION}; r_version := v_current; r_position := 0; r_found := 0;
      RETURN NEXT;
      CONTINUE;
    END IF;
    FOR v_e, v_n IN SELECT x.e, x.n FROM jsonb_array_elements(v_events) WITH ORDINALITY AS x(e, n) LOOP
      v_pos := nextval(v_seq);
      v_personal := coalesce(v_e->'p', '{}'::jsonb);
      v_pdigest := CASE WHEN v_e->>'z' IS NULL THEN NULL ELSE ${sha256Salted(`(v_e->>'z')`, 'v_personal::text')} END;
      v_content := ${sha256Text(
        canonicalSql({
          position: 'v_pos',
          stream: 'v_stream',
          version: '(v_current + v_n)',
          id: "(v_e->>'i')",
          type: "(v_e->>'t')",
          at: 'v_now',
          data: "(v_e->'d')",
          metadata: "(v_e->'m')",
          personalDigest: 'v_pdigest',
        }),
      )};
      v_digest := ${sha256Link('v_digest', 'v_content')};
      INSERT INTO ${s}.zt_events (global_position, stream_name, stream_version, event_id, type, data, metadata, recorded_at, personal,
                                  chain_digest, content_digest, personal_digest, personal_salt)
      VALUES (v_pos, v_stream, v_current + v_n, v_e->>'i', v_e->>'t', v_e->'d', v_e->'m', v_now, v_personal,
              v_digest, v_content, v_pdigest, v_e->>'z');
      v_last := v_pos;
      v_chain_at := v_pos;
      IF NOT (v_e->>'t' = ANY (v_types)) THEN v_types := v_types || (v_e->>'t'); END IF;
    END LOOP;
    r_status := ${STATUS_WRITTEN}; r_version := v_current + jsonb_array_length(v_events); r_position := v_last; r_found := 0;
    v_head := v_last;
    RETURN NEXT;
  END LOOP;
  IF v_head > 0 THEN
    UPDATE ${s}.zt_chain_head SET position = v_chain_at, digest = v_digest WHERE id = 1;
    -- the head, then the types written (postgres-listen.ts); a payload of the head alone wakes every listener
    PERFORM pg_notify(${quoteLiteral(notifyChannel(schema))},
      CASE WHEN length(array_to_json(v_types)::text) <= ${NOTIFY_TYPES_MAX} THEN v_head::text || ' ' || array_to_json(v_types)::text ELSE v_head::text END);
  END IF;
END
$fn$`;
}

const RECORDED_AT = `${isoUtc('recorded_at')} AS recorded_at`;
const EVENT_COLUMNS = `global_position, stream_name, stream_version, event_id, type, data, metadata, ${RECORDED_AT}, personal`;

export function statements(schema: string) {
  const s = quoteIdent(schema);
  const current = `(SELECT coalesce(max(stream_version), 0) AS current FROM ${s}.zt_events WHERE stream_name = $1)`;
  return {
    appendName: `zt_append_${advisoryKey('statement', schema)}`,
    append: `SELECT r_status, r_version, r_position, r_found FROM ${s}.${APPEND_FUNCTION}($1::jsonb, $2::boolean)`,
    readStream: `SELECT c.current, e.* FROM ${current} c LEFT JOIN LATERAL (
        SELECT ${EVENT_COLUMNS} FROM ${s}.zt_events
         WHERE stream_name = $1 AND stream_version >= $2 ORDER BY stream_version) e ON true`,
    // several reads in one statement (one snapshot): each answers its version row, then its events
    readStreams: `SELECT q.i, c.current, e.* FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS q(name, from_version, i)
        CROSS JOIN LATERAL (SELECT coalesce(max(stream_version), 0) AS current FROM ${s}.zt_events WHERE stream_name = q.name) c
        LEFT JOIN LATERAL (
        SELECT ${EVENT_COLUMNS} FROM ${s}.zt_events
         WHERE stream_name = q.name AND stream_version >= q.from_version ORDER BY stream_version) e ON true
        ORDER BY q.i, e.stream_version`,
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${s}.zt_events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
    // a typed page in one snapshot: how far `limit` events of the log reach, and those of the types among them
    readTyped: `WITH page AS MATERIALIZED (SELECT global_position, type FROM ${s}.zt_events WHERE global_position > $1 ORDER BY global_position LIMIT $2)
      SELECT b.covered, b.up_to, e.* FROM (SELECT count(*)::int AS covered, max(global_position) AS up_to FROM page) b
      LEFT JOIN LATERAL (SELECT ${EVENT_COLUMNS} FROM ${s}.zt_events
         WHERE global_position IN (SELECT global_position FROM page WHERE type = ANY ($3::text[])) ORDER BY global_position) e ON true
      ORDER BY e.global_position`,
    head: `SELECT max(global_position) AS head FROM ${s}.zt_events`,
    purgeRows: `SELECT global_position, event_id, type, data, personal FROM ${s}.zt_events
       WHERE stream_name = $1 AND ($2::text[] IS NULL OR event_id = ANY ($2::text[])) ORDER BY stream_version FOR UPDATE`,
    // the salt goes with the values: the personal digest stays, and can no longer be tried against guesses
    rewrite: `UPDATE ${s}.zt_events e SET data = x.d, personal = x.q, personal_salt = NULL
       FROM jsonb_to_recordset($1::jsonb) AS x(p bigint, d jsonb, q jsonb) WHERE e.global_position = x.p`,
  };
}

export function encodeExpected(expected: ExpectedVersion): number {
  switch (expected) {
    case 'any':
      return EXPECT_ANY;
    case 'no-stream':
      return EXPECT_NO_STREAM;
    default:
      return expected;
  }
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: row.data,
    personal: row.personal,
    metadata: row.metadata,
    streamName: row.stream_name,
    streamVersion: Number(row.stream_version),
    globalPosition: Number(row.global_position),
    recordedAt: row.recorded_at,
  };
}
