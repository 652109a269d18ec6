/**
 * The hash chain part of the event store contract (called by event-store.contract.ts for
 * every adapter): what readChain and chainHead answer, and that audit verify passes on
 * whatever the port allows (appends from several writers, purges, deletes).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChainEntry, EventStore, NewEvent } from '../../src/application/ports/event-store';
import { GENESIS_DIGEST, linkDigest, sha256Hex } from '../../src/application/audit/chain-format';
import { verifyChain } from '../../src/application/audit/verify-chain';

const ev = (type: string, data: Record<string, unknown> = {}, personal?: Record<string, unknown>): NewEvent =>
  ({ id: randomUUID(), type, data, ...(personal && { personal }), metadata: { actor: 'test', correlationId: randomUUID() } }) as NewEvent;

let n = 0;
const stream = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++n}-${randomUUID().slice(0, 8)}`;

async function chainAfter(store: EventStore, after: number): Promise<ChainEntry[]> {
  const all: ChainEntry[] = [];
  for (;;) {
    const page = await store.readChain({ after, limit: 100 });
    all.push(...page.entries);
    if (page.entries.length === 0) return all;
    after = page.position;
  }
}

export function chainContract(getStore: () => EventStore, open: () => Promise<EventStore>, chained: boolean): void {
  describe('hash chain', () => {
    if (!chained) {
      it('says it keeps no chain, and verify says so', async () => {
        const store = getStore();
        expect(await store.chainHead()).toBeUndefined();
        expect((await store.readChain()).entries).toEqual([]);
        const report = await verifyChain(store);
        expect(report).toMatchObject({ chained: false, ok: false });
      });
      return;
    }

    it('chains every appended event to the one before it in the global order, up to the head', async () => {
      const store = getStore();
      const before = await store.headPosition();
      // text that JSON escapes, in every field the canonical form takes
      const odd = stream('quote"back\\slash\nline\ttab\u0001ctl-ünï-😀');
      await store.appendToStream(odd, [
        ev('Odd"Type\n', { text: 'a"b\\c\u0002\u007f\u2028', n: 1.5, big: 1e21, neg: -0, list: [null, true, { 'k"': 'v' }], '2': 'int-like key' }),
        ev('Personal', { codeHash: 'h' }, { code: '123456789012', 'entries.0.code': 'x"y' }),
      ]);
      const result = await store.appendToStream(stream('plain'), [ev('A'), ev('B'), ev('C')]);
      const head = await store.chainHead();
      expect(head).toBeDefined();
      expect(head!.position).toBe(result.lastGlobalPosition);
      const entries = await chainAfter(store, before);
      expect(entries.map((e) => e.position)).toEqual((await store.readAll({ after: before })).events.map((e) => e.globalPosition));
      expect(entries.at(-1)!.digest).toBe(head!.digest);
      // each link recomputed here from what the store answers
      const previous = before === 0 ? { digest: GENESIS_DIGEST } : (await store.readChain({ after: before - 1, limit: 1 })).entries[0]!;
      let digest = previous.digest!;
      const events = new Map((await store.readAll({ after: before })).events.map((e) => [e.globalPosition, e]));
      const typeOf = (entry: ChainEntry): string => (JSON.parse(entry.content!.canonical) as unknown[])[5] as string;
      for (const e of entries) {
        expect(e.content).toBeDefined();
        // the canonical form holds every stored field (the content digest, hashed at append, proves it is the same text)
        const event = events.get(e.position)!;
        const [format, position, streamName, version, id, type, recordedAt, data, metadata, personalDigest] = JSON.parse(e.content!.canonical) as unknown[];
        expect([format, position, streamName, version, id, type, data, metadata, personalDigest]).toEqual([
          'zt1',
          e.position,
          event.streamName,
          event.streamVersion,
          event.id,
          event.type,
          event.data,
          event.metadata,
          e.content!.personalDigest,
        ]);
        expect(String(recordedAt).startsWith(event.recordedAt.slice(0, -1))).toBe(true);
        expect(sha256Hex(e.content!.canonical)).toBe(e.contentDigest);
        digest = linkDigest(digest, e.contentDigest!);
        expect(e.digest).toBe(digest);
      }
      const personal = entries.find((e) => typeOf(e) === 'Personal')!.content!;
      expect(personal.personalDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(personal.personalSalt).toMatch(/^[0-9a-f]{32}$/);
      expect(entries.find((e) => typeOf(e) === 'A')!.content!.personalDigest).toBeNull();
      expect(await verifyChain(store)).toMatchObject({ chained: true, ok: true });
    });

    it('verifies after concurrent appends of two store instances', async () => {
      const store = getStore();
      const other = await open();
      try {
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).appendToStream(stream('race'), [ev('A', { i }), ev('B', { i }, { code: String(i) })])),
        );
        const report = await verifyChain(store);
        expect(report.failure).toBeUndefined();
        expect(report.ok).toBe(true);
        expect(report.checked).toBeGreaterThanOrEqual(80);
      } finally {
        await other.close();
      }
    });

    it('keeps verifying after a purge: the purged event keeps its digests, not its salt or values', async () => {
      const store = getStore();
      const s = stream('chain-purge');
      const personal = ev('Requested', { codeHash: 'h' }, { code: '987654321098' });
      await store.appendToStream(s, [personal, ev('Plain')]);
      const position = (await store.readStream(s)).events[0]!.globalPosition;
      const before = (await store.readChain({ after: position - 1, limit: 1 })).entries[0]!;
      await store.purgePersonalData(s);
      const after = (await store.readChain({ after: position - 1, limit: 1 })).entries[0]!;
      expect(after.digest).toBe(before.digest);
      expect(after.contentDigest).toBe(before.contentDigest);
      expect(after.content!.personalDigest).toBe(before.content!.personalDigest);
      expect(after.content!.personalSalt).toBeNull();
      expect(after.content!.personal).not.toContain('987654321098');
      const report = await verifyChain(store);
      expect(report.failure).toBeUndefined();
      expect(report.purged).toBeGreaterThanOrEqual(1);
    });

    it('keeps verifying after a delete: the deleted events leave tombstones with their digests and no content', async () => {
      const store = getStore();
      const s = stream('chain-delete');
      await store.appendToStream(s, [ev('Gone', { mac: '009033aabbcc' }), ev('Gone too')]);
      await store.appendToStream(stream('after-delete'), [ev('Stays')]);
      const positions = (await store.readStream(s)).events.map((e) => e.globalPosition);
      const before = await chainAfter(store, positions[0]! - 1);
      await store.deleteStream(s);
      const after = await chainAfter(store, positions[0]! - 1);
      expect(after.map((e) => [e.position, e.digest, e.contentDigest])).toEqual(before.map((e) => [e.position, e.digest, e.contentDigest]));
      for (const e of after.filter((x) => positions.includes(x.position))) expect(e.content).toBeUndefined();
      expect(JSON.stringify(after)).not.toContain('009033aabbcc');
      const report = await verifyChain(store);
      expect(report.failure).toBeUndefined();
      expect(report.deleted).toBeGreaterThanOrEqual(2);
      // a stream deleted at the end of the log: the head still matches
      const last = stream('chain-delete-last');
      await store.appendToStream(last, [ev('Last')]);
      await store.deleteStream(last);
      expect((await verifyChain(store)).ok).toBe(true);
    });

    it('holds verification to an anchor and to --from', async () => {
      const store = getStore();
      await store.appendToStream(stream('anchor'), [ev('A'), ev('B')]);
      const head = (await store.chainHead())!;
      await store.appendToStream(stream('anchor'), [ev('C')]);
      expect((await verifyChain(store, { anchor: { position: head.position, digest: head.digest } })).anchorMatched).toBe(true);
      const wrong = await verifyChain(store, { anchor: { position: head.position, digest: GENESIS_DIGEST } });
      expect(wrong.failure).toMatchObject({ position: head.position, kind: 'checkpoint' });
      const from = await verifyChain(store, { from: head.position, anchor: { position: head.position, digest: head.digest } });
      expect(from).toMatchObject({ ok: true, seededAt: head.position, anchorMatched: true });
    });
  });
}
