/**
 * Checks every event store adapter applies the same way, so the contract suite sees one
 * behaviour: what a valid append is, and what an expected version means.
 */
import {
  InvalidEventError,
  type EventMetadata,
  type ExpectedVersion,
  type JsonObject,
  type NewEvent,
  type PurgeOptions,
} from './event-store';
import { valueAt } from './personal-part';

const MAX_STREAM_NAME = 500;
const MAX_TYPE = 200;
const MAX_ID = 200;
const MAX_PATH = 500;

export function validateStreamName(streamName: unknown): asserts streamName is string {
  if (typeof streamName !== 'string' || streamName.trim().length === 0) {
    throw new InvalidEventError('stream name must be a non-empty string');
  }
  if (streamName.length > MAX_STREAM_NAME) {
    throw new InvalidEventError(`stream name longer than ${MAX_STREAM_NAME} characters`);
  }
  if (streamName.startsWith('$')) {
    throw new InvalidEventError('stream names starting with "$" are reserved');
  }
}

export function validateExpectedVersion(expected: unknown): asserts expected is ExpectedVersion {
  if (expected === 'any' || expected === 'no-stream') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new InvalidEventError(`expected version must be "any", "no-stream" or a version >= 0, got ${String(expected)}`);
}

/** A JSON value, checked deeply: no functions, symbols, bigints, non-finite numbers, cycles or class instances. */
function checkJson(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEventError(`${path} is not a finite number`);
      return;
    case 'object': {
      if (value === null) return;
      if (seen.has(value)) throw new InvalidEventError(`${path} is circular`);
      seen.add(value);
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item === undefined) throw new InvalidEventError(`${path}[${i}] is undefined`);
          checkJson(item, `${path}[${i}]`, seen);
        });
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new InvalidEventError(`${path} is not a plain JSON object`);
        }
        for (const [k, v] of Object.entries(value)) {
          if (v === undefined) continue; // dropped, as JSON does
          checkJson(v, `${path}.${k}`, seen);
        }
      }
      seen.delete(value);
      return;
    }
    default:
      throw new InvalidEventError(`${path} is not JSON (${typeof value})`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws InvalidEventError for anything an adapter must refuse before touching storage. */
export function validateAppend(streamName: unknown, events: unknown, expected: unknown = 'any'): void {
  validateStreamName(streamName);
  validateExpectedVersion(expected);
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidEventError('append needs a non-empty array of events');
  }
  const ids = new Set<string>();
  events.forEach((event: unknown, i) => {
    if (!isPlainObject(event)) throw new InvalidEventError(`event ${i} is not an object`);
    const { id, type, data, metadata, personal } = event;
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) {
      throw new InvalidEventError(`event ${i}: id must be a non-empty string of at most ${MAX_ID} characters`);
    }
    if (ids.has(id)) throw new InvalidEventError(`event ${i}: id ${id} appears twice in one append`);
    ids.add(id);
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE || type.startsWith('$')) {
      throw new InvalidEventError(`event ${i}: type must be a non-empty string of at most ${MAX_TYPE} characters, not starting with "$"`);
    }
    if (!isPlainObject(data)) throw new InvalidEventError(`event ${i} (${type}): data must be a JSON object`);
    checkJson(data, `event ${i} (${type}) data`, new Set());
    if (personal !== undefined) checkPersonal(personal, data, `event ${i} (${type})`);
    if (metadata !== undefined) {
      if (!isPlainObject(metadata)) throw new InvalidEventError(`event ${i} (${type}): metadata must be a JSON object`);
      checkJson(metadata, `event ${i} (${type}) metadata`, new Set());
    }
  });
}

/** A personal part: a flat object of paths to JSON values, none of whose paths is in the data. */
function checkPersonal(personal: unknown, data: Record<string, unknown>, what: string): void {
  if (!isPlainObject(personal)) throw new InvalidEventError(`${what}: personal must be a JSON object`);
  for (const [path, value] of Object.entries(personal)) {
    if (path.length === 0 || path.length > MAX_PATH || path.split('.').some((step) => step.length === 0)) {
      throw new InvalidEventError(`${what}: personal path ${JSON.stringify(path.slice(0, 60))} is not a path of 1 to ${MAX_PATH} characters`);
    }
    if (value === undefined) throw new InvalidEventError(`${what}: personal ${path} is undefined`);
    checkJson(value, `${what} personal ${path}`, new Set());
    if (valueAt(data as JsonObject, path) !== undefined) throw new InvalidEventError(`${what}: ${path} is in data and in personal`);
  }
}

/** Throws InvalidEventError for a purge an adapter must refuse before touching storage. */
export function validatePurge(streamName: unknown, options: PurgeOptions | undefined): void {
  validateStreamName(streamName);
  if (options === undefined) return;
  if (!isPlainObject(options)) throw new InvalidEventError('purge options must be an object');
  const { eventIds, legacyPaths } = options;
  if (eventIds !== undefined && (!Array.isArray(eventIds) || eventIds.some((id) => typeof id !== 'string'))) {
    throw new InvalidEventError('eventIds must be an array of event ids');
  }
  if (legacyPaths !== undefined) {
    if (!isPlainObject(legacyPaths)) throw new InvalidEventError('legacyPaths must be an object of event type to patterns');
    for (const patterns of Object.values(legacyPaths)) {
      if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string' || p.length === 0)) {
        throw new InvalidEventError('legacyPaths must map each event type to an array of patterns');
      }
    }
  }
}

/** Does a stream at `current` (0 = missing) satisfy `expected`? */
export function expectedVersionMatches(expected: ExpectedVersion, current: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no-stream':
      return current === 0;
    default:
      return expected === current;
  }
}

/** The JSON text adapters store: undefined properties dropped, everything else as given. */
export function toJsonText(value: JsonObject | EventMetadata | undefined): string {
  return JSON.stringify(value ?? {});
}

export function clampLimit(limit: number | undefined, fallback = 1000, max = 10_000): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new InvalidEventError(`limit must be a positive integer, got ${String(limit)}`);
  return Math.min(limit, max);
}

/** the most event types one read may ask for */
export const MAX_READ_TYPES = 100;

/** `types` of a read: undefined (every type) or 1 to MAX_READ_TYPES non-empty strings */
export function checkTypes(types: readonly string[] | undefined): readonly string[] | undefined {
  if (types === undefined) return undefined;
  if (!Array.isArray(types) || types.length === 0 || types.length > MAX_READ_TYPES) {
    throw new InvalidEventError(`types must be an array of 1 to ${MAX_READ_TYPES} event types`);
  }
  for (const type of types) {
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE) throw new InvalidEventError(`every event type to read must be a non-empty string of at most ${MAX_TYPE} characters`);
  }
  return [...new Set(types)];
}

export function checkPosition(position: number | undefined, what: string): number {
  if (position === undefined) return 0;
  if (!Number.isSafeInteger(position) || position < 0) throw new InvalidEventError(`${what} must be an integer >= 0, got ${String(position)}`);
  return position;
}

/** Events of one append, with undefined metadata normalised, ready to store. */
export function normaliseEvents(events: readonly NewEvent[]): readonly NewEvent[] {
  return events.map((e) => ({ id: e.id, type: e.type, data: e.data, personal: e.personal ?? {}, metadata: e.metadata ?? {} }));
}
