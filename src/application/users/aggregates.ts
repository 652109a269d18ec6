/** The Users aggregates as the command handler takes them: decider plus stored-event decoder. */
import { PhoneApp, Rollout, UnassignedPhone, User, UserDevice } from '../../domain';
import { aggregateOf } from '../command-handler';

export const users = aggregateOf(User);
export const phoneApps = aggregateOf(PhoneApp);
export const userDevices = aggregateOf(UserDevice);
export const unassignedPhones = aggregateOf(UnassignedPhone);
export const rollouts = aggregateOf(Rollout);
