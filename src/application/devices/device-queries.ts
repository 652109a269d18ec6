/**
 * What the admin reads about phones (SPEC §5.3): the list, newest placement first, with
 * when each phone last checked in, narrowed on the server by domain, category and state
 * (from the index) and by MAC, model and firmware (a bounded scan of the index); and one
 * phone with its whole history from its stream, what it is offered now, and when it got
 * each update and config.
 */
import { withPersonal } from '../personal-data';
import { Device, type Mac, type MergedConfig } from '../../domain';
import { offerInputs } from './offer-cache';
import type { JsonObject } from '../ports/event-store';
import type { DevicesDeps } from './deps';
import { readIndex, type Page, type PageRequest } from './paging';
import { DEVICE_INDEX, DEVICE_LIST, deviceIndexPrefix, DEVICES, type DeviceDoc, type DeviceFilter } from './projections/device-list';
import { listDomain, sees, type AdminScope } from './admin-scope';
import { Refusal } from '../refusal';

type Deps = Pick<DevicesDeps, 'events' | 'readModels' | 'presence'>;

export interface DeviceSummary {
  readonly mac: string;
  readonly domain: string;
  readonly category: string;
  readonly model: string | null;
  readonly firmware: string | null;
  readonly bootcode: string | null;
  readonly configRevision: string | null;
  readonly state: Device.DeviceStatus;
  /** when it came into this domain, category and state */
  readonly since: string;
  readonly lastSeen: string | null;
}

const summary = (doc: DeviceDoc, lastSeen: string | undefined): DeviceSummary => ({
  mac: doc.mac,
  domain: doc.state.domain,
  category: doc.state.category,
  model: doc.state.model,
  firmware: doc.state.firmware,
  bootcode: doc.state.bootcode,
  configRevision: doc.state.configRevision,
  state: doc.state.status,
  since: doc.since,
  lastSeen: lastSeen ?? null,
});

/** a phone's document (authentication, check-in) */
export const deviceDoc = (deps: Pick<DevicesDeps, 'readModels'>, mac: string): Promise<DeviceDoc | undefined> =>
  deps.readModels.get<DeviceDoc & JsonObject>(DEVICE_LIST, DEVICES, mac);

/** what the list is narrowed by beyond the index: all given must hold */
export interface DeviceSearch {
  /** hex digits of the MAC, anywhere in it (separators ignored) */
  readonly mac?: string;
  /** the model, exactly (IP112) */
  readonly model?: string;
  /** the firmware version, exactly */
  readonly firmware?: string;
}

/** index entries one request reads at most while searching; the cursor says where to go on */
export const SEARCH_SCAN = 10_000;
const SCAN_BATCH = 500;

const matches = (doc: DeviceDoc, search: DeviceSearch): boolean =>
  (search.mac === undefined || doc.mac.includes(search.mac)) &&
  (search.model === undefined || doc.state.model === search.model) &&
  (search.firmware === undefined || doc.state.firmware === search.firmware);

