/**
 * The firmware description an update job snapshots: version, bootcode and one file per
 * phone model (download URL and SHA-256).
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { FirmwareVersion, parseFirmwareVersion } from './firmware-version';
import { Model, parseModel } from './model';
import { invalid } from './refuse';
import { DownloadUrl, parseDownloadUrl } from './url';

interface Sha256Brand {
  readonly Sha256: unique symbol;
}

export const Sha256 = t.brand(t.string, (s): s is t.Branded<string, Sha256Brand> => /^[0-9a-f]{64}$/.test(s), 'Sha256');
export type Sha256 = t.TypeOf<typeof Sha256>;

export const parseSha256 = (input: string): E.Either<DomainError, Sha256> => {
  const s = input.trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(s) ? E.right(s as Sha256) : invalid('a SHA-256 is 64 hex digits');
};

export const FirmwareFile = t.strict({ url: DownloadUrl, sha256: Sha256 });
export type FirmwareFile = t.TypeOf<typeof FirmwareFile>;

/** Files by phone model (keys are models); at least one. */
const FirmwareFiles = new t.Type<Record<string, FirmwareFile>, Record<string, FirmwareFile>, unknown>(
  'FirmwareFiles',
  (u): u is Record<string, FirmwareFile> =>
    typeof u === 'object' && u !== null && !Array.isArray(u) && Object.entries(u).every(([k, v]) => Model.is(k) && FirmwareFile.is(v)),
  (u, c) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'files by model');
    const out: Record<string, FirmwareFile> = {};
    for (const [k, v] of Object.entries(u)) {
      if (!Model.is(k)) return t.failure(k, t.appendContext(c, k, Model, k), 'a phone model');
      const file = FirmwareFile.validate(v, t.appendContext(c, k, FirmwareFile, v));
      if (E.isLeft(file)) return file;
      out[k] = file.right;
    }
    return Object.keys(out).length === 0 ? t.failure(u, c, 'at least one file') : t.success(out);
  },
  t.identity,
);

export const Firmware = t.strict({ version: FirmwareVersion, bootcode: FirmwareVersion, files: FirmwareFiles });
export type Firmware = t.TypeOf<typeof Firmware>;

export interface FirmwareInput {
  readonly version: string;
  readonly bootcode: string;
  readonly files: Readonly<Record<string, { readonly url: string; readonly sha256: string }>>;
}

/** Validate a firmware description as an admin posts it. */
export const parseFirmware = (input: FirmwareInput): E.Either<DomainError, Firmware> => {
  const version = parseFirmwareVersion(input.version);
  if (E.isLeft(version)) return version;
  const bootcode = parseFirmwareVersion(input.bootcode);
  if (E.isLeft(bootcode)) return bootcode;
  const entries = Object.entries(input.files);
  if (entries.length === 0) return invalid('firmware lists at least one file, by phone model');
  const files: Record<string, FirmwareFile> = {};
  for (const [modelInput, file] of entries) {
    const model = parseModel(modelInput);
    if (E.isLeft(model)) return model;
    const url = parseDownloadUrl(file.url);
    if (E.isLeft(url)) return url;
    const sha256 = parseSha256(file.sha256);
    if (E.isLeft(sha256)) return sha256;
    files[model.right] = { url: url.right, sha256: sha256.right };
  }
  return E.right({ version: version.right, bootcode: bootcode.right, files });
};
