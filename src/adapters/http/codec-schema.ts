/**
 * JSON Schema (OpenAPI 3.0 flavour) from io-ts codecs, so the OpenAPI document describes
 * exactly what the edge decodes. Custom codecs carry their schema with `withSchema`.
 */
import * as t from 'io-ts';

export type JsonSchema = Record<string, unknown>;

const registry = new WeakMap<object, JsonSchema>();

/**
 * A codec that decodes as `codec` does and is documented by `schema`. It is a new codec
 * object: io-ts's codecs (`t.string`, `t.Int`, `t.unknown`) are shared by every module,
 * so a schema set on one of them would describe every field of that type.
 */
export function withSchema<A, O, I>(codec: t.Type<A, O, I>, schema: JsonSchema): t.Type<A, O, I> {
  const documented = new t.Type<A, O, I>(codec.name, codec.is, (u, c) => codec.validate(u, c), (a) => codec.encode(a));
  registry.set(documented, schema);
  return documented;
}

interface Tagged {
  readonly _tag?: string;
  readonly name: string;
  readonly props?: Record<string, t.Mixed>;
  readonly type?: t.Mixed;
  readonly types?: readonly t.Mixed[];
  readonly value?: unknown;
  readonly keys?: Record<string, unknown>;
  readonly codomain?: t.Mixed;
}

export function toJsonSchema(codec: t.Mixed): JsonSchema {
  const known = registry.get(codec);
  if (known) return known;
  const c = codec as unknown as Tagged;
  switch (c._tag) {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return NULL_ONLY;
    case 'UnknownType':
      return {};
    case 'LiteralType':
      return { enum: [c.value] };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) };
    case 'InterfaceType':
      return objectSchema(c.props ?? {}, Object.keys(c.props ?? {}));
    case 'PartialType':
      return objectSchema(c.props ?? {}, []);
    case 'ExactType':
    case 'StrictType':
    case 'ReadonlyType':
      return toJsonSchema(c.type!);
    case 'RefinementType': {
      const base = toJsonSchema(c.type!);
      return c.name === 'Int' ? { ...base, type: 'integer' } : { ...base, description: c.name };
    }
    case 'IntersectionType': {
      const parts = (c.types ?? []).map(toJsonSchema);
      if (parts.every((p) => p['type'] === 'object')) {
        return {
          type: 'object',
          properties: Object.assign({}, ...parts.map((p) => p['properties'])),
          required: parts.flatMap((p) => (p['required'] as string[] | undefined) ?? []),
        };
      }
      return { allOf: parts };
    }
    case 'UnionType':
      return unionSchema(c.types ?? []);
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: toJsonSchema(c.type!) };
    case 'DictionaryType':
    case 'RecordType':
      return { type: 'object', additionalProperties: c.codomain ? toJsonSchema(c.codomain) : true };
    case 'UnknownRecordType':
      return { type: 'object' };
    case 'UnknownArrayType':
      return { type: 'array' };
    default:
      return { description: c.name };
  }
}

/** `null` and nothing else (OpenAPI 3.0 has no null type; `nullable` needs some type) */
const NULL_ONLY: JsonSchema = { type: 'string', nullable: true, enum: [null] };

const tagOf = (codec: t.Mixed): string | undefined => (codec as unknown as Tagged)._tag;

/**
 * A union as OpenAPI 3.0 writes it: `undefined` members only make a property optional
 * (see objectSchema), `null` is `nullable`, literals are one `enum`, and the rest is
 * `anyOf` (io-ts takes the first member that decodes, so members may overlap).
 */
function unionSchema(members: readonly t.Mixed[]): JsonSchema {
  const defined = members.filter((m) => tagOf(m) !== 'UndefinedType');
  const nullable = defined.some((m) => tagOf(m) === 'NullType');
  const parts = defined.filter((m) => tagOf(m) !== 'NullType').map(toJsonSchema);
  if (parts.length === 0) return nullable ? NULL_ONLY : {};
  if (parts.every((p) => Array.isArray(p['enum']) && Object.keys(p).every((k) => k === 'enum' || k === 'type'))) {
    const values = parts.flatMap((p) => p['enum'] as unknown[]);
    const types = new Set(parts.map((p) => p['type']));
    const type = types.size === 1 ? parts[0]!['type'] : undefined;
    return { ...(type !== undefined ? { type } : {}), enum: nullable ? [...values, null] : values, ...(nullable && type !== undefined ? { nullable: true } : {}) };
  }
  if (parts.length === 1) {
    const only = parts[0]!;
    if (!nullable || Object.keys(only).length === 0) return only;
    // `nullable` needs a `type` beside it
    if (only['type'] !== undefined) return { ...only, nullable: true, ...(Array.isArray(only['enum']) ? { enum: [...(only['enum'] as unknown[]), null] } : {}) };
  }
  return { anyOf: nullable ? [...parts, NULL_ONLY] : parts };
}

/** whether a property of this codec may be absent: a union with `undefined` */
export const isOptional = (codec: t.Mixed): boolean =>
  tagOf(codec) === 'UnionType' && ((codec as unknown as Tagged).types ?? []).some((m) => tagOf(m) === 'UndefinedType');

function objectSchema(props: Record<string, t.Mixed>, required: string[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const mandatory: string[] = [];
  for (const [key, codec] of Object.entries(props)) {
    properties[key] = toJsonSchema(codec);
    // an optional property is written as a union with undefined
    if (required.includes(key) && !isOptional(codec)) mandatory.push(key);
  }
  return { type: 'object', properties, ...(mandatory.length > 0 ? { required: mandatory } : {}) };
}
