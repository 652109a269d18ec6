/**
 * `audit verify`: recompute the hash chain of a store (docs/events.md, "The hash chain") and
 * name the first position that does not match, and why.
 *
 * The head is read first, then the entries up to it page by page in global order; what is
 * appended meanwhile is left for the next run. Each stored event's canonical form is
 * hashed again and compared with its content digest, its link with the chain digest, and
 * the last link with the head (so entries removed from the end are noticed too).
 */
import type { ChainEntry, ChainHead, EventStore } from '../ports/event-store';
import { GENESIS_DIGEST, atPosition, linkDigest, personalDigestOf, sha256Hex } from './chain-format';

export type FindingKind = 'changed' | 'missing' | 'reordered' | 'inserted' | 'checkpoint';

export interface Finding {
  readonly position: number;
  readonly kind: FindingKind;
  readonly detail: string;
}

/** a point of the chain to hold it to: a signed checkpoint's position and digest */
export interface Anchor {
  readonly position: number;
  readonly digest: string;
}

export interface VerifyOptions {
  /** begin at the first entry at or after this position, taking its stored digest as given (or the anchor's, when it is at the anchor) */
  readonly from?: number;
  readonly anchor?: Anchor;
  readonly pageSize?: number;
  readonly onProgress?: (position: number, head: number) => void;
}

export interface VerifyReport {
  /** false: the store keeps no chain (nothing could be checked) */
  readonly chained: boolean;
  readonly ok: boolean;
  readonly head?: ChainHead;
  /** entries whose links were recomputed */
  readonly checked: number;
  /** of them, tombstones of deleted events, and purged events */
  readonly deleted: number;
  readonly purged: number;
  /** events written before the chain began (not covered) */
  readonly unchained: number;
  /** the entry verification began at, taken as given (with --from) */
  readonly seededAt?: number;
  /** whether the anchor's position was reached and matched */
  readonly anchorMatched?: boolean;
  readonly failure?: Finding;
}

type Store = Pick<EventStore, 'chainHead' | 'readChain'>;

/** how far around a changed event to look for the position it was written at */
const REORDER_WINDOW = 16;

