/**
 * Every aggregate of the domain with its stream category and event codec, so the
 * application can decode any stored event (projections, audit) without knowing where it
 * came from. Stream names are `<category>-<id>` with a dash-free category, so the category
 * is everything before the first dash (as EventStoreDB's `$by_category` and Emmett read it).
 */
import * as E from 'fp-ts/Either';
import { domainError, type DomainError } from './decider';
import type * as t from 'io-ts';
import { describeErrors, type PersonalFields } from './event-codec';
import * as ConfigJob from './devices/config-job';
import * as Device from './devices/device';
import * as DeviceCode from './devices/device-code';
import * as DeviceCodeAudit from './devices/device-code-audit';
import * as Tenant from './devices/tenant';
import * as DomainAdmin from './devices/domain-admin';
import * as UpdateJob from './devices/update-job';
import * as CodeAudit from './redirector/code-audit';
import * as DevicesUrlReservation from './redirector/devices-url-reservation';
import * as Installation from './redirector/installation';
import * as MacClaim from './redirector/mac-claim';
import * as ProvisioningCode from './redirector/provisioning-code';
import * as PhoneApp from './users/phone-app';
import * as Rollout from './users/rollout';
import * as UnassignedPhone from './users/unassigned-phone';
import * as User from './users/user';
import * as UserDevice from './users/user-device';

export type AnyDomainEvent =
  | ProvisioningCode.Event
  | CodeAudit.Event
  | Installation.Event
  | DevicesUrlReservation.Event
  | MacClaim.Event
  | Tenant.Event
  | DomainAdmin.Event
  | DeviceCode.Event
  | DeviceCodeAudit.Event
  | Device.Event
  | UpdateJob.Event
  | ConfigJob.Event
  | User.Event
  | PhoneApp.Event
  | UserDevice.Event
  | UnassignedPhone.Event
  | Rollout.Event;

export type Part = 'redirector' | 'devices' | 'users';

export interface AggregateEntry {
  readonly aggregate: string;
  readonly part: Part;
  readonly streamCategory: string;
  /** decodes the aggregate's stored events */
  readonly codec: t.Decoder<unknown, AnyDomainEvent> & { readonly types: readonly string[] };
  /** where its events hold personal data that a purge deletes (see PersonalFields) */
  readonly personal: PersonalFields;
}

const entry = (aggregate: string, part: Part, streamCategory: string, codec: AggregateEntry['codec'], personal: PersonalFields = {}): AggregateEntry => ({
  aggregate,
  part,
  streamCategory,
  codec,
  personal,
});

export const aggregates: readonly AggregateEntry[] = [
  entry('ProvisioningCode', 'redirector', ProvisioningCode.streamCategory, ProvisioningCode.Event),
  entry('CodeAudit', 'redirector', CodeAudit.streamCategory, CodeAudit.Event),
  entry('Installation', 'redirector', Installation.streamCategory, Installation.Event),
  entry('DevicesUrlReservation', 'redirector', DevicesUrlReservation.streamCategory, DevicesUrlReservation.Event),
  entry('MacClaim', 'redirector', MacClaim.streamCategory, MacClaim.Event),
  entry('Tenant', 'devices', Tenant.streamCategory, Tenant.Event),
  entry('DomainAdmin', 'devices', DomainAdmin.streamCategory, DomainAdmin.Event),
  entry('DeviceCode', 'devices', DeviceCode.streamCategory, DeviceCode.Event),
  entry('DeviceCodeAudit', 'devices', DeviceCodeAudit.streamCategory, DeviceCodeAudit.Event),
  entry('Device', 'devices', Device.streamCategory, Device.Event, Device.personalFields),
  entry('UpdateJob', 'devices', UpdateJob.streamCategory, UpdateJob.Event),
  entry('ConfigJob', 'devices', ConfigJob.streamCategory, ConfigJob.Event),
  entry('User', 'users', User.streamCategory, User.Event),
  entry('PhoneApp', 'users', PhoneApp.streamCategory, PhoneApp.Event),
  entry('UserDevice', 'users', UserDevice.streamCategory, UserDevice.Event, UserDevice.personalFields),
  entry('UnassignedPhone', 'users', UnassignedPhone.streamCategory, UnassignedPhone.Event, UnassignedPhone.personalFields),
  entry('Rollout', 'users', Rollout.streamCategory, Rollout.Event, Rollout.personalFields),
];

/** Every event type's personal fields, in one map (types without any are absent). */
export const personalFields: PersonalFields = Object.assign({}, ...aggregates.map((a) => a.personal)) as PersonalFields;

const NONE: readonly string[] = [];

/** The personal fields of an event type (none for a type without any, or unknown). */
export const personalFieldsOf = (type: string): readonly string[] => (Object.hasOwn(personalFields, type) ? personalFields[type]! : NONE);

const byType = new Map(aggregates.flatMap((a) => a.codec.types.map((type) => [type, a] as const)));
const byCategory = new Map(aggregates.map((a) => [a.streamCategory, a]));

/** The category of a stream name: everything before the first dash. */
export const streamCategoryOf = (streamName: string): string => {
  const dash = streamName.indexOf('-');
  return dash === -1 ? streamName : streamName.slice(0, dash);
};

/** The aggregate whose streams have this name's category, if any. */
export const aggregateOfStream = (streamName: string): AggregateEntry | undefined => byCategory.get(streamCategoryOf(streamName));

/** The aggregate that writes events of this type, if any. */
export const aggregateOfType = (type: string): AggregateEntry | undefined => byType.get(type);

/** Decode any stored domain event by its type (`validation-failed` for an unknown type or bad data). */
export const decodeDomainEvent = (stored: { readonly type: string; readonly data: unknown }): E.Either<DomainError, AnyDomainEvent> => {
  const aggregate = byType.get(stored.type);
  if (aggregate === undefined) return E.left(domainError('validation-failed', `unknown event type ${JSON.stringify(stored.type)}`));
  const decoded = aggregate.codec.decode({ type: stored.type, data: stored.data });
  return E.isLeft(decoded) ? E.left(domainError('validation-failed', describeErrors(decoded.left))) : decoded;
};
