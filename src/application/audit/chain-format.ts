/**
 * The hash chain's canonical form (docs/events.md, "The hash chain"), shared by the stores
 * that compute it in this process (memory, SQLite) and by `audit verify`. PostgreSQL
 * computes the same bytes in SQL (src/adapters/eventstore/postgres-chain.ts); the contract
 * suite proves the two agree.
 *
 * - content = UTF-8 of the JSON array
 *   `["zt1",position,stream,version,id,type,recordedAt,DATA,METADATA,personalDigest]`, where
 *   stream, id, type and recordedAt are JSON strings (JSON.stringify escaping), DATA and
 *   METADATA the JSON text exactly as the store holds it, and personalDigest a JSON string
 *   of lowercase hex, or `null` when the event has no personal part;
 * - personalDigest = SHA-256(salt ‖ UTF-8 of the personal part's JSON text as appended), the
 *   salt being 16 random bytes kept beside the personal part and deleted with it by a purge;
 * - contentDigest = SHA-256(content); digest = SHA-256(previous digest ‖ contentDigest),
 *   both as 32 raw bytes, the first event's previous digest being 32 zero bytes.
 * Every digest is written as 64 lowercase hex characters.
 */
import { hash, randomBytes } from 'node:crypto';

export const CHAIN_FORMAT = 'zt1';
/** the previous digest of the first chained event */
export const GENESIS_DIGEST = '0'.repeat(64);

/** the stored fields the canonical form takes, as text */
export interface CanonicalFields {
  readonly position: number;
  readonly streamName: string;
  readonly streamVersion: number;
  readonly id: string;
  readonly type: string;
  readonly recordedAt: string;
  /** JSON text as stored */
  readonly data: string;
  readonly metadata: string;
  readonly personalDigest: string | null;
}

export function canonicalContent(f: CanonicalFields): string {
  const personal = f.personalDigest === null ? 'null' : `"${f.personalDigest}"`;
  return `["${CHAIN_FORMAT}",${f.position},${JSON.stringify(f.streamName)},${f.streamVersion},${JSON.stringify(f.id)},${JSON.stringify(f.type)},${JSON.stringify(f.recordedAt)},${f.data},${f.metadata},${personal}]`;
}

export function contentDigestOf(f: CanonicalFields): string {
  return sha256Hex(canonicalContent(f));
}

/** one-shot hashing (crypto.hash): about a third faster than a Hash object per digest */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

const POSITION_PREFIX = /^\["zt1",\d+,/;

/** the canonical form as it would be at another position (to tell a moved event from a changed one) */
export function atPosition(canonical: string, position: number): string {
  return canonical.replace(POSITION_PREFIX, `["${CHAIN_FORMAT}",${position},`);
}

/** the 64 bytes a link hashes, written in place (a link is computed per event, on append and on verify) */
const LINK_INPUT = Buffer.alloc(64);

/** SHA-256(previous ‖ content), both given and answered as hex */
export function linkDigest(previous: string, contentDigest: string): string {
  if (previous.length === 64 && contentDigest.length === 64 && LINK_INPUT.write(previous, 0, 32, 'hex') === 32 && LINK_INPUT.write(contentDigest, 32, 32, 'hex') === 32) {
    return hash('sha256', LINK_INPUT, 'hex');
  }
  // not two digests (an edited entry): hash what the text holds, as the format says
  return hash('sha256', Buffer.from(previous + contentDigest, 'hex'), 'hex');
}

export function personalDigestOf(saltHex: string, personalText: string): string {
  return hash('sha256', Buffer.concat([Buffer.from(saltHex, 'hex'), Buffer.from(personalText)]), 'hex');
}

/** salts are cut from a pool of random bytes: one call to the CSPRNG per 4,096 of them */
const SALT_BYTES = 16;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** a fresh salt for a personal part (hex) */
export function newPersonalSalt(): string {
  if (poolAt + SALT_BYTES > pool.length) {
    pool = randomBytes(SALT_BYTES * 4096);
    poolAt = 0;
  }
  const salt = pool.toString('hex', poolAt, poolAt + SALT_BYTES);
  pool.fill(0, poolAt, poolAt + SALT_BYTES); // a salt handed out is not left in memory
  poolAt += SALT_BYTES;
  return salt;
}

/** The personal part's stored text and its salt and digest, or nulls when the event has none. */
export function sealPersonal(personalText: string): { salt: string | null; digest: string | null } {
  if (personalText === '{}') return { salt: null, digest: null };
  const salt = newPersonalSalt();
  return { salt, digest: personalDigestOf(salt, personalText) };
}
