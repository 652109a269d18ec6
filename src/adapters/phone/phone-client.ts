/**
 * The phone's side of SPEC §4 (Redirector `phone/init`, `phone/redeem`) and §5.1 (Devices
 * `provision`, `checkin`, `report`) over HTTP(S), with keep-alive connections.
 */
import { Agent, request, type Dispatcher } from 'undici';

export interface PhoneIdentity {
  readonly mac: string;
  readonly model: string;
  readonly firmware: string;
  readonly bootcode: string;
  readonly localIp: string;
}

export interface FirmwareOffer {
  readonly jobId: string;
  readonly version: string;
  readonly url: string;
  readonly sha256: string;
  readonly bootcode: string;
}

export interface ConfigOffer {
  readonly revision: string;
  readonly settings: Record<string, Record<string, unknown>>;
}

export interface CheckinAnswer {
  readonly firmware: FirmwareOffer | null;
  readonly config: ConfigOffer | null;
  readonly pollSeconds: number;
}

export interface Credential {
  readonly deviceId: string;
  readonly deviceSecret: string;
  readonly domain: string;
  readonly category: string;
  readonly pollSeconds: number;
}

/** An answer that was not a success: the problem's code and detail, and Retry-After where given. */
export class PhoneProtocolError extends Error {
  override readonly name = 'PhoneProtocolError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

export type InitAnswer = { action: 'prompt-code' } | { action: 'redirect'; devicesUrl: string };

export class PhoneClient {
  constructor(
    private readonly dispatcher: Dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 4 }),
    private readonly timeoutMs = 15_000,
  ) {}

  init(redirectorUrl: string, phone: PhoneIdentity): Promise<InitAnswer> {
    return this.post(`${trim(redirectorUrl)}/redirector/v1/phone/init`, identityBody(phone));
  }

  redeem(redirectorUrl: string, phone: PhoneIdentity, code: string): Promise<{ devicesUrl: string }> {
    return this.post(`${trim(redirectorUrl)}/redirector/v1/phone/redeem`, { code, ...identityBody(phone) });
  }

  /** `code` undefined: the pre-claimed path of SPEC §5.4 */
  provision(devicesUrl: string, phone: PhoneIdentity, code: string | undefined): Promise<Credential> {
    return this.post(`${trim(devicesUrl)}/devices/v1/phone/provision`, { ...(code !== undefined ? { code } : {}), ...identityBody(phone) });
  }

  checkin(devicesUrl: string, credential: Pick<Credential, 'deviceId' | 'deviceSecret'>, state: { firmware: string; bootcode: string; configRevision: string | null }): Promise<CheckinAnswer> {
    return this.post(`${trim(devicesUrl)}/devices/v1/phone/checkin`, state, authorization(credential));
  }

  report(
    devicesUrl: string,
    credential: Pick<Credential, 'deviceId' | 'deviceSecret'>,
    report: { kind: 'firmware'; jobId: string; outcome: 'applied' | 'failed'; detail?: string } | { kind: 'config'; revision: string; outcome: 'applied' | 'failed'; detail?: string },
  ): Promise<void> {
    return this.post(`${trim(devicesUrl)}/devices/v1/phone/report`, report, authorization(credential));
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async post<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await request(url, {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const text = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) return (text ? JSON.parse(text) : undefined) as T;
    let problem: { code?: string; detail?: string } = {};
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      // not a problem document: keep the status
    }
    const retryAfter = Number(response.headers['retry-after']);
    throw new PhoneProtocolError(response.statusCode, problem.code ?? 'http-error', problem.detail ?? text.slice(0, 200), Number.isFinite(retryAfter) ? retryAfter : undefined);
  }
}

function identityBody(phone: PhoneIdentity): Record<string, string> {
  return { mac: phone.mac, model: phone.model, firmware: phone.firmware, bootcode: phone.bootcode, localIp: phone.localIp };
}

function authorization(credential: Pick<Credential, 'deviceId' | 'deviceSecret'>): Record<string, string> {
  return { authorization: `Device ${credential.deviceId}:${credential.deviceSecret}` };
}

const trim = (url: string): string => url.replace(/\/+$/, '');
