/**
 * Personal data as a part of each stored event (docs/events.md, "Personal data and its
 * deletion"): the command handler splits each new event by the domain's declaration
 * (`personalFieldsOf`), so the store's data never holds a personal value; every reader
 * merges the personal part back (`withPersonal`) before decoding, so deciders and
 * projections see the whole event, with nulls where a purge deleted a value.
 */
import { personalFields, personalFieldsOf } from '../domain';
import type { JsonObject, NewEvent, RecordedEvent } from './ports/event-store';
import { mergePersonal, NO_PERSONAL, splitPersonal } from './ports/personal-part';

/** A new event with its personal fields moved from `data` to `personal`. */
export const splitEvent = (event: NewEvent): NewEvent => {
  const patterns = personalFieldsOf(event.type);
  if (patterns.length === 0) return event;
  const { data, personal } = splitPersonal(event.data, patterns);
  return { ...event, data, personal };
};

/**
 * The stored event as a whole: its personal part set into its data (the part itself is
 * then empty, so merging again changes nothing). An event stored before personal parts
 * existed holds its personal values in data already and comes back as it is.
 */
export const withPersonal = <E extends RecordedEvent>(event: E): E => {
  const keys = Object.keys(event.personal);
  if (keys.length === 0) return event;
  return { ...event, data: mergePersonal(event.data, event.personal) as JsonObject, personal: NO_PERSONAL };
};

/** For a purge: where events written before personal parts existed hold personal values in data. */
export const legacyPaths = personalFields;
