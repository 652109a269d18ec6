/**
 * What a real desk phone does, as a program: ask the Redirector whether to prompt for a
 * code, redeem the code, provision at Devices, then at every check-in bring firmware and
 * config to what it is offered and report the outcome. It downloads nothing: it checks it
 * could apply an offer (a well-formed HTTPS/HTTP URL and SHA-256 for its model, settings
 * that are objects) and reports `applied`, or `failed` with the reason.
 */
import { PhoneClient, PhoneProtocolError, type CheckinAnswer, type ConfigOffer, type Credential, type FirmwareOffer, type PhoneIdentity } from './phone-client';

export interface PhoneState extends PhoneIdentity {
  readonly redirectorUrl: string;
  readonly devicesUrl: string | null;
  readonly credential: Credential | null;
  readonly configRevision: string | null;
  readonly settings: Record<string, Record<string, unknown>>;
}

/** Models that confirm a typed code with a trailing `#`; the others confirm with OK (Enter). */
export const HASH_CONFIRM_MODELS: ReadonlySet<string> = new Set(['IP101', 'IP102']);

export const MODELS = ['IP101', 'IP102', 'IP111', 'IP112', 'IP200A', 'IP222', 'IP232', 'IP240', 'IP241'] as const;

export type CodeEntry = { kind: 'code'; code: string } | { kind: 'unconfirmed'; hint: string } | { kind: 'empty' };