export const listDevices = async (deps: Deps, scope: AdminScope, requested: DeviceFilter & DeviceSearch, page: PageRequest): Promise<Page<DeviceSummary>> => {
  const domain = listDomain(scope, requested.domain);
  if (domain === null) return { items: [], next: undefined };
  const filter: DeviceFilter = { ...requested, ...(domain === undefined ? {} : { domain }) };
  const prefix = deviceIndexPrefix(filter);
  if (prefix === undefined) throw new Refusal('validation-failed', 'filter by category only together with a domain');
  const search: DeviceSearch = { mac: requested.mac, model: requested.model, firmware: requested.firmware };
  const searching = search.mac !== undefined || search.model !== undefined || search.firmware !== undefined;
  const found: DeviceDoc[] = [];
  let next: string | undefined;
  let cursor = page.cursor;
  // without a search one index page is the answer; with one, index pages are read and
  // their phones kept while they match, until the page is full or the scan budget spent
  for (let scanned = 0; ; ) {
    const batch = searching ? Math.min(SCAN_BATCH, SEARCH_SCAN - scanned) : page.limit;
    const index = await readIndex<{ mac: string }>(deps.readModels, DEVICE_LIST, DEVICE_INDEX, prefix, { limit: batch, ...(cursor !== undefined ? { cursor } : {}) }, { reverse: true });
    const docs = await deps.readModels.getMany<DeviceDoc & JsonObject>(DEVICE_LIST, DEVICES, index.items.map((item) => item.doc.mac));
    next = index.next;
    for (const item of index.items) {
      scanned += 1;
      const doc = docs.get(item.doc.mac);
      if (doc && (!searching || matches(doc, search))) found.push(doc);
      if (searching && found.length === page.limit) {
        // full: go on after this entry next time (unless it was the last one there is)
        next = item.key === index.items.at(-1)?.key ? index.next : item.key;
        break;
      }
    }
    if (!searching || found.length === page.limit || next === undefined || scanned >= SEARCH_SCAN) break;
    cursor = next;
  }
  const seen = await deps.presence.lastSeen(found.map((doc) => doc.mac));
  return { items: found.map((doc) => summary(doc, seen.get(doc.mac))), next };
};

export interface HistoryEntry {
  readonly version: number;
  readonly type: string;
  readonly at: string;
  readonly data: JsonObject;
}

/** when a phone was offered a job or revision, and when it reported how it went */
interface Times {
  readonly offeredAt: string | null;
  readonly reportedAt: string | null;
}

export interface DeviceDetails extends DeviceSummary {
  readonly firmwareJobs: ReadonlyArray<Device.FirmwareJobRecord & Times>;
  readonly configs: ReadonlyArray<Device.ConfigRecord & Times>;
  readonly notices: Device.Known['notices'];
  /** what its domain and category offer it now: the latest matching update job, the merged config */
  readonly current: { readonly updateJob: { readonly jobId: string; readonly version: string } | null; readonly config: MergedConfig | null };
  readonly history: readonly HistoryEntry[];
}

/** the times of the events about one job (`jobId`) or revision (`revision`) */
const timesOf = (history: readonly HistoryEntry[], key: 'jobId' | 'revision', value: string, offered: string, reported: readonly string[]): Times => {
  const about = history.filter((e) => e.data[key] === value);
  return {
    offeredAt: about.find((e) => e.type === offered)?.at ?? null,
    reportedAt: about.filter((e) => reported.includes(e.type)).at(-1)?.at ?? null,
  };
};

/** a credential's hash says nothing to an admin and is better not shown */
const withoutCredential = ({ credentialHash: _, ...data }: JsonObject): JsonObject => data;

export const deviceDetails = async (deps: Deps, scope: AdminScope, mac: Mac): Promise<DeviceDetails> => {
  const [doc, stream, seen] = await Promise.all([deviceDoc(deps, mac), deps.events.readStream(Device.streamName(mac)), deps.presence.lastSeen([mac])]);
  if (doc === undefined || !sees(scope, doc.state.domain)) throw new Refusal('not-found', `no phone ${mac}`);
  const history = stream.events.map(withPersonal).map((event) => ({
    version: event.streamVersion,
    type: event.type,
    at: typeof event.data['at'] === 'string' ? event.data['at'] : event.recordedAt,
    data: withoutCredential(event.data),
  }));
  const { firmwareJobs, configs, notices, domain, category } = doc.state;
  const offer = await offerInputs(deps.readModels, domain, category);
  return {
    ...summary(doc, seen.get(mac)),
    firmwareJobs: firmwareJobs.map((j) => ({ ...j, ...timesOf(history, 'jobId', j.jobId, 'FirmwareOffered', ['FirmwareApplied', 'FirmwareFailed']) })),
    configs: configs.map((c) => ({ ...c, ...timesOf(history, 'revision', c.revision, 'ConfigOffered', ['ConfigApplied', 'ConfigFailed']) })),
    notices,
    current: { updateJob: offer.updateJob ? { jobId: offer.updateJob.jobId, version: offer.updateJob.firmware.version } : null, config: offer.config },
    history,
  };
};
