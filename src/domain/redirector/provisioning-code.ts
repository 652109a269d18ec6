/**
 * ProvisioningCode (Redirector): one stream per code, keyed by the keyed hash of the code
 * (`code-<codeHash>`); the code itself never reaches the Redirector's store.
 *
 * - Issued for an installation and a Devices URL at or below the installation's own URL;
 *   valid for 7 days from issue.
 * - Redeemed: binds to the first MAC. The same MAC again is accepted and changes nothing
 *   (a phone that rebooted); another MAC is refused.
 * - Revoked by its installation; expired once its time is up. Either ends it: the stream
 *   (which holds the phone's MAC, IP, model and versions) is then purged, and only the
 *   audit record of `code-audit.ts` remains.
 * - Unknown, expired, revoked and foreign-bound codes all get the same `unknown-code`
 *   refusal, with the same detail, so a guesser learns nothing.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { FirmwareVersion } from '../values/firmware-version';
import { Id } from '../values/id';
import { IpAddress } from '../values/ip-address';
import { Mac } from '../values/mac';
import { Model } from '../values/model';
import { Digest } from '../values/secret';
import { addDays, isAtOrAfter, Timestamp } from '../values/time';
import { DevicesUrl, devicesUrlAllowed } from '../values/url';

export const CODE_VALIDITY_DAYS = 7;

export const streamCategory = 'code';
export const streamName = (codeHash: Digest): string => `${streamCategory}-${codeHash}`;

// ---- events

export const Event = eventCodec('ProvisioningCodeEvent', {
  CodeIssued: t.strict({
    codeHash: Digest,
    installationId: Id,
    devicesUrl: DevicesUrl,
    issuedAt: Timestamp,
    expiresAt: Timestamp,
  }),
  CodeRedeemed: t.strict({
    codeHash: Digest,
    mac: Mac,
    model: Model,
    firmware: FirmwareVersion,
    bootcode: FirmwareVersion,
    localIp: IpAddress,
    at: Timestamp,
  }),
  CodeRevoked: t.strict({ codeHash: Digest, at: Timestamp }),
  CodeExpired: t.strict({ codeHash: Digest, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

// ---- commands

/** The registered installation asking, as folded from its own stream. */
export interface IssuingInstallation {
  readonly installationId: Id;
  readonly devicesUrl: DevicesUrl;
}

export type Command =
  | {
      readonly type: 'IssueCode';
      readonly codeHash: Digest;
      readonly installation: IssuingInstallation;
      /** where phones redeeming the code are sent: the installation's URL or a path below it */
      readonly devicesUrl: DevicesUrl;
      readonly now: Timestamp;
    }
  | {
      readonly type: 'RedeemCode';
      readonly codeHash: Digest;
      readonly mac: Mac;
      readonly model: Model;
      readonly firmware: FirmwareVersion;
      readonly bootcode: FirmwareVersion;
      readonly localIp: IpAddress;
      readonly now: Timestamp;
    }
  | { readonly type: 'RevokeCode'; readonly codeHash: Digest; readonly installationId: Id; readonly now: Timestamp }
  | { readonly type: 'ExpireCode'; readonly codeHash: Digest; readonly now: Timestamp };

// ---- state

export interface Redemption {
  readonly mac: Mac;
  readonly model: Model;
  readonly firmware: FirmwareVersion;
  readonly bootcode: FirmwareVersion;
  readonly localIp: IpAddress;
  readonly at: Timestamp;
}

export interface Issued {
  readonly status: 'active' | 'revoked' | 'expired';
  readonly codeHash: Digest;
  readonly installationId: Id;
  readonly devicesUrl: DevicesUrl;
  readonly issuedAt: Timestamp;
  readonly expiresAt: Timestamp;
  readonly redemption: Redemption | null;
  /** when it was revoked or expired */
  readonly endedAt: Timestamp | null;
}

export type State = { readonly status: 'none' } | Issued;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'CodeIssued':
      return { status: 'active', ...event.data, redemption: null, endedAt: null };
    case 'CodeRedeemed': {
      if (state.status === 'none') return state;
      const { codeHash: _, ...redemption } = event.data;
      return { ...state, redemption };
    }
    case 'CodeRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked', endedAt: event.data.at };
    case 'CodeExpired':
      return state.status === 'none' ? state : { ...state, status: 'expired', endedAt: event.data.at };
  }
};

// ---- decisions

/** The one refusal for every code that cannot be used, whatever the reason. */
export const unknownCode: DomainError = domainError('unknown-code', 'unknown code');

/** Is the code usable at `now`: issued, neither revoked nor expired, and before its expiry? */
export const isUsable = (state: State, now: Timestamp): state is Issued =>
  state.status === 'active' && !isAtOrAfter(now, state.expiresAt);

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'IssueCode': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'a code with this hash exists; draw another'));
      if (!devicesUrlAllowed(command.installation.devicesUrl, command.devicesUrl)) {
        return E.left(domainError('forbidden', "the Devices URL is outside the installation's registered URL"));
      }
      return E.right([
        {
          type: 'CodeIssued',
          data: {
            codeHash: command.codeHash,
            installationId: command.installation.installationId,
            devicesUrl: command.devicesUrl,
            issuedAt: command.now,
            expiresAt: addDays(command.now, CODE_VALIDITY_DAYS),
          },
        },
      ]);
    }
    case 'RedeemCode': {
      if (!isUsable(state, command.now)) return E.left(unknownCode);
      if (state.redemption !== null) return state.redemption.mac === command.mac ? E.right([]) : E.left(unknownCode);
      const { type: _, now, ...phone } = command;
      return E.right([{ type: 'CodeRedeemed', data: { ...phone, at: now } }]);
    }
    case 'RevokeCode': {
      if (state.status === 'none' || state.installationId !== command.installationId) return E.left(unknownCode);
      if (state.status === 'revoked') return E.right([]);
      if (!isUsable(state, command.now)) return E.left(unknownCode);
      return E.right([{ type: 'CodeRevoked', data: { codeHash: state.codeHash, at: command.now } }]);
    }
    case 'ExpireCode': {
      if (state.status === 'none') return E.left(unknownCode);
      if (state.status !== 'active') return E.right([]);
      if (!isAtOrAfter(command.now, state.expiresAt)) {
        return E.left(domainError('conflict', `the code is valid until ${state.expiresAt}`));
      }
      return E.right([{ type: 'CodeExpired', data: { codeHash: state.codeHash, at: command.now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };

// ---- purge and audit

/** May the stream be deleted? Once the code has ended (revoked or expired), with its personal data. */
export const isPurgeable = (state: State): boolean => state.status === 'revoked' || state.status === 'expired';

/** What stays of a code after its purge: no MAC, IP, model, versions or time of first connect. */
export interface AuditRecord {
  readonly codeHash: Digest;
  readonly installationId: Id;
  readonly devicesUrl: DevicesUrl;
  readonly issuedAt: Timestamp;
  readonly expiresAt: Timestamp;
  /** whether a phone redeemed it (not which, nor when) */
  readonly redeemed: boolean;
  readonly endedAt: Timestamp;
  readonly reason: 'revoked' | 'expired';
}

/** The audit record of an ended code; null while the code has not ended. */
export const auditRecord = (state: State): AuditRecord | null =>
  state.status === 'none' || state.status === 'active' || state.endedAt === null
    ? null
    : {
        codeHash: state.codeHash,
        installationId: state.installationId,
        devicesUrl: state.devicesUrl,
        issuedAt: state.issuedAt,
        expiresAt: state.expiresAt,
        redeemed: state.redemption !== null,
        endedAt: state.endedAt,
        reason: state.status,
      };
