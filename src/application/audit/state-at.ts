/**
 * `zerotouch audit --at T`: the state of each subject stream at a past instant, folded
 * with the domain's own evolve functions from its events recorded up to and including T.
 */
import * as E from 'fp-ts/Either';
import { aggregateOfStream } from '../../domain/catalogue';
import type { Decider, DomainEvent } from '../../domain/decider';
import * as ConfigJob from '../../domain/devices/config-job';
import * as Device from '../../domain/devices/device';
import * as DeviceCode from '../../domain/devices/device-code';
import * as DeviceCodeAudit from '../../domain/devices/device-code-audit';
import * as DomainAdmin from '../../domain/devices/domain-admin';
import * as Tenant from '../../domain/devices/tenant';
import * as UpdateJob from '../../domain/devices/update-job';
import * as CodeAudit from '../../domain/redirector/code-audit';
import * as DevicesUrlReservation from '../../domain/redirector/devices-url-reservation';
import * as Installation from '../../domain/redirector/installation';
import * as MacClaim from '../../domain/redirector/mac-claim';
import * as ProvisioningCode from '../../domain/redirector/provisioning-code';
import * as PhoneApp from '../../domain/users/phone-app';
import * as Rollout from '../../domain/users/rollout';
import * as UnassignedPhone from '../../domain/users/unassigned-phone';
import * as User from '../../domain/users/user';
import * as UserDevice from '../../domain/users/user-device';
import type { RecordedEvent } from '../ports/event-store';

type Folding = Pick<Decider<unknown, DomainEvent, unknown>, 'evolve' | 'initialState'>;

const FOLDS: Readonly<Record<string, Folding>> = Object.fromEntries(
  [ConfigJob, Device, DeviceCode, DeviceCodeAudit, DomainAdmin, Tenant, UpdateJob, CodeAudit, DevicesUrlReservation, Installation, MacClaim, ProvisioningCode, PhoneApp, Rollout, UnassignedPhone, User, UserDevice].map(
    (m) => [m.streamCategory, m.decider as unknown as Folding],
  ),
);

export interface StreamState {
  readonly stream: string;
  readonly aggregate: string;
  /** the stream's version at the instant */
  readonly version: number;
  readonly state: unknown;
}

/**
 * Fold the events (in global order, personal parts merged into their data, as auditTrail
 * yields them) recorded at or before `at` into one state per aggregate stream.
 */
export class StateAt {
  private readonly streams = new Map<string, { aggregate: string; version: number; state: unknown }>();
  private readonly at: number;

  constructor(at: string) {
    this.at = Date.parse(at);
  }

  /** false for an event after the instant (not folded) */
  add(event: RecordedEvent): boolean {
    if (Date.parse(event.recordedAt) > this.at) return false;
    const aggregate = aggregateOfStream(event.streamName);
    const fold = aggregate && FOLDS[aggregate.streamCategory];
    if (!aggregate || !fold) return true;
    const decoded = aggregate.codec.decode({ type: event.type, data: event.data });
    if (E.isLeft(decoded)) return true; // an event this version cannot read changes nothing it can show
    const current = this.streams.get(event.streamName) ?? { aggregate: aggregate.aggregate, version: 0, state: fold.initialState };
    this.streams.set(event.streamName, { aggregate: aggregate.aggregate, version: event.streamVersion, state: fold.evolve(current.state, decoded.right as DomainEvent) });
    return true;
  }

  states(): StreamState[] {
    return [...this.streams].map(([stream, s]) => ({ stream, ...s }));
  }
}
