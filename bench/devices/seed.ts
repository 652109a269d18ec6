/**
 * Seeds a Devices store for the check-in benchmark, fast: domains and categories through
 * the handlers; phones and jobs as the domain's own deciders decide them, appended
 * straight to the event store in concurrent batches (one stream each, group-committed).
 *
 * `devices` phones and `jobs` jobs (half update, half config jobs of four types) spread
 * over one domain per 1,000 phones, ten categories each and `*`. The first `measured`
 * phones are in the first domain's first category, which has jobs of every kind; their
 * device secrets are returned for the load generator.
 */
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { GLOBAL_ADMIN } from '../../src/application/devices/admin-scope';
import { addCategory, createDomain, loadDomain } from '../../src/application/devices/domains';
import type { DevicesDeps } from '../../src/application/devices/deps';
import { deviceSecretHashOf, newDeviceSecret } from '../../src/application/devices/secrets';
import type { EventStore } from '../../src/application/ports/event-store';
import {
  ConfigJob,
  Device,
  parseCategoryId,
  parseCategorySelector,
  parseDigest,
  parseDisplayName,
  parseDomainName,
  parseFirmware,
  parseId,
  parseMac,
  parseModel,
  parseFirmwareVersion,
  parseProvisioningCode,
  timestampFromMillis,
  UpdateJob,
  type DomainEvent,
  type DomainError,
} from '../../src/domain';

const CATEGORIES = 10;
const PHONES_PER_DOMAIN = 1000;
const CONFIG_TYPES = ['sip', 'time', 'ldap', 'expert'];
const BATCH = 1000;

const ok = <A>(either: E.Either<DomainError, A>): A => {
  if (E.isLeft(either)) throw new Error(`${either.left.code}: ${either.left.detail}`);
  return either.right;
};
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** what every measured phone reports: it runs 13r1, so the latest job's firmware is offered */
export const CHECKIN = { firmware: '13r1', bootcode: '13r1 boot', configRevision: null };

export interface SeedCounts {
  readonly devices: number;
  readonly jobs: number;
  readonly measured: number;
}

export interface Credential {
  readonly deviceId: string;
  readonly deviceSecret: string;
}

type SeedDeps = Pick<DevicesDeps, 'events' | 'clock' | 'random' | 'secrets' | 'projections'>;

async function appendAll(events: EventStore, streams: ReadonlyArray<readonly [string, readonly DomainEvent[]]>, random: SeedDeps['random'], onProgress: (n: number) => void): Promise<void> {
  for (let i = 0; i < streams.length; i += BATCH) {
    await Promise.all(
      streams.slice(i, i + BATCH).map(([stream, evs]) =>
        events.appendToStream(stream, evs.map((e) => ({ id: random.uuid(), type: e.type, data: e.data as never, metadata: { actor: 'system' } })), { expectedVersion: 'no-stream' }),
      ),
    );
    onProgress(Math.min(i + BATCH, streams.length));
  }
}

export async function seed(deps: SeedDeps, counts: SeedCounts, log: (line: string) => void): Promise<Credential[]> {
  const now = timestampFromMillis(deps.clock.now().getTime());
  const domains = Array.from({ length: Math.max(1, Math.ceil(counts.devices / PHONES_PER_DOMAIN)) }, (_, d) => ok(parseDomainName(`bench${d}.example`)));
  const categories = Array.from({ length: CATEGORIES }, (_, c) => ok(parseCategoryId(`c${c}`)));
  for (const domain of domains) {
    await createDomain(deps, GLOBAL_ADMIN, domain, 'bench app password');
    for (const category of categories) await addCategory(deps, GLOBAL_ADMIN, domain, category, ok(parseDisplayName(`Category ${category}`)), true);
  }
  log(`${domains.length} domains with ${CATEGORIES} categories each`);

  const model = ok(parseModel('IP112'));
  const firmware = ok(parseFirmwareVersion('13r1'));
  const bootcode = ok(parseFirmwareVersion('13r1 boot'));
  const otherCredential = ok(parseDigest(hex('nobody')));
  const credentials: Credential[] = [];
  const phones: Array<readonly [string, readonly DomainEvent[]]> = [];
  for (let i = 0; i < counts.devices; i++) {
    const measured = i < counts.measured;
    const mac = ok(parseMac(`0090${i.toString(16).padStart(8, '0')}`));
    const domain = measured ? domains[0]! : domains[i % domains.length]!;
    const category = measured ? categories[0]! : categories[Math.floor(i / domains.length) % CATEGORIES]!;
    let credentialHash = otherCredential;
    if (measured) {
      const deviceSecret = newDeviceSecret(deps.random);
      credentials.push({ deviceId: mac, deviceSecret });
      credentialHash = deviceSecretHashOf(deps.secrets, deviceSecret);
    }
    const grant = { codeHash: ok(parseDigest(hex(`code ${i}`))), code: ok(parseProvisioningCode(String(i).padStart(12, '0'))), domain, category };
    const command: Device.Command = { type: 'ProvisionWithCode', mac, grant, model, firmware, bootcode, credentialHash, noticeId: ok(parseId(`notice-${i}`)), now };
    phones.push([Device.streamName(mac), ok(Device.decide(command, Device.initialState))]);
  }
  await appendAll(deps.events, phones, deps.random, (n) => log(`phones: ${n.toLocaleString('en')}`));

  const domainStates = new Map(await Promise.all(domains.map(async (d) => [d, await loadDomain(deps, d)] as const)));
  const jobs: Array<readonly [string, readonly DomainEvent[]]> = [];
  const scopes = CATEGORIES + 1;
  for (let j = 0; j < counts.jobs; j++) {
    // jobs in pairs (an update job, a config job) per scope: the ten categories and `*` of one
    // domain after the other, round after round; each round sets another config type
    const pair = Math.floor(j / 2);
    const scope = pair % scopes;
    const domain = domains[Math.floor(pair / scopes) % domains.length]!;
    const round = Math.floor(pair / (scopes * domains.length));
    const category = ok(parseCategorySelector(scope === CATEGORIES ? '*' : `c${scope}`));
    const jobId = ok(parseId(`job-${j}`));
    const domainState = domainStates.get(domain)!;
    if (j % 2 === 0) {
      const fw = ok(parseFirmware({ version: `fw ${j}`, bootcode: `boot ${j}`, files: { IP112: { url: `https://fw.example.com/${j}/ip112.bin`, sha256: hex(`fw ${j}`) } } }));
      const command: UpdateJob.Command = { type: 'CreateUpdateJob', jobId, domain, category, domainState, firmware: fw, now };
      jobs.push([UpdateJob.streamName(jobId), ok(UpdateJob.decide(command, UpdateJob.initialState))]);
    } else {
      const configType = ok(ConfigJob.parseConfigType(CONFIG_TYPES[round % CONFIG_TYPES.length]!));
      const command: ConfigJob.Command = { type: 'CreateConfigJob', jobId, domain, category, domainState, configType, params: { job: j, server: `srv${j}.example.com` }, now };
      jobs.push([ConfigJob.streamName(jobId), ok(ConfigJob.decide(command, ConfigJob.initialState))]);
    }
  }
  await appendAll(deps.events, jobs, deps.random, (n) => log(`jobs: ${n.toLocaleString('en')}`));
  return credentials;
}
