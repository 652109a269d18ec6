/**
 * Tenant (Devices): a customer domain of Devices with its categories (`domain-<name>`). The
 * aggregate is called Tenant so that it does not read as the domain layer; its events keep
 * their names (`DomainCreated`, …) and its streams `domain-<name>`.
 * The app password Users logs in with is the key of an HMAC challenge, so Devices must be
 * able to read it back: it is stored sealed (encrypted by the application), never in the
 * clear. Categories are decided on the domain's stream, so ids are unique per domain.
 * Only categories enabled for provisioning are offered to Users and may get codes.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { ANY_CATEGORY, CategoryId, type CategorySelector } from '../values/category-id';
import { DomainName } from '../values/domain-name';
import { Sealed } from '../values/secret';
import { DisplayName } from '../values/text';
import { Timestamp } from '../values/time';

export const streamCategory = 'domain';
export const streamName = (domain: DomainName): string => `${streamCategory}-${domain}`;

export const Event = eventCodec('DomainEvent', {
  DomainCreated: t.strict({ domain: DomainName, appPasswordSealed: Sealed, at: Timestamp }),
  CategoryAdded: t.strict({
    domain: DomainName,
    categoryId: CategoryId,
    name: DisplayName,
    provisioning: t.boolean,
    at: Timestamp,
  }),
  CategoryProvisioningChanged: t.strict({
    domain: DomainName,
    categoryId: CategoryId,
    provisioning: t.boolean,
    at: Timestamp,
  }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command =
  | { readonly type: 'CreateDomain'; readonly domain: DomainName; readonly appPasswordSealed: Sealed; readonly now: Timestamp }
  | {
      readonly type: 'AddCategory';
      readonly domain: DomainName;
      readonly categoryId: CategoryId;
      readonly name: DisplayName;
      readonly provisioning: boolean;
      readonly now: Timestamp;
    }
  | {
      readonly type: 'SetCategoryProvisioning';
      readonly domain: DomainName;
      readonly categoryId: CategoryId;
      readonly provisioning: boolean;
      readonly now: Timestamp;
    };

export interface Category {
  readonly id: CategoryId;
  readonly name: DisplayName;
  readonly provisioning: boolean;
}

export interface Created {
  readonly status: 'created';
  readonly domain: DomainName;
  readonly appPasswordSealed: Sealed;
  /** in the order they were added */
  readonly categories: readonly Category[];
}

export type State = { readonly status: 'none' } | Created;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'DomainCreated':
      return { status: 'created', domain: event.data.domain, appPasswordSealed: event.data.appPasswordSealed, categories: [] };
    case 'CategoryAdded': {
      if (state.status === 'none') return state;
      const { categoryId: id, name, provisioning } = event.data;
      return { ...state, categories: [...state.categories, { id, name, provisioning }] };
    }
    case 'CategoryProvisioningChanged': {
      if (state.status === 'none') return state;
      const { categoryId, provisioning } = event.data;
      return { ...state, categories: state.categories.map((c) => (c.id === categoryId ? { ...c, provisioning } : c)) };
    }
  }
};

const domainNotFound = domainError('not-found', 'no such domain');
const categoryNotFound = domainError('not-found', 'no such category');

/** The domain's state if it is the domain named, else `not-found`. */
export const existingDomain = (state: State, domain: DomainName): E.Either<DomainError, Created> =>
  state.status === 'created' && state.domain === domain ? E.right(state) : E.left(domainNotFound);

export const findCategory = (state: State, categoryId: CategoryId): Category | undefined =>
  state.status === 'created' ? state.categories.find((c) => c.id === categoryId) : undefined;

/** Codes may only be issued for an existing category enabled for provisioning: `not-found` or `forbidden` otherwise. */
export const categoryForProvisioning = (state: State, categoryId: CategoryId): E.Either<DomainError, Category> => {
  if (state.status === 'none') return E.left(domainNotFound);
  const category = findCategory(state, categoryId);
  if (category === undefined) return E.left(categoryNotFound);
  return category.provisioning ? E.right(category) : E.left(domainError('forbidden', 'the category is not enabled for provisioning'));
};

/** A job or claim may name an existing category of the domain, or `*`: `not-found` otherwise. */
export const checkSelector = (state: State, domain: DomainName, selector: CategorySelector): E.Either<DomainError, Created> => {
  const existing = existingDomain(state, domain);
  if (E.isLeft(existing)) return existing;
  return selector === ANY_CATEGORY || findCategory(state, selector) !== undefined ? existing : E.left(categoryNotFound);
};

/** The categories Users may offer (GetCategories): those enabled for provisioning. */
export const provisioningCategories = (state: State): readonly Category[] =>
  state.status === 'created' ? state.categories.filter((c) => c.provisioning) : [];

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'CreateDomain':
      if (state.status !== 'none') return E.left(domainError('conflict', 'the domain exists already'));
      return E.right([
        { type: 'DomainCreated', data: { domain: command.domain, appPasswordSealed: command.appPasswordSealed, at: command.now } },
      ]);
    case 'AddCategory': {
      const existing = existingDomain(state, command.domain);
      if (E.isLeft(existing)) return existing;
      if (findCategory(state, command.categoryId) !== undefined) {
        return E.left(domainError('conflict', 'the domain has a category with this id already'));
      }
      const { type: _, now, ...category } = command;
      return E.right([{ type: 'CategoryAdded', data: { ...category, at: now } }]);
    }
    case 'SetCategoryProvisioning': {
      const existing = existingDomain(state, command.domain);
      if (E.isLeft(existing)) return existing;
      const category = findCategory(state, command.categoryId);
      if (category === undefined) return E.left(categoryNotFound);
      if (category.provisioning === command.provisioning) return E.right([]);
      const { type: _, now, ...change } = command;
      return E.right([{ type: 'CategoryProvisioningChanged', data: { ...change, at: now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
