/**
 * `devices.devices`: one document per phone (collection `devices`, key: MAC) holding its
 * state folded with the domain's own `Device.evolve`, so a check-in can authenticate and
 * tell "nothing changed" with one lookup; and an index for the admin list (collection
 * `index`), newest placement first, by domain, category and state:
 * `all/<pos>`, `d/<domain>/<pos>`, `dc/<domain>/<category>/<pos>`, `s/<state>/<pos>`,
 * `ds/<domain>/<state>/<pos>`, `dcs/<domain>/<category>/<state>/<pos>`, where `<pos>` is the
 * log position of the event that put the phone where it is.
 */
import { Device, type Timestamp } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx, positionKey } from './doc-tx';

export const DEVICE_LIST = 'devices.devices';
export const DEVICES = 'devices';
export const DEVICE_INDEX = 'index';

export interface DeviceDoc {
  readonly mac: string;
  readonly state: Device.Known;
  /** position key of the event that placed it (domain, category, state) */
  readonly placed: string;
  /** when it was placed there */
  readonly since: Timestamp;
  readonly updatedAt: Timestamp;
}

export interface DeviceFilter {
  readonly domain?: string;
  readonly category?: string;
  readonly state?: string;
}

/** The index prefix for a filter; a category only within a domain. */
export const deviceIndexPrefix = (f: DeviceFilter): string | undefined => {
  const { domain, category, state } = f;
  if (category !== undefined && domain === undefined) return undefined;
  if (domain === undefined) return state === undefined ? 'all/' : `s/${state}/`;
  if (category === undefined) return state === undefined ? `d/${domain}/` : `ds/${domain}/${state}/`;
  return state === undefined ? `dc/${domain}/${category}/` : `dcs/${domain}/${category}/${state}/`;
};

const indexKeys = (state: Device.Known, placed: string): string[] => {
  const { domain, category, status } = state;
  return [
    {},
    { domain },
    { domain, category },
    { state: status },
    { domain, state: status },
    { domain, category, state: status },
  ].map((filter) => `${deviceIndexPrefix(filter)}${placed}`);
};

export const deviceListProjection: Projection = {
  name: DEVICE_LIST,
  version: 1,
  eventTypes: Device.Event.types,
  async apply(event, view) {
    const ev = decodeEvent(Device.Event, event);
    if (!ev) return [];
    const tx = new DocTx(view);
    const before = await tx.get<DeviceDoc>(DEVICES, ev.data.mac);
    const state = Device.evolve(before?.state ?? Device.initialState, ev);
    if (state.status === 'unknown') return [];
    const moved =
      before === undefined ||
      before.state.status !== state.status ||
      before.state.domain !== state.domain ||
      before.state.category !== state.category;
    const placed = moved ? positionKey(event.globalPosition) : before.placed;
    if (moved) {
      if (before) for (const key of indexKeys(before.state, before.placed)) tx.remove(DEVICE_INDEX, key);
      for (const key of indexKeys(state, placed)) tx.put(DEVICE_INDEX, key, { mac: state.mac });
    }
    const doc: DeviceDoc = { mac: state.mac, state, placed, since: moved ? ev.data.at : before.since, updatedAt: ev.data.at };
    tx.put(DEVICES, state.mac, doc);
    return tx.changes();
  },
};
