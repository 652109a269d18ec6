/** The Users aggregates as the command handler takes them: decider plus stored-event decoder. */
import type { Aggregate } from '../command-handler';
import { PhoneApp, Rollout, UnassignedPhone, User, UserDevice, type Decider, type DomainEvent } from '../../domain';
import type * as t from 'io-ts';

const aggregate = <C, Ev extends DomainEvent, S>(decider: Decider<C, Ev, S>, codec: t.Decoder<unknown, Ev>): Aggregate<C, Ev, S> => ({
  decider,
  decode: (stored) => codec.decode(stored),
});

export const users = aggregate(User.decider, User.Event);
export const phoneApps = aggregate(PhoneApp.decider, PhoneApp.Event);
export const userDevices = aggregate(UserDevice.decider, UserDevice.Event);
export const unassignedPhones = aggregate(UnassignedPhone.decider, UnassignedPhone.Event);
export const rollouts = aggregate(Rollout.decider, Rollout.Event);
