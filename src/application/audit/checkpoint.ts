/**
 * Signed checkpoints of the hash chain (docs/operations.md, "Audit"): the chain's head
 * (position, digest) and the time, signed with the installation's Ed25519 key, as one JSON
 * document that carries its public key. The signed message is the UTF-8 of
 * `zerotouch-audit-checkpoint-1\n<position>\n<digest>\n<time>`.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const CHECKPOINT_FORMAT = 'zerotouch-audit-checkpoint-1';

export interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly position: number;
  readonly digest: string;
  /** RFC 3339 UTC */
  readonly time: string;
  /** the raw 32-byte Ed25519 public key, base64 */
  readonly publicKey: string;
  /** Ed25519 signature of the message above, base64 */
  readonly signature: string;
}

/** the DER prefix of a PKCS #8 Ed25519 private key, before its 32-byte seed */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
/** the DER prefix of an SPKI Ed25519 public key, before its 32 bytes */
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export function checkpointMessage(position: number, digest: string, time: string): Buffer {
  return Buffer.from(`${CHECKPOINT_FORMAT}\n${position}\n${digest}\n${time}`, 'utf8');
}

/** the private key from its 32-byte seed (ZT_AUDIT_KEY: base64) */
export function auditKeyFromSeed(seedBase64: string): KeyObject {
  const seed = Buffer.from(seedBase64, 'base64');
  if (seed.length !== 32) throw new RangeError('ZT_AUDIT_KEY must be a 32-byte Ed25519 seed, base64');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

/** the raw public key, base64 */
export function publicKeyOf(privateKey: KeyObject): string {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_ED25519.length).toString('base64');
}

export function signCheckpoint(privateKey: KeyObject, position: number, digest: string, time: string): Checkpoint {
  const signature = sign(null, checkpointMessage(position, digest, time), privateKey).toString('base64');
  return { format: CHECKPOINT_FORMAT, position, digest, time, publicKey: publicKeyOf(privateKey), signature };
}

/** The checkpoint if the document is one and its signature holds, else why not. */
export function readCheckpoint(document: unknown): { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string } {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return { ok: false, reason: 'not a JSON object' };
  const d = document as Record<string, unknown>;
  if (d['format'] !== CHECKPOINT_FORMAT) return { ok: false, reason: `format is not ${CHECKPOINT_FORMAT}` };
  const { position, digest, time, publicKey, signature } = d;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) return { ok: false, reason: 'position is not a whole number >= 0' };
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return { ok: false, reason: 'digest is not 64 lowercase hex characters' };
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) return { ok: false, reason: 'time is not an RFC 3339 time' };
  if (typeof publicKey !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'publicKey and signature must be base64 text' };
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== 32) return { ok: false, reason: 'publicKey is not a 32-byte Ed25519 key' };
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
  if (!verify(null, checkpointMessage(position, digest, time), key, Buffer.from(signature, 'base64'))) return { ok: false, reason: 'the signature does not match' };
  return { ok: true, checkpoint: { format: CHECKPOINT_FORMAT, position, digest, time, publicKey, signature } };
}
