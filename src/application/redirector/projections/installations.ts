/**
 * `redirector-installations`: the registered installations for the operator, collection
 * `installations`, key `<installationId>`. No key material: not even the key's hash.
 */
import * as E from 'fp-ts/Either';
import { Installation } from '../../../domain';
import { CorruptEventError } from '../../command-handler';
import type { JsonObject } from '../../ports/event-store';
import { put, type Projection } from '../../projections/projection';

export const INSTALLATIONS_PROJECTION = 'redirector-installations';
export const INSTALLATIONS = 'installations';

export interface InstallationRow {
  readonly installationId: string;
  readonly name: string;
  readonly devicesUrl: string;
  readonly registeredAt: string;
  readonly apiKeyRotatedAt: string | null;
}

export const installationsProjection: Projection = {
  name: INSTALLATIONS_PROJECTION,
  version: 1,
  eventTypes: Installation.Event.types,
  async apply(recorded, view) {
    const decoded = Installation.Event.decode(recorded);
    if (E.isLeft(decoded)) throw new CorruptEventError(recorded, decoded.left);
    const event = decoded.right;
    switch (event.type) {
      case 'InstallationRegistered': {
        const { installationId, name, devicesUrl, at } = event.data;
        const row: InstallationRow = { installationId, name, devicesUrl, registeredAt: at, apiKeyRotatedAt: null };
        return [put(INSTALLATIONS, installationId, { ...row })];
      }
      case 'InstallationApiKeyRotated': {
        const row = await view.get<JsonObject & InstallationRow>(INSTALLATIONS, event.data.installationId);
        return row === undefined ? [] : [put(INSTALLATIONS, row.installationId, { ...row, apiKeyRotatedAt: event.data.at })];
      }
    }
  },
};
