/** Run `work` over `items`, at most `size` at a time; results in the order of the items. */
export async function inBatches<A, B>(items: readonly A[], size: number, work: (item: A) => Promise<B>): Promise<B[]> {
  const out: B[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}
