/**
 * JSON Schema (OpenAPI 3 flavour) from io-ts codecs, so the OpenAPI document describes
 * exactly what the edge decodes. Custom codecs register their schema with `withSchema`.
 */
import type * as t from 'io-ts';

export type JsonSchema = Record<string, unknown>;

const registry = new WeakMap<t.Mixed, JsonSchema>();

/** Attach a JSON schema to a custom codec (a MAC, a code, …). */
export function withSchema<C extends t.Mixed>(codec: C, schema: JsonSchema): C {
  registry.set(codec, schema);
  return codec;
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
      return { type: 'null' };
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
    case 'UnionType': {
      const parts = (c.types ?? []).map(toJsonSchema);
      if (parts.every((p) => Array.isArray(p['enum']))) return { enum: parts.flatMap((p) => p['enum'] as unknown[]) };
      return { oneOf: parts };
    }
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

function objectSchema(props: Record<string, t.Mixed>, required: string[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const mandatory: string[] = [];
  for (const [key, codec] of Object.entries(props)) {
    properties[key] = toJsonSchema(codec);
    // an optional property is written as a union with undefined
    const tagged = codec as unknown as Tagged;
    const optional = tagged._tag === 'UnionType' && (tagged.types ?? []).some((m) => (m as unknown as Tagged)._tag === 'UndefinedType');
    if (required.includes(key) && !optional) mandatory.push(key);
  }
  return { type: 'object', properties, ...(mandatory.length > 0 ? { required: mandatory } : {}) };
}
