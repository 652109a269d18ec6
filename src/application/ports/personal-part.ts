/**
 * The personal part of a stored event: the values of its personal fields (those deleted
 * when the data tied to a code is purged), kept apart from the rest of its data, as a flat
 * map from a path to a value: `{"code": "123456789012", "entries.3.code": "…"}`. A path
 * names object keys and array indexes, separated by dots. `data` never holds a value at a
 * path of the personal part; a purge sets every value of the part to null and keeps the
 * paths, so a purged event still says which fields it had.
 *
 * What the domain declares are patterns: a path whose `[]` stands for every item of an
 * array (`entries[].code`). `splitPersonal` takes the values at a pattern's paths out of
 * the data; `mergePersonal` puts them back. Both copy: what a store handed out is never
 * changed.
 */
import type { JsonObject, JsonValue } from './event-store';

/** path → value (null once purged) */
export type PersonalPart = Readonly<Record<string, JsonValue>>;

/** per event type, the patterns of its personal fields (`code`, `entries[].code`) */
export type PersonalPaths = Readonly<Record<string, readonly string[]>>;

export const NO_PERSONAL: PersonalPart = Object.freeze({});

const isObject = (v: JsonValue | undefined): v is { [key: string]: JsonValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The concrete paths a pattern names in `data` (only those whose key is present). */
export function expandPattern(data: JsonValue, pattern: string): string[] {
  const out: string[] = [];
  const walk = (value: JsonValue | undefined, steps: readonly string[], at: string): void => {
    if (steps.length === 0) return;
    const [step, ...rest] = steps as [string, ...string[]];
    const arrayStep = step.endsWith('[]');
    const key = arrayStep ? step.slice(0, -2) : step;
    if (!isObject(value) || !Object.hasOwn(value, key)) return;
    const path = at === '' ? key : `${at}.${key}`;
    const next = value[key];
    if (!arrayStep) {
      if (rest.length === 0) out.push(path);
      else walk(next, rest, path);
      return;
    }
    if (!Array.isArray(next)) return;
    next.forEach((item, i) => {
      if (rest.length === 0) out.push(`${path}.${i}`);
      else walk(item, rest, `${path}.${i}`);
    });
  };
  walk(data, pattern.split('.'), '');
  return out;
}

const segments = (path: string): string[] => path.split('.');

/** a copy of `value` with `fn` applied to what `steps` lead to (copies only along the way) */
function updateAt(value: JsonValue | undefined, steps: readonly string[], fn: (container: JsonObject | JsonValue[], last: string) => void): JsonValue | undefined {
  if (steps.length === 0) return value;
  const [step, ...rest] = steps as [string, ...string[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0) fn(copy, step);
    else {
      const i = Number(step);
      if (!Number.isInteger(i) || i < 0 || i >= copy.length) return value;
      copy[i] = updateAt(copy[i], rest, fn) as JsonValue;
    }
    return copy;
  }
  if (!isObject(value)) return value;
  const copy: JsonObject = { ...value };
  if (rest.length === 0) fn(copy, step);
  else {
    if (!Object.hasOwn(copy, step)) return value;
    copy[step] = updateAt(copy[step], rest, fn) as JsonValue;
  }
  return copy;
}

/** The data with each path of the personal part set to its value. */
export function mergePersonal(data: JsonObject, personal: PersonalPart): JsonObject {
  let merged: JsonValue = data;
  for (const [path, value] of Object.entries(personal)) {
    merged = updateAt(merged, segments(path), (container, last) => {
      if (Array.isArray(container)) {
        const i = Number(last);
        if (Number.isInteger(i) && i >= 0 && i < container.length) container[i] = value;
      } else container[last] = value;
    }) as JsonValue;
  }
  return merged as JsonObject;
}

/** The value at a concrete path, or undefined. */
export function valueAt(data: JsonValue, path: string): JsonValue | undefined {
  let value: JsonValue | undefined = data;
  for (const step of segments(path)) {
    if (Array.isArray(value)) value = value[Number(step)];
    else if (isObject(value) && Object.hasOwn(value, step)) value = value[step];
    else return undefined;
  }
  return value;
}

/** The data without the fields the patterns name, and their values as the personal part. */
export function splitPersonal(data: JsonObject, patterns: readonly string[]): { data: JsonObject; personal: PersonalPart } {
  if (patterns.length === 0) return { data, personal: NO_PERSONAL };
  const personal: Record<string, JsonValue> = {};
  let rest: JsonValue = data;
  for (const pattern of patterns) {
    for (const path of expandPattern(data, pattern)) {
      personal[path] = valueAt(data, path) ?? null;
      rest = updateAt(rest, segments(path), (container, last) => {
        if (!Array.isArray(container)) delete container[last];
      }) as JsonValue;
    }
  }
  return Object.keys(personal).length === 0 ? { data, personal: NO_PERSONAL } : { data: rest as JsonObject, personal };
}

/** Every value of the part set to null, the paths kept. */
export function nulled(personal: PersonalPart): PersonalPart {
  return Object.fromEntries(Object.keys(personal).map((path) => [path, null]));
}

/** Does the part still hold a value? */
export function holdsValues(personal: PersonalPart): boolean {
  return Object.values(personal).some((v) => v !== null);
}

/**
 * What a purge makes of one stored event, or undefined when it stays as it is: its
 * personal part nulled, and any value that still sits in `data` at a pattern of `legacy`
 * (an event written before the personal part existed) moved out of the data, as null.
 * Every store applies this same rule.
 */
export function purgedEvent(
  type: string,
  data: JsonObject,
  personal: PersonalPart,
  legacy: PersonalPaths | undefined,
): { data: JsonObject; personal: PersonalPart } | undefined {
  const moved = splitPersonal(data, legacy?.[type] ?? []);
  const movedPaths = Object.keys(moved.personal);
  if (movedPaths.length === 0 && !holdsValues(personal)) return undefined;
  return { data: moved.data, personal: { ...nulled(personal), ...nulled(moved.personal) } };
}
