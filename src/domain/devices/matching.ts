/**
 * The matching rules (SPEC §2 "Software and config updates"), pure, for the projections
 * and the check-in:
 * - a job matches a phone when it has the phone's domain and either the phone's category
 *   or `*`; a job naming the category beats any `*` job; among equals the latest wins;
 *   cancelled jobs never match;
 * - a phone gets the latest matching update job, and the latest matching config job of
 *   every type, merged;
 * - firmware first: config is offered only once the phone's firmware matches; each is
 *   offered until the phone reports the job's version or the current config revision.
 */
import { ANY_CATEGORY, type CategoryId, type CategorySelector } from '../values/category-id';
import type { ConfigRevision } from '../values/config-revision';
import type { DomainName } from '../values/domain-name';
import type { Firmware } from '../values/firmware';
import type { FirmwareVersion } from '../values/firmware-version';
import { fnv1a64Hex } from '../values/hash';
import type { Id } from '../values/id';
import type { JsonObject } from '../values/json';
import type { Mac } from '../values/mac';
import type { Model } from '../values/model';
import { inOpenWave } from './waves';

/** What matching needs of a job. The states of `UpdateJob` and `ConfigJob` fit. */
export interface MatchableJob {
  readonly jobId: Id;
  readonly domain: DomainName;
  readonly category: CategorySelector;
  /** `cancelled` never matches */
  readonly status: string;
}

/**
 * The category selectors a phone of `category` matches, the winning one first: its own
 * category, then `*` (for `*` itself, just `*`). The one place where a job naming the
 * category beats `*`: job matching here, the check-in's lookups of the heads and merged
 * configs, and the config projection's merges all take their order from it.
 */
export const selectorsByPrecedence = (category: CategorySelector): readonly CategorySelector[] =>
  category === ANY_CATEGORY ? [ANY_CATEGORY] : [category, ANY_CATEGORY];

/** What `find` gives for the first selector of `category` that has something (`selectorsByPrecedence`), or null. */
export const byPrecedence = <T>(category: CategorySelector, find: (selector: CategorySelector) => T | undefined): T | null => {
  for (const selector of selectorsByPrecedence(category)) {
    const found = find(selector);
    if (found !== undefined) return found;
  }
  return null;
};

/** The latest of `jobs` (given in creation order) matching domain and category; a named category beats `*`. */
export const latestMatching = <J extends MatchableJob>(jobs: readonly J[], domain: DomainName, category: CategoryId): J | null => {
  const latest = new Map<CategorySelector, J>();
  for (const job of jobs) if (job.status !== 'cancelled' && job.domain === domain) latest.set(job.category, job);
  return byPrecedence(category, (selector) => latest.get(selector));
};

/** An update job as the check-in needs it. The state of `UpdateJob` fits. */
export interface UpdateJobView extends MatchableJob {
  readonly firmware: Firmware;
  readonly waves: readonly number[];
  readonly openWave: number;
}

/** The update job a phone of this domain and category is brought to (jobs in creation order). */
export const latestUpdateJob = <J extends MatchableJob>(jobs: readonly J[], domain: DomainName, category: CategoryId): J | null =>
  latestMatching(jobs, domain, category);

/** A config job as merging needs it. The state of `ConfigJob` fits. */
export interface ConfigJobView extends MatchableJob {
  readonly type: string;
  readonly params: JsonObject;
}

export interface MergedConfig {
  /** names this combination of jobs; changes whenever a different job wins a type */
  readonly revision: ConfigRevision;
  /** params by config type */
  readonly settings: { readonly [type: string]: JsonObject };
}

/** Derive the revision from the winning job of each type (jobs are immutable, so their ids say it all). */
export const configRevision = (winners: ReadonlyArray<readonly [type: string, jobId: Id]>): ConfigRevision =>
  fnv1a64Hex(
    [...winners]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([type, jobId]) => `${type}=${jobId}`)
      .join('\n'),
  ) as ConfigRevision;

/** The latest matching job of every type, merged; null when no config job matches. Jobs in creation order. */
export const mergedConfig = (jobs: readonly ConfigJobView[], domain: DomainName, category: CategoryId): MergedConfig | null => {
  const types = [...new Set(jobs.map((job) => job.type))].sort();
  const winners: Array<readonly [string, ConfigJobView]> = [];
  for (const type of types) {
    const winner = latestMatching(
      jobs.filter((job) => job.type === type),
      domain,
      category,
    );
    if (winner !== null) winners.push([type, winner]);
  }
  if (winners.length === 0) return null;
  return {
    revision: configRevision(winners.map(([type, job]) => [type, job.jobId] as const)),
    settings: Object.fromEntries(winners.map(([type, job]) => [type, job.params])),
  };
};

/** What the check-in needs of a phone. */
export interface OfferTarget {
  readonly mac: Mac;
  /** only an active phone is offered anything (not one awaiting approval) */
  readonly status: string;
  readonly model: Model | null;
  readonly firmware: FirmwareVersion | null;
  readonly configRevision: ConfigRevision | null;
}

/** The firmware part of a check-in answer (SPEC §5.1). */
export interface FirmwareOffer {
  readonly jobId: Id;
  readonly version: FirmwareVersion;
  readonly url: string;
  readonly sha256: string;
  readonly bootcode: FirmwareVersion;
}

export interface Offer {
  readonly firmware: FirmwareOffer | null;
  readonly config: MergedConfig | null;
}

export const NO_OFFER: Offer = { firmware: null, config: null };

/**
 * The firmware a phone should load now: the job's, while the phone runs another version,
 * the job has a file for its model and the phone is in the job's open wave.
 */
export const firmwareOffer = (phone: OfferTarget, job: UpdateJobView | null): FirmwareOffer | null => {
  if (job === null || phone.model === null || phone.firmware === job.firmware.version) return null;
  const file = job.firmware.files[phone.model];
  if (file === undefined || !inOpenWave(job, phone.mac)) return null;
  return { jobId: job.jobId, version: job.firmware.version, url: file.url, sha256: file.sha256, bootcode: job.firmware.bootcode };
};

/** Firmware first; config only once no firmware is due, and until the phone reports the current revision. */
export const nextOffer = (phone: OfferTarget, job: UpdateJobView | null, config: MergedConfig | null): Offer => {
  if (phone.status !== 'active') return NO_OFFER;
  const firmware = firmwareOffer(phone, job);
  if (firmware !== null) return { firmware, config: null };
  return { firmware: null, config: config !== null && phone.configRevision !== config.revision ? config : null };
};
