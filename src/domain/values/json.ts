/**
 * JSON values as event data may hold them: no undefined, no functions, no bigint, only
 * finite numbers. Mirrors the JSON types of the event store port without importing it.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const isJsonValue = (u: unknown, depth = 0): u is JsonValue => {
  if (depth > 32) return false;
  if (u === null || typeof u === 'string' || typeof u === 'boolean') return true;
  if (typeof u === 'number') return Number.isFinite(u);
  if (Array.isArray(u)) return u.every((v) => isJsonValue(v, depth + 1));
  if (typeof u === 'object' && Object.getPrototypeOf(u) === Object.prototype) {
    return Object.values(u).every((v) => isJsonValue(v, depth + 1));
  }
  return false;
};

const isJsonObject = (u: unknown): u is JsonObject =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && isJsonValue(u);

export const JsonObject = new t.Type<JsonObject, JsonObject, unknown>(
  'JsonObject',
  isJsonObject,
  (u, c) => (isJsonObject(u) ? t.success(u) : t.failure(u, c, 'a JSON object (finite numbers, nesting at most 32 deep)')),
  t.identity,
);

/** A JSON object of at most `maxBytes` characters when written out. */
export const parseJsonObject = (input: unknown, maxBytes = 16_384): E.Either<DomainError, JsonObject> => {
  if (!isJsonObject(input)) return invalid('expected a JSON object');
  return JSON.stringify(input).length > maxBytes ? invalid(`a JSON object of at most ${maxBytes} characters`) : E.right(input);
};
