/**
 * What the admin reads about phones (SPEC §5.3): the list, newest placement first, with
 * when each phone last checked in; and one phone with its whole history from its stream.
 */
import { withPersonal } from '../personal-data';
import { Device, type Mac } from '../../domain';
import type { JsonObject } from '../ports/event-store';
import type { DevicesDeps } from './deps';
import { readIndex, type Page, type PageRequest } from './paging';
import { DEVICE_INDEX, DEVICE_LIST, deviceIndexPrefix, DEVICES, type DeviceDoc, type DeviceFilter } from './projections/device-list';
import { listDomain, sees, type AdminScope } from './admin-scope';
import { Refusal } from './refusal';

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

export const listDevices = async (deps: Deps, scope: AdminScope, requested: DeviceFilter, page: PageRequest): Promise<Page<DeviceSummary>> => {
  const domain = listDomain(scope, requested.domain);
  if (domain === null) return { items: [], next: undefined };
  const filter: DeviceFilter = { ...requested, ...(domain === undefined ? {} : { domain }) };
  const prefix = deviceIndexPrefix(filter);
  if (prefix === undefined) throw new Refusal('validation-failed', 'filter by category only together with a domain');
  const index = await readIndex<{ mac: string }>(deps.readModels, DEVICE_LIST, DEVICE_INDEX, prefix, page, true);
  const macs = index.items.map((item) => item.doc.mac);
  const [docs, seen] = await Promise.all([deps.readModels.getMany<DeviceDoc & JsonObject>(DEVICE_LIST, DEVICES, macs), deps.presence.lastSeen(macs)]);
  const items = macs.flatMap((mac) => {
    const doc = docs.get(mac);
    return doc ? [summary(doc, seen.get(mac))] : [];
  });
  return { items, next: index.next };
};

export interface HistoryEntry {
  readonly version: number;
  readonly type: string;
  readonly at: string;
  readonly data: JsonObject;
}

export interface DeviceDetails extends DeviceSummary {
  readonly firmwareJobs: Device.Known['firmwareJobs'];
  readonly configs: Device.Known['configs'];
  readonly notices: Device.Known['notices'];
  readonly history: readonly HistoryEntry[];
}

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
  const { firmwareJobs, configs, notices } = doc.state;
  return { ...summary(doc, seen.get(mac)), firmwareJobs, configs, notices, history };
};
