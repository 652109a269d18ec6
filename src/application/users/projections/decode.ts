/** Stored events are decoded, never trusted, in projections too. */
import * as E from 'fp-ts/Either';
import { decodeDomainEvent, type AnyDomainEvent } from '../../../domain';
import { CorruptEventError } from '../../command-handler';
import { withPersonal } from '../../personal-data';
import type { RecordedEvent } from '../../ports/event-store';

export const decodeRecorded = (event: RecordedEvent): AnyDomainEvent => {
  const decoded = decodeDomainEvent(withPersonal(event));
  if (E.isLeft(decoded)) throw new CorruptEventError(event, decoded.left.detail);
  return decoded.right;
};
