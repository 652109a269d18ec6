/**
 * Codecs for stored events. An aggregate lists the codec of each event's data by type;
 * `eventCodec` makes the codec of the aggregate's event union, which decodes `{type, data}`
 * (anything else on the record, such as id or metadata, is ignored) and refuses an unknown
 * type or data that does not fit. Data codecs are exact: unknown fields are dropped.
 *
 * Schema evolution: an event type is never changed in place. A new shape gets a new,
 * versioned type name (`CodeIssued` → `CodeIssued.v2`); `withUpcasters` turns stored older
 * versions into the current one while decoding, so deciders and projections only ever
 * see the current shapes.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type DomainError, type DomainEvent } from './decider';

export type DataCodecs = Record<string, t.Mixed>;

/**
 * Per event type, where its personal fields are: the data deleted when its stream's
 * personal data is purged (a code's digits, the user of a code that never became a
 * phone). Paths of field names separated by dots, `[]` for every item of an array
 * (`entries[].code`). The codec of each such field accepts null: the purged value.
 */
export type PersonalFields = Readonly<Record<string, readonly string[]>>;

/** The event union described by a map of data codecs. */
export type EventOf<M extends DataCodecs> = {
  [K in keyof M & string]: DomainEvent<K, t.TypeOf<M[K]>>;
}[keyof M & string];

export type EventCodec<Ev> = t.Type<Ev, Ev, unknown> & { readonly types: readonly string[] };

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

export const eventCodec = <M extends DataCodecs>(name: string, dataCodecs: M): EventCodec<EventOf<M>> => {
  const codecFor = (type: unknown): t.Mixed | undefined =>
    typeof type === 'string' && Object.hasOwn(dataCodecs, type) ? dataCodecs[type] : undefined;
  const codec = new t.Type<EventOf<M>, EventOf<M>, unknown>(
    name,
    (u): u is EventOf<M> => isRecord(u) && (codecFor(u['type'])?.is(u['data']) ?? false),
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, 'an event is an object {type, data}');
      const type = u['type'];
      const dataCodec = codecFor(type);
      if (dataCodec === undefined) return t.failure(type, t.appendContext(c, 'type', t.string, type), `not a ${name} event type`);
      const data = dataCodec.validate(u['data'], t.appendContext(c, 'data', dataCodec, u['data']));
      return E.isLeft(data) ? data : t.success({ type, data: data.right } as EventOf<M>);
    },
    t.identity,
  );
  return Object.assign(codec, { types: Object.keys(dataCodecs) });
};

/** One readable line for the first few decoding errors. */
export const describeErrors = (errors: t.Errors): string =>
  errors
    .slice(0, 3)
    .map((e) => {
      const path = e.context
        .map((entry) => entry.key)
        .filter((key) => key !== '' && !/^\d+$/.test(key))
        .join('.');
      const got = e.value === undefined ? 'nothing' : JSON.stringify(e.value)?.slice(0, 60) ?? String(e.value);
      const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value';
      return `${path === '' ? 'value' : path}: ${got} is not ${expected}`;
    })
    .join('; ');

/** Decode with any codec, answering `validation-failed` with a readable reason. */
export const decodeWith =
  <A>(codec: t.Decoder<unknown, A>) =>
  (input: unknown): E.Either<DomainError, A> => {
    const result = codec.decode(input);
    return E.isLeft(result) ? E.left(domainError('validation-failed', describeErrors(result.left))) : E.right(result.right);
  };

/** Turns a stored event of an older type into the next newer one. */
export interface Upcaster {
  /** the older type name, e.g. `CodeIssued` */
  readonly from: string;
  /** the newer type name, e.g. `CodeIssued.v2` */
  readonly to: string;
  readonly upcast: (data: unknown) => unknown;
}

/**
 * A codec that first upcasts older event versions (repeatedly: v1 → v2 → v3) and then
 * decodes with `codec`. Encoding is unchanged: new events are always written in the
 * current version.
 */
export const withUpcasters = <Ev>(codec: EventCodec<Ev>, upcasters: readonly Upcaster[]): EventCodec<Ev> => {
  const byType = new Map(upcasters.map((u) => [u.from, u]));
  const upcast = (u: unknown): unknown => {
    let current = u;
    for (let steps = 0; steps <= upcasters.length && isRecord(current); steps++) {
      const step = byType.get(String(current['type']));
      if (step === undefined) return current;
      current = { type: step.to, data: step.upcast(current['data']) };
    }
    return current;
  };
  const upcasting = new t.Type<Ev, Ev, unknown>(
    codec.name,
    (u): u is Ev => codec.is(u),
    (u, c) => codec.validate(upcast(u), c),
    codec.encode,
  );
  return Object.assign(upcasting, { types: [...codec.types, ...upcasters.map((u) => u.from)] });
};
