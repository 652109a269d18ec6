/**
 * Deterministic, non-cryptographic hashes (FNV-1a over UTF-16 code units) for spreading
 * phones over update waves and naming config revisions. Not for secrets.
 */

/** 32-bit FNV-1a as an unsigned integer. */
export const fnv1a32 = (input: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** 64-bit FNV-1a as 16 lowercase hex digits. */
export const fnv1a64Hex = (input: string): string => {
  let h = FNV64_OFFSET;
  for (let i = 0; i < input.length; i++) {
    h ^= BigInt(input.charCodeAt(i));
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, '0');
};