/** Read a typed line the way the phone's keypad does. */
export function readCodeEntry(model: string, typed: string): CodeEntry {
  const text = typed.trim();
  if (text === '') return { kind: 'empty' };
  if (HASH_CONFIRM_MODELS.has(model)) {
    if (!text.endsWith('#')) return { kind: 'unconfirmed', hint: `confirm the code with # on the ${model}` };
    return { kind: 'code', code: text.slice(0, -1).trim() };
  }
  return { kind: 'code', code: text.replace(/#$/, '').trim() };
}

export interface CheckinOutcome {
  readonly firmwareApplied: FirmwareOffer | null;
  readonly firmwareFailed: { offer: FirmwareOffer; reason: string } | null;
  readonly configApplied: ConfigOffer | null;
  readonly configFailed: { offer: ConfigOffer; reason: string } | null;
  readonly pollSeconds: number;
  /** nothing was offered: the phone is up to date */
  readonly idle: boolean;
}

export interface PhoneEvents {
  onChange?(state: PhoneState): void | Promise<void>;
  log?(line: string): void;
}

export function checkFirmwareOffer(offer: FirmwareOffer): string | null {
  let url: URL;
  try {
    url = new URL(offer.url);
  } catch {
    return `the firmware URL ${JSON.stringify(offer.url)} is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the firmware URL must be http(s), got ${url.protocol}`;
  if (!/^[0-9a-f]{64}$/i.test(offer.sha256)) return 'the firmware SHA-256 is not 64 hex digits';
  if (typeof offer.version !== 'string' || offer.version.length === 0) return 'the offer has no version';
  return null;
}

export function checkConfigOffer(offer: ConfigOffer): string | null {
  if (typeof offer.settings !== 'object' || offer.settings === null || Array.isArray(offer.settings)) return 'the settings are not an object';
  for (const [type, params] of Object.entries(offer.settings)) {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return `the ${type} settings are not an object`;
  }
  return null;
}

export class SimulatedPhone {
  constructor(
    private current: PhoneState,
    private readonly client: PhoneClient,
    private readonly events: PhoneEvents = {},
  ) {}

  get state(): PhoneState {
    return this.current;
  }

  get provisioned(): boolean {
    return this.current.credential !== null && this.current.devicesUrl !== null;
  }

  /** Ask the Redirector what to do: prompt for a code, or go to the Devices of a pre-claim. */
  async start(): Promise<'provisioned' | 'prompt-code' | 'awaiting-approval'> {
    if (this.provisioned) return 'provisioned';
    const answer = await this.client.init(this.current.redirectorUrl, this.current);
    if (answer.action === 'prompt-code') return 'prompt-code';
    this.log(`pre-claimed: redirected to ${answer.devicesUrl}`);
    await this.provisionAt(answer.devicesUrl, undefined);
    return 'awaiting-approval';
  }

  /** Redeem a code at the Redirector and provision at the Devices it names. */
  async enterCode(code: string): Promise<Credential> {
    const { devicesUrl } = await this.client.redeem(this.current.redirectorUrl, this.current, code);
    this.log(`code accepted: Devices at ${devicesUrl}`);
    return this.provisionAt(devicesUrl, code);
  }

  private async provisionAt(devicesUrl: string, code: string | undefined): Promise<Credential> {
    const credential = await this.client.provision(devicesUrl, this.current, code);
    await this.update({ devicesUrl, credential });
    this.log(`provisioned into ${credential.domain}/${credential.category} as ${credential.deviceId}`);
    return credential;
  }

  /** One check-in, applying and reporting what it offers. */
  async checkin(): Promise<CheckinOutcome> {
    const { devicesUrl, credential } = this.requireProvisioned();
    const answer: CheckinAnswer = await this.client.checkin(devicesUrl, credential, {
      firmware: this.current.firmware,
      bootcode: this.current.bootcode,
      configRevision: this.current.configRevision,
    });
    let firmwareApplied: FirmwareOffer | null = null;
    let firmwareFailed: CheckinOutcome['firmwareFailed'] = null;
    let configApplied: ConfigOffer | null = null;
    let configFailed: CheckinOutcome['configFailed'] = null;
    if (answer.firmware) {
      const offer = answer.firmware;
      const reason = checkFirmwareOffer(offer);
      if (reason) {
        await this.client.report(devicesUrl, credential, { kind: 'firmware', jobId: offer.jobId, outcome: 'failed', detail: reason });
        firmwareFailed = { offer, reason };
        this.log(`firmware ${offer.version} refused: ${reason}`);
      } else {
        // a real phone would download, verify the hash, flash and reboot here
        await this.update({ firmware: offer.version, bootcode: offer.bootcode || this.current.bootcode });
        await this.client.report(devicesUrl, credential, { kind: 'firmware', jobId: offer.jobId, outcome: 'applied' });
        firmwareApplied = offer;
        this.log(`firmware ${offer.version} applied (bootcode ${this.current.bootcode})`);
      }
    } else if (answer.config) {
      const offer = answer.config;
      const reason = checkConfigOffer(offer);
      if (reason) {
        await this.client.report(devicesUrl, credential, { kind: 'config', revision: offer.revision, outcome: 'failed', detail: reason });
        configFailed = { offer, reason };
        this.log(`config ${offer.revision} refused: ${reason}`);
      } else {
        await this.update({ configRevision: offer.revision, settings: offer.settings });
        await this.client.report(devicesUrl, credential, { kind: 'config', revision: offer.revision, outcome: 'applied' });
        configApplied = offer;
        this.log(`config ${offer.revision} applied (${Object.keys(offer.settings).sort().join(', ') || 'no settings'})`);
      }
    }
    return {
      firmwareApplied,
      firmwareFailed,
      configApplied,
      configFailed,
      pollSeconds: answer.pollSeconds,
      idle: !answer.firmware && !answer.config,
    };
  }

  /** Check in until nothing more is offered (or a failure, or `maxRounds`). */
  async converge(maxRounds = 10): Promise<CheckinOutcome[]> {
    const outcomes: CheckinOutcome[] = [];
    for (let i = 0; i < maxRounds; i++) {
      const outcome = await this.checkin();
      outcomes.push(outcome);
      if (outcome.idle || outcome.firmwareFailed || outcome.configFailed) break;
    }
    return outcomes;
  }

  /** `!vars create UPDATE/PROVISIONING-CODE h prompt`: forget the provisioning and prompt again. */
  async resetProvisioning(): Promise<void> {
    await this.update({ devicesUrl: null, credential: null, configRevision: null, settings: {} });
    this.log('provisioning reset: the phone prompts for a code again');
  }

  private requireProvisioned(): { devicesUrl: string; credential: Credential } {
    if (!this.current.devicesUrl || !this.current.credential) throw new PhoneProtocolError(0, 'not-provisioned', 'the phone has no Devices credential yet');
    return { devicesUrl: this.current.devicesUrl, credential: this.current.credential };
  }

  private async update(change: Partial<PhoneState>): Promise<void> {
    this.current = { ...this.current, ...change };
    await this.events.onChange?.(this.current);
  }

  private log(line: string): void {
    this.events.log?.(line);
  }
}
