/** One page of an admin list from a read-model index: at most `limit` keys after the cursor. */
import type { JsonObject } from '../ports/event-store';
import type { ReadModelStore, StoredDoc } from '../ports/read-model-store';
import { Refusal } from '../refusal';

export interface PageRequest {
  readonly limit: number;
  /** the `next` of the previous page */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** where the next page starts, when there may be one */
  readonly next: string | undefined;
}

export const MAX_PAGE = 1000;

export const readIndex = async <T extends JsonObject>(
  readModels: ReadModelStore,
  projection: string,
  collection: string,
  prefix: string,
  page: PageRequest,
  { reverse = false }: { readonly reverse?: boolean } = {},
): Promise<Page<StoredDoc<T>>> => {
  if (page.cursor !== undefined && !page.cursor.startsWith(prefix)) throw new Refusal('validation-failed', 'the cursor belongs to another list');
  const limit = Math.min(Math.max(1, page.limit), MAX_PAGE);
  const items = await readModels.list<T>(projection, collection, { prefix, reverse, limit, afterKey: page.cursor });
  return { items, next: items.length === limit ? items[items.length - 1]?.key : undefined };
};
