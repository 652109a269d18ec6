import { describe, expect, it } from 'vitest';
import { DocumentCache } from '../../src/application/projections/document-cache';

describe('the document cache of a live projection', () => {
  it('answers what was read or committed, absent documents as null, and nothing it never saw', () => {
    const cache = new DocumentCache(10);
    cache.read('c', 'a', { v: 1 });
    cache.read('c', 'b', undefined);
    cache.committed([
      { collection: 'c', key: 'x', doc: { v: 2 } },
      { collection: 'c', key: 'a', doc: null },
    ]);
    expect(cache.get('c', 'a')).toBeNull();
    expect(cache.get('c', 'b')).toBeNull();
    expect(cache.get('c', 'x')).toEqual({ v: 2 });
    expect(cache.get('c', 'never')).toBeUndefined();
    expect(cache.get('other', 'x')).toBeUndefined();
    cache.clear();
    expect(cache.get('c', 'x')).toBeUndefined();
  });

  it('lets the documents used least recently go first, beyond its bound', () => {
    const cache = new DocumentCache(2);
    cache.read('c', '1', { n: 1 });
    cache.read('c', '2', { n: 2 });
    cache.get('c', '1');
    cache.read('c', '3', { n: 3 });
    cache.read('c', '4', { n: 4 });
    cache.read('c', '5', { n: 5 });
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get('c', '2')).toBeUndefined();
    expect(cache.get('c', '4')).toEqual({ n: 4 });
    expect(cache.get('c', '5')).toEqual({ n: 5 });
  });

  it('keeps nothing with a bound of 0', () => {
    const cache = new DocumentCache(0);
    cache.read('c', '1', { n: 1 });
    expect(cache.get('c', '1')).toBeUndefined();
  });

  it('freezes what it keeps, deeply: a projection changing a document it read fails instead of changing the cache', () => {
    const cache = new DocumentCache(5);
    cache.read('c', 'k', { list: [{ n: 1 }], inner: { a: 1 } });
    const doc = cache.get('c', 'k') as { list: Array<{ n: number }>; inner: { a: number } };
    expect(() => doc.list.push({ n: 2 })).toThrow(TypeError);
    expect(() => {
      doc.inner.a = 2;
    }).toThrow(TypeError);
    expect(cache.get('c', 'k')).toEqual({ list: [{ n: 1 }], inner: { a: 1 } });
  });
});
