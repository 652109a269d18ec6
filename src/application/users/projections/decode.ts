/** Stored events are decoded, never trusted, in projections too. */
import * as E from 'fp-ts/Either';
import { decodeDomainEvent, type AnyDomainEvent } from '../../../domain';
import { CorruptEventError } from '../../command-handler';
import type { RecordedEvent } from '../../ports/event-store';

export const decodeRecorded = (event: RecordedEvent): AnyDomainEvent => {
  const decoded = decodeDomainEvent(event);
  if (E.isLeft(decoded)) throw new CorruptEventError(event, decoded.left.detail);
  return decoded.right;
};
