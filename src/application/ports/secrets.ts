/**
 * What the server keeps secret: a key for keyed hashes (codes, tokens, API keys are
 * stored only as such hashes) and a key for sealing values that must be recovered (the
 * Devices app passwords, needed to check HMAC logins).
 */
export interface Secrets {
  /** HMAC-SHA256 under the server key, hex; `purpose` separates the uses of one key */
  keyedHash(purpose: string, value: string): string;
  /** authenticated encryption; the result is a printable string */
  seal(plain: string): string;
  /** the plain text, or undefined when the sealed value was tampered with or sealed under another key */
  unseal(sealed: string): string | undefined;
}
