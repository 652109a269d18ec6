/** Reads of the directory read model (`users-directory`). */
import type { ReadModelStore } from '../ports/read-model-store';
import type { Secrets } from '../ports/secrets';
import type { UserView } from './create-user';
import type { PhoneAppView } from './create-phone-app';
import { DIRECTORY, type PhoneAppDoc, type UserDoc } from './projections/directory';
import { tokenHashOf } from './hashing';

/** A page of a list: at most `limit` items with keys after `after`. */
export interface Page {
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

export const DEFAULT_PAGE = 1000;
/** Tokens are 43 characters; anything much longer is not one of ours. */
const MAX_TOKEN = 256;

const userView = (doc: UserDoc): UserView => ({ id: doc.id, name: doc.name, email: doc.email });

export async function listUsers(readModels: ReadModelStore, page: Page = {}): Promise<UserView[]> {
  const docs = await readModels.list<UserDoc>(DIRECTORY, 'users', { afterKey: page.after, limit: page.limit ?? DEFAULT_PAGE });
  return docs.map((d) => userView(d.doc));
}

export async function getUser(readModels: ReadModelStore, userId: string): Promise<UserView | undefined> {
  const doc = await readModels.get<UserDoc>(DIRECTORY, 'users', userId);
  return doc === undefined ? undefined : userView(doc);
}

export async function userNames(readModels: ReadModelStore, userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
  const docs = await readModels.getMany<UserDoc>(DIRECTORY, 'users', userIds);
  return new Map([...docs].map(([id, doc]) => [id, doc.name]));
}

/** The user a Profile token belongs to, or undefined. */
export async function userByToken(deps: { readonly readModels: ReadModelStore; readonly secrets: Secrets }, token: string): Promise<UserView | undefined> {
  if (token.length === 0 || token.length > MAX_TOKEN) return undefined;
  const owner = await deps.readModels.get<{ userId: string }>(DIRECTORY, 'tokens', tokenHashOf(deps.secrets, token));
  return owner === undefined ? undefined : getUser(deps.readModels, owner.userId);
}

export async function listPhoneApps(readModels: ReadModelStore): Promise<PhoneAppView[]> {
  const docs = await readModels.list<PhoneAppDoc>(DIRECTORY, 'phoneApps', { limit: 10_000 });
  return docs.map(({ doc }) => ({ id: doc.id, name: doc.name }));
}
