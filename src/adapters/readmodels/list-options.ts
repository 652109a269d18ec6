/** The list options every read model store checks the same way. */
import type { ListOptions } from '../../application/ports/read-model-store';

export interface CheckedListOptions {
  readonly prefix: string;
  readonly afterKey: string | undefined;
  readonly limit: number;
  readonly reverse: boolean;
}

export function checkListOptions(options: ListOptions): CheckedListOptions {
  const limit = options.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`list limit must be a positive integer, got ${String(limit)}`);
  return {
    prefix: options.prefix ?? '',
    afterKey: options.afterKey,
    limit: Math.min(limit, 10_000),
    reverse: options.reverse ?? false,
  };
}

/** Keys compare by UTF-16 code units here and by binary collation in SQL: callers use ASCII keys. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The smallest string greater than every string starting with `prefix`, for SQL range
 * scans (`key >= prefix AND key < end`); undefined for the empty prefix (no upper bound).
 */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
