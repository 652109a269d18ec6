/**
 * ConfigJob (Devices): one config type (`sip`, `time`, `ldap`, `expert`, or another
 * lowercase token) with its parameters for a domain and category or `*`
 * (`configJob-<jobId>`). A phone gets the latest job of every type matching it, merged
 * (`matching.ts`). Jobs are never edited; a cancelled job stops matching.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { CategorySelector } from '../values/category-id';
import { DomainName } from '../values/domain-name';
import { Id } from '../values/id';
import { JsonObject, parseJsonObject } from '../values/json';
import { invalid } from '../values/refuse';
import { Timestamp } from '../values/time';
import * as Tenant from './tenant';

export const streamCategory = 'configJob';
export const streamName = (jobId: Id): string => `${streamCategory}-${jobId}`;

interface ConfigTypeBrand {
  readonly ConfigType: unique symbol;
}
const CONFIG_TYPE = /^[a-z][a-z0-9-]{0,31}$/;

export const ConfigType = t.brand(t.string, (s): s is t.Branded<string, ConfigTypeBrand> => CONFIG_TYPE.test(s), 'ConfigType');
export type ConfigType = t.TypeOf<typeof ConfigType>;

export const parseConfigType = (input: string): E.Either<DomainError, ConfigType> =>
  CONFIG_TYPE.test(input)
    ? E.right(input as ConfigType)
    : invalid('a config type is a lowercase token (sip, time, ldap, expert, …), at most 32 characters');

/** At most this many characters of parameters per job. */
export const MAX_PARAMS_CHARS = 16_384;

const JobKeys = { jobId: Id, domain: DomainName, category: CategorySelector, type: ConfigType };

export const Event = eventCodec('ConfigJobEvent', {
  ConfigJobCreated: t.strict({ ...JobKeys, params: JsonObject, at: Timestamp }),
  ConfigJobCancelled: t.strict({ ...JobKeys, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command =
  | {
      readonly type: 'CreateConfigJob';
      readonly jobId: Id;
      readonly domain: DomainName;
      readonly category: CategorySelector;
      /** the domain's state, folded from its stream: the domain and a named category must exist */
      readonly domainState: Tenant.State;
      readonly configType: ConfigType;
      readonly params: unknown;
      readonly now: Timestamp;
    }
  | { readonly type: 'CancelConfigJob'; readonly jobId: Id; readonly now: Timestamp };

export interface Created {
  readonly status: 'active' | 'cancelled';
  readonly jobId: Id;
  readonly domain: DomainName;
  readonly category: CategorySelector;
  readonly type: ConfigType;
  readonly params: JsonObject;
  readonly createdAt: Timestamp;
}

export type State = { readonly status: 'none' } | Created;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'ConfigJobCreated': {
      const { at, ...job } = event.data;
      return { status: 'active', ...job, createdAt: at };
    }
    case 'ConfigJobCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled' };
  }
};

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'CreateConfigJob': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'a config job with this id exists'));
      const domain = Tenant.checkSelector(command.domainState, command.domain, command.category);
      if (E.isLeft(domain)) return domain;
      const params = parseJsonObject(command.params, MAX_PARAMS_CHARS);
      if (E.isLeft(params)) return params;
      const { jobId, category, configType, now } = command;
      return E.right([
        { type: 'ConfigJobCreated', data: { jobId, domain: command.domain, category, type: configType, params: params.right, at: now } },
      ]);
    }
    case 'CancelConfigJob': {
      if (state.status === 'none') return E.left(domainError('not-found', 'no such config job'));
      if (state.status === 'cancelled') return E.right([]);
      const { jobId, domain, category, type } = state;
      return E.right([{ type: 'ConfigJobCancelled', data: { jobId, domain, category, type, at: command.now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
