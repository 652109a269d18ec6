/**
 * `users-directory`: the people of the domain and the phone apps.
 * - `users` by user id: `{id, name, email, createdAt}`
 * - `tokens` by token hash: `{userId}` (Profile login)
 * - `phoneApps` by phone app id: `{id, name}`
 */
import type { Projection } from '../../projections/projection';
import { put } from '../../projections/projection';
import { decodeRecorded } from './decode';

export const DIRECTORY = 'users-directory';

export interface UserDoc {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly createdAt: string;
  readonly [key: string]: string | null;
}

export interface PhoneAppDoc {
  readonly id: string;
  readonly name: string;
  readonly [key: string]: string;
}

export const directoryProjection: Projection = {
  name: DIRECTORY,
  version: 1,
  eventTypes: ['UserCreated', 'UserTokenIssued', 'PhoneAppCreated'],
  apply(recorded) {
    const event = decodeRecorded(recorded);
    switch (event.type) {
      case 'UserCreated': {
        const { userId, name, email, at } = event.data;
        return [put('users', userId, { id: userId, name, email, createdAt: at })];
      }
      case 'UserTokenIssued':
        return [put('tokens', event.data.tokenHash, { userId: event.data.userId })];
      case 'PhoneAppCreated':
        return [put('phoneApps', event.data.phoneAppId, { id: event.data.phoneAppId, name: event.data.name })];
      default:
        return [];
    }
  },
};
