/** The Secrets port on node:crypto: HMAC-SHA256 keyed hashes and AES-256-GCM sealing. */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Secrets } from '../../application/ports/secrets';

export class CryptoSecrets implements Secrets {
  private readonly hashKey: Buffer;
  private readonly sealKey: Buffer;

  /** @param master at least 32 random bytes, kept in the data dir */
  constructor(master: Buffer) {
    if (master.length < 32) throw new Error('the server secret must be at least 32 bytes');
    this.hashKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'zerotouch keyed hash', 32));
    this.sealKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'zerotouch seal', 32));
  }

  keyedHash(purpose: string, value: string): string {
    return createHmac('sha256', this.hashKey).update(purpose).update('\u0000').update(value).digest('hex');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  unseal(sealed: string): string | undefined {
    if (!sealed.startsWith('v1.')) return undefined;
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    if (raw.length < 28) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** Compare two secrets in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // spend the same time either way
    return false;
  }
  return timingSafeEqual(x, y);
}