export async function verifyChain(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const head = await store.chainHead();
  if (!head) return { chained: false, ok: false, checked: 0, deleted: 0, purged: 0, unchained: 0 };
  const from = options.from ?? 0;
  const anchor = options.anchor;
  const pageSize = options.pageSize ?? 10_000;
  let checked = 0;
  let deleted = 0;
  let purged = 0;
  let unchained = 0;
  let previous = GENESIS_DIGEST;
  let previousPosition = head.startPosition;
  let seededAt: number | undefined;
  let anchorMatched: boolean | undefined;
  const report = (failure?: Finding): VerifyReport => ({
    chained: true,
    ok: failure === undefined,
    head,
    checked,
    deleted,
    purged,
    unchained,
    ...(seededAt !== undefined && { seededAt }),
    ...(anchorMatched !== undefined && { anchorMatched }),
    ...(failure && { failure }),
  });
  if (anchor && anchor.position === head.startPosition && from === 0) {
    // where the chain begins: its previous digest is the genesis one
    anchorMatched = anchor.digest === GENESIS_DIGEST;
    if (!anchorMatched) return report({ position: anchor.position, kind: 'checkpoint', detail: 'the checkpoint signed another digest where the chain begins: history up to it was rewritten' });
  }
  let after = 0;
  for (;;) {
    const page = await store.readChain({ after, limit: pageSize });
    const entries = page.entries;
    let i = 0;
    for (; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.position > head.position) break;
      if (e.digest === null || e.contentDigest === null) {
        if (e.position <= head.startPosition) {
          unchained++;
          continue;
        }
        return report({ position: e.position, kind: 'changed', detail: 'its chain digests were removed' });
      }
      if (e.position <= head.startPosition) {
        return report({ position: e.position, kind: 'inserted', detail: `a chained entry where the chain had not begun (it begins after ${head.startPosition})` });
      }
      if (seededAt === undefined && from > 0) {
        if (e.position < from) continue;
        seededAt = e.position;
        if (anchor && anchor.position === e.position) {
          anchorMatched = e.digest === anchor.digest;
          if (!anchorMatched) return report({ position: e.position, kind: 'checkpoint', detail: 'its digest is not the one the checkpoint signed: history up to it was rewritten' });
        } else if (anchor && anchor.position < e.position) {
          return report({ position: anchor.position, kind: 'checkpoint', detail: `the checkpoint lies before --from ${from}, so it cannot be checked` });
        }
        previous = e.digest;
        previousPosition = e.position;
        continue;
      }
      if (e.content) {
        const c = e.content;
        if (c.personalDigest === null) {
          if (c.personal !== '{}') return report({ position: e.position, kind: 'changed', detail: 'it holds a personal part it was not appended with' });
        } else if (c.personalSalt !== null) {
          if (personalDigestOf(c.personalSalt, c.personal) !== c.personalDigest) return report({ position: e.position, kind: 'changed', detail: 'its personal part does not match its digest' });
        } else {
          if (!onlyNulls(c.personal)) return report({ position: e.position, kind: 'changed', detail: 'its personal part was purged (its salt is gone) but holds values' });
          purged++;
        }
        if (sha256Hex(c.canonical) !== e.contentDigest) return report(contentFinding(e, entries, i));
      } else {
        deleted++;
      }
      const digest = linkDigest(previous, e.contentDigest);
      if (digest !== e.digest) return report(linkFinding(e, entries[i + 1], previous, previousPosition, digest));
      previous = digest;
      previousPosition = e.position;
      checked++;
      if (anchor && anchor.position === e.position) {
        anchorMatched = digest === anchor.digest;
        if (!anchorMatched) return report({ position: e.position, kind: 'checkpoint', detail: 'its digest is not the one the checkpoint signed: history up to it was rewritten' });
      }
    }
    options.onProgress?.(Math.min(page.position, head.position), head.position);
    if (i < entries.length || entries.length === 0 || page.position >= head.position) break;
    after = page.position;
  }
  if (previousPosition !== head.position || previous !== head.digest) {
    if (seededAt === undefined && from > 0 && head.position >= from) {
      return report({ position: from, kind: 'missing', detail: 'no chained entry at or after it' });
    }
    return report({
      position: head.position,
      kind: 'missing',
      detail: `the chain ends at ${previousPosition}, but its head says ${head.position}: the newest entries were removed or the head was changed`,
    });
  }
  if (anchor && anchorMatched === undefined) {
    return report({
      position: anchor.position,
      kind: anchor.position > head.position ? 'checkpoint' : 'missing',
      detail: anchor.position > head.position ? `the checkpoint is ahead of the chain's head ${head.position}: history after ${head.position} was removed` : 'no entry at the checkpoint\'s position',
    });
  }
  return report();
}

function onlyNulls(personalText: string): boolean {
  try {
    const parsed = JSON.parse(personalText) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((v) => v === null);
  } catch {
    return false;
  }
}

/** the content does not hash to its digest: moved from another position, or changed */
function contentFinding(e: ChainEntry, entries: readonly ChainEntry[], i: number): Finding {
  const c = e.content!;
  for (let j = Math.max(0, i - REORDER_WINDOW); j < Math.min(entries.length, i + REORDER_WINDOW + 1); j++) {
    const other = entries[j]!;
    if (j === i || other.contentDigest === null) continue;
    const asThere = sha256Hex(atPosition(c.canonical, other.position));
    if (asThere === other.contentDigest || asThere === e.contentDigest) {
      return { position: e.position, kind: 'reordered', detail: `it holds the event written at position ${other.position}` };
    }
  }
  return { position: e.position, kind: 'changed', detail: 'its stored content does not match its content digest' };
}

/** the link does not follow from the entry before: which of the usual causes fits */
function linkFinding(e: ChainEntry, next: ChainEntry | undefined, previous: string, previousPosition: number, recomputed: string): Finding {
  if (next?.digest && next.contentDigest) {
    if (linkDigest(previous, next.contentDigest) === next.digest) {
      return { position: e.position, kind: 'inserted', detail: `it is not in the chain: the entry after it links to the one at ${previousPosition}` };
    }
    if (linkDigest(recomputed, next.contentDigest) === next.digest) {
      return { position: e.position, kind: 'changed', detail: 'its chain digest was edited (its content and the next link are intact)' };
    }
  }
  return {
    position: e.position,
    kind: 'missing',
    detail: `its link does not follow from the entry at ${previousPosition}: an entry between them was removed (or its chain digest was rewritten)`,
  };
}
