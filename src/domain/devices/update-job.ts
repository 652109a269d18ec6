/**
 * UpdateJob (Devices): bring the phones of a domain and category (or `*`, every category
 * of the domain) to a firmware, as described when the job was made (`updateJob-<jobId>`).
 * Jobs are never edited: a newer job supersedes, a cancelled job stops matching. A staged
 * job opens its waves one by one (`waves.ts`) and halts when a wave fails too often;
 * nothing changes after a cancel or a halt.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { CategorySelector } from '../values/category-id';
import { DomainName } from '../values/domain-name';
import { Firmware } from '../values/firmware';
import { Id } from '../values/id';
import { Timestamp } from '../values/time';
import * as Tenant from './tenant';
import {
  failureRate,
  FailureThreshold,
  parseFailureThreshold,
  parseWaves,
  parseWaveStats,
  Percent,
  Rate,
  WaveIndex,
  Waves,
  waveVerdict,
  type WaveStats,
} from './waves';

export const streamCategory = 'updateJob';
export const streamName = (jobId: Id): string => `${streamCategory}-${jobId}`;

const JobKeys = { jobId: Id, domain: DomainName, category: CategorySelector };

export const Event = eventCodec('UpdateJobEvent', {
  UpdateJobCreated: t.strict({
    ...JobKeys,
    firmware: Firmware,
    waves: Waves,
    failureThreshold: FailureThreshold,
    at: Timestamp,
  }),
  UpdateJobCancelled: t.strict({ ...JobKeys, at: Timestamp }),
  UpdateWaveAdvanced: t.strict({ ...JobKeys, wave: WaveIndex, percent: Percent, at: Timestamp }),
  UpdateJobHalted: t.strict({ ...JobKeys, wave: WaveIndex, failureRate: Rate, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command =
  | {
      readonly type: 'CreateUpdateJob';
      readonly jobId: Id;
      readonly domain: DomainName;
      readonly category: CategorySelector;
      /** the domain's state, folded from its stream: the domain and a named category must exist */
      readonly domainState: Tenant.State;
      /** the firmware description current now: the job keeps this snapshot */
      readonly firmware: Firmware;
      /** cumulative percentages, default [100] (everyone at once) */
      readonly waves?: readonly number[];
      /** halt when a wave's failure rate reaches this, default 0.1 */
      readonly failureThreshold?: number;
      readonly now: Timestamp;
    }
  | { readonly type: 'CancelUpdateJob'; readonly jobId: Id; readonly now: Timestamp }
  | {
      readonly type: 'AdvanceWave';
      readonly jobId: Id;
      /** the index of the wave the counts are for: the open one */
      readonly wave: number;
      readonly stats: WaveStats;
      readonly now: Timestamp;
    };

export interface Created {
  readonly status: 'running' | 'halted' | 'cancelled';
  readonly jobId: Id;
  readonly domain: DomainName;
  readonly category: CategorySelector;
  readonly firmware: Firmware;
  readonly waves: readonly number[];
  readonly failureThreshold: number;
  readonly openWave: number;
  readonly createdAt: Timestamp;
}

export type State = { readonly status: 'none' } | Created;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'UpdateJobCreated': {
      const { at, ...job } = event.data;
      return { status: 'running', ...job, openWave: 0, createdAt: at };
    }
    case 'UpdateJobCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled' };
    case 'UpdateWaveAdvanced':
      return state.status === 'none' ? state : { ...state, openWave: event.data.wave };
    case 'UpdateJobHalted':
      return state.status === 'none' ? state : { ...state, status: 'halted' };
  }
};

const notFound = domainError('not-found', 'no such update job');

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'CreateUpdateJob': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'an update job with this id exists'));
      const domain = Tenant.checkSelector(command.domainState, command.domain, command.category);
      if (E.isLeft(domain)) return domain;
      const waves = parseWaves(command.waves);
      if (E.isLeft(waves)) return waves;
      const failureThreshold = parseFailureThreshold(command.failureThreshold);
      if (E.isLeft(failureThreshold)) return failureThreshold;
      const { jobId, category, firmware, now } = command;
      return E.right([
        {
          type: 'UpdateJobCreated',
          data: {
            jobId,
            domain: command.domain,
            category,
            firmware,
            waves: [...waves.right],
            failureThreshold: failureThreshold.right,
            at: now,
          },
        },
      ]);
    }
    case 'CancelUpdateJob': {
      if (state.status === 'none') return E.left(notFound);
      if (state.status === 'cancelled') return E.right([]);
      const { jobId, domain, category } = state;
      return E.right([{ type: 'UpdateJobCancelled', data: { jobId, domain, category, at: command.now } }]);
    }
    case 'AdvanceWave': {
      if (state.status === 'none') return E.left(notFound);
      if (state.status !== 'running' || command.wave < state.openWave) return E.right([]);
      if (command.wave > state.openWave) return E.left(domainError('conflict', `wave ${state.openWave} is the open wave`));
      if (state.openWave >= state.waves.length - 1) return E.right([]);
      const stats = parseWaveStats(command.stats);
      if (E.isLeft(stats)) return stats;
      const { jobId, domain, category } = state;
      switch (waveVerdict(stats.right, state.failureThreshold)) {
        case 'wait':
          return E.right([]);
        case 'advance': {
          const wave = state.openWave + 1;
          const percent = state.waves[wave] ?? 100;
          return E.right([{ type: 'UpdateWaveAdvanced', data: { jobId, domain, category, wave, percent, at: command.now } }]);
        }
        case 'halt':
          return E.right([
            {
              type: 'UpdateJobHalted',
              data: { jobId, domain, category, wave: state.openWave, failureRate: failureRate(stats.right), at: command.now },
            },
          ]);
      }
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
