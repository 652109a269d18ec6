/**
 * io-ts codecs of Devices' input, decoded at the edge with the domain's smart
 * constructors: `00-90-33-AA-BB-CC` arrives as the MAC `009033aabbcc`, a code with
 * spaces as its 12 digits, and anything else is refused with the constructor's reason.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import {
  ConfigJob,
  hasControlCharacters,
  invalid,
  parseCategoryId,
  parseCategorySelector,
  parseConfigRevision,
  parseDomainName,
  parseFirmware,
  toNote,
  type DomainError,
} from '../../domain';
import { withSchema } from '../http/codec-schema';
import { parsed } from '../http/parsed-codec';
import { PATTERNS } from '../http/patterns';
import { CodeInput, DisplayNameInput, IdInput, IpInput, MacInput, ModelInput, VersionInput } from '../http/value-inputs';

/** An io-ts codec whose decoded value the parser checks further. */
export const refined = <I, A>(base: t.Type<I, unknown, unknown>, name: string, parse: (input: I) => E.Either<DomainError, A>): t.Type<A, unknown, unknown> =>
  new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => base.is(u) && E.isRight(parse(u)),
    (u, c) => {
      const decoded = base.validate(u, c);
      if (E.isLeft(decoded)) return decoded;
      const result = parse(decoded.right);
      return E.isLeft(result) ? t.failure(u, c, result.left.detail) : t.success(result.right);
    },
    t.identity,
  );

export { CodeInput, DisplayNameInput, IdInput, IpInput, MacInput, ModelInput, VersionInput };
export const RevisionInput = parsed('a config revision', parseConfigRevision, { pattern: PATTERNS.revision });
export const DomainInput = parsed('a domain name', parseDomainName, { pattern: PATTERNS.domain, maxLength: 253, example: 'example.com' });
export const CategoryInput = parsed('a category id', parseCategoryId, { pattern: PATTERNS.category, example: 'office' });
export const SelectorInput = parsed('a category id or *', parseCategorySelector, { pattern: PATTERNS.selector, example: '*' });
export const ConfigTypeInput = parsed('a config type', ConfigJob.parseConfigType, { pattern: PATTERNS.configType, example: 'sip' });
export const NoteInput = withSchema(
  new t.Type<ReturnType<typeof toNote>, unknown, unknown>(
    'a note',
    (u): u is ReturnType<typeof toNote> => typeof u === 'string',
    (u, c) => (typeof u === 'string' ? t.success(toNote(u)) : t.failure(u, c, 'expected a note (a string)')),
    t.identity,
  ),
  { type: 'string', maxLength: 1000 },
);

/** the secret Users logs in with: 8 to 256 characters without control characters */
export const AppPasswordInput = parsed(
  'an app password',
  (s) => (s.length >= 8 && s.length <= 256 && !hasControlCharacters(s) ? E.right(s) : invalid<string>('an app password has 8 to 256 characters and no control characters')),
  { minLength: 8, maxLength: 256 },
);

const FirmwareShape = t.type({
  version: t.string,
  bootcode: t.string,
  files: t.record(t.string, t.type({ url: t.string, sha256: t.string })),
});
export const FirmwareInput = withSchema(refined(FirmwareShape, 'a firmware description', parseFirmware), {
  type: 'object',
  required: ['version', 'bootcode', 'files'],
  properties: {
    version: { type: 'string', pattern: PATTERNS.version, maxLength: 64 },
    bootcode: { type: 'string', pattern: PATTERNS.version, maxLength: 64 },
    files: {
      type: 'object',
      description: 'by phone model (at least one)',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['url', 'sha256'],
        properties: { url: { type: 'string', format: 'uri', description: 'an absolute http or https URL' }, sha256: { type: 'string', pattern: '^[0-9A-Fa-f]{64}$' } },
      },
    },
  },
});

/** a query-string integer from 1 to `max` */
export const limitInput = (max: number) =>
  parsed(`a whole number from 1 to ${max}`, (s) => {
    const n = Number(s);
    return /^\d+$/.test(s) && n >= 1 && n <= max ? E.right(n) : invalid<number>(`a limit is a whole number from 1 to ${max}`);
  }, { type: 'integer', minimum: 1, maximum: max });

/** an optional field: absent, or this */
export const optional = <C extends t.Mixed>(codec: C) => t.union([codec, t.undefined]);
