/**
 * fast-check arbitraries from the JSON Schemas of an OpenAPI 3.0 document: values a schema
 * allows (types, enums, patterns, formats, lengths, ranges, nullable, required and optional
 * properties), and mutations that take a valid value somewhere it should be refused.
 */
import fc from 'fast-check';

export type Schema = Readonly<Record<string, unknown>>;

/** a stand-in for fields the caller knows better values of: its name and schema, or undefined to generate */
export type FieldOverride = (name: string, schema: Schema) => fc.Arbitrary<unknown> | undefined;

const FORMATS: Readonly<Record<string, fc.Arbitrary<string>>> = {
  uri: fc.webUrl(),
  'date-time': fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  email: fc.emailAddress(),
};

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const maxLength = typeof schema['maxLength'] === 'number' ? Math.min(schema['maxLength'], 80) : 40;
  let base: fc.Arbitrary<string>;
  if (typeof schema['pattern'] === 'string') base = fc.stringMatching(new RegExp(schema['pattern']));
  else if (typeof schema['format'] === 'string' && FORMATS[schema['format']]) base = FORMATS[schema['format']]!;
  else base = fc.string({ minLength, maxLength });
  const example = typeof schema['example'] === 'string' ? [schema['example']] : [];
  return example.length > 0 ? fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...example) }, { weight: 3, arbitrary: base }) : base;
}

/** values the schema allows (or means to: a pattern-less string is any string) */
export function arbitraryOf(schema: Schema, override?: FieldOverride, depth = 0): fc.Arbitrary<unknown> {
  const value = nonNull(schema, override, depth);
  return schema['nullable'] === true ? fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }) : value;
}

function nonNull(schema: Schema, override: FieldOverride | undefined, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  const anyOf = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (anyOf) return fc.oneof(...anyOf.map((s) => arbitraryOf(s, override, depth)));
  if (Array.isArray(schema['allOf'])) return arbitraryOf(Object.assign({}, ...(schema['allOf'] as Schema[])), override, depth);
  switch (schema['type']) {
    case 'string':
      return stringOf(schema);
    case 'integer': {
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : -1000;
      const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : 100_000;
      return fc.integer({ min, max });
    }
    case 'number':
      return fc.double({ min: typeof schema['minimum'] === 'number' ? schema['minimum'] : -1e6, max: typeof schema['maximum'] === 'number' ? schema['maximum'] : 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = (schema['items'] as Schema | undefined) ?? {};
      const minLength = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      const maxLength = Math.min(typeof schema['maxItems'] === 'number' ? schema['maxItems'] : 5, minLength + 5);
      return fc.array(arbitraryOf(items, override, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, override, depth);
    default:
      return depth > 2 ? fc.oneof(fc.string(), fc.integer(), fc.boolean()) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: Schema, override: FieldOverride | undefined, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  const additional = schema['additionalProperties'];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) model[name] = override?.(name, property) ?? arbitraryOf(property, override, depth + 1);
  const known = fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
  if (typeof additional === 'object' && additional !== null && Object.keys(properties).length === 0) {
    const minKeys = typeof schema['minProperties'] === 'number' ? schema['minProperties'] : 0;
    return fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/), arbitraryOf(additional as Schema, override, depth + 1), { minKeys, maxKeys: minKeys + 3 });
  }
  if (Object.keys(properties).length === 0) return fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), depth > 1 ? fc.string() : fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
  return known;
}

export interface Mutation {
  readonly label: string;
  apply(value: unknown): unknown;
}

const WRONG: readonly unknown[] = [null, 42, -1, 1.5, true, '', 'x'.repeat(300), [], {}, '\u0000\u001b[31m', 1e308];

/** a valid value made invalid (or odd) in one place */
export const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n): Mutation => ({
    label: 'a field dropped',
    apply: (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const keys = Object.keys(v);
      if (keys.length === 0) return v;
      const { [keys[n % keys.length]!]: _, ...rest } = v as Record<string, unknown>;
      return rest;
    },
  })),
  fc.tuple(fc.nat(), fc.constantFrom(...WRONG)).map(([n, wrong]): Mutation => ({
    label: `a field set to ${JSON.stringify(wrong)?.slice(0, 20)}`,
    apply: (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrong;
      const keys = Object.keys(v);
      if (keys.length === 0) return { extra: wrong };
      return { ...(v as Record<string, unknown>), [keys[n % keys.length]!]: wrong };
    },
  })),
  fc.constantFrom(...WRONG).map((wrong): Mutation => ({ label: `the body replaced by ${JSON.stringify(wrong)?.slice(0, 20)}`, apply: () => wrong })),
  fc.constant<Mutation>({ label: 'an unknown field added', apply: (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, unknownField: 'x' } : v) }),
  fc.constant<Mutation>({ label: 'wrapped in an array', apply: (v) => [v] }),
);
