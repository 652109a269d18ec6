/**
 * The Redirector over HTTP (SPEC §4), as Devices calls it with its installation's API key
 * (`Authorization: Bearer <apiKey>`). Every call has a deadline; network errors, timeouts
 * and 5xx answers are retried a few times with growing pauses, a 4xx never (it would only
 * be refused again). What comes back is decoded, never trusted.
 *
 * Failures are `Refusal`s the apps WebSocket and the admin routes pass on: `unavailable`
 * when the Redirector cannot be reached or keeps failing, `bad-gateway` when it refuses
 * (a wrong API key, a Devices URL it does not accept) or answers something unusable.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { Agent, request } from 'undici';
import { parseProvisioningCode, parseTimestamp, type Mac } from '../../domain';
import type { ProvisioningCode } from '../../domain/values/provisioning-code';
import type { IssuedCode, RedirectorClient } from '../../application/devices/redirector';
import { Refusal } from '../../application/refusal';
import { describeErrors } from '../http/decode';
import { parsed } from '../http/parsed-codec';

export interface RedirectorClientOptions {
  /** the Redirector's base URL (without `/redirector/v1`) */
  readonly baseUrl: string;
  /** this installation's API key, read at every call; without one every call is `unavailable` */
  readonly apiKey: () => string | undefined;
  /** deadline of one attempt (default 5 s) */
  readonly timeoutMs?: number;
  /** attempts after the first on network errors and 5xx (default 2) */
  readonly retries?: number;
  /** the first pause between attempts; it doubles (default 200 ms) */
  readonly backoffMs?: number;
}

const IssuedCodeAnswer = t.type({ code: parsed('a provisioning code', parseProvisioningCode), expiresAt: parsed('a time', parseTimestamp) });
const IssuedCodesAnswer = t.type({ codes: t.array(IssuedCodeAnswer) });
const ClaimedAnswer = t.type({ claimed: t.number });

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const parseBody = (text: string): unknown => {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 200);
  }
};

export class HttpRedirectorClient implements RedirectorClient {
  readonly baseUrl: string;
  /** told of every call: the operation and `ok`, `refused` or `unavailable` */
  onCall: ((operation: string, outcome: 'ok' | 'refused' | 'unavailable') => void) | undefined;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(private readonly options: RedirectorClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 200;
    this.agent = new Agent({ connect: { timeout: this.timeoutMs }, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, keepAliveTimeout: 10_000 });
  }

  async issueCode(devicesUrl: string): Promise<IssuedCode> {
    const answer = await this.call('issue-code', 'POST', '/codes', { devicesUrl });
    return this.expect(answer, 201, IssuedCodeAnswer, 'issue a code');
  }

  async issueCodes(devicesUrl: string, count: number): Promise<readonly IssuedCode[]> {
    const answer = await this.call('issue-codes', 'POST', '/codes/batch', { devicesUrl, count });
    const { codes } = this.expect(answer, 201, IssuedCodesAnswer, 'issue codes');
    if (codes.length !== count) throw new Refusal('bad-gateway', `the Redirector at ${this.baseUrl} answered ${codes.length} codes for ${count}`);
    return codes;
  }

  async revokeCode(code: ProvisioningCode): Promise<void> {
    const answer = await this.call('revoke-code', 'DELETE', `/codes/${code}`);
    if (answer.status !== 204 && answer.status !== 404) this.refused(answer, 'revoke a code');
  }

  async claimMacs(macs: readonly Mac[]): Promise<number> {
    const answer = await this.call('claim', 'POST', '/claims', { macs });
    return this.expect(answer, 201, ClaimedAnswer, 'claim phones').claimed;
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private expect<A>(answer: Answer, status: number, codec: t.Decoder<unknown, A>, what: string): A {
    if (answer.status !== status) this.refused(answer, what);
    const decoded = codec.decode(answer.body);
    if (E.isLeft(decoded)) {
      throw new Refusal('bad-gateway', `the Redirector at ${this.baseUrl} answered an unusable ${what} result: ${describeErrors(decoded.left, 'body').join('; ')}`);
    }
    return decoded.right;
  }

  private refused(answer: Answer, what: string): never {
    const problem = typeof answer.body === 'object' && answer.body !== null ? (answer.body as { code?: unknown; detail?: unknown }) : {};
    const reason = typeof problem.detail === 'string' ? `${String(problem.code ?? answer.status)}: ${problem.detail}` : `status ${answer.status}`;
    throw new Refusal('bad-gateway', `the Redirector at ${this.baseUrl} refused to ${what} (${reason})`);
  }

  private async call(operation: string, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Answer> {
    const apiKey = this.options.apiKey();
    if (apiKey === undefined || apiKey === '') {
      this.onCall?.(operation, 'unavailable');
      throw new Refusal('unavailable', 'Devices has no Redirector API key (ZT_REDIRECTOR_API_KEY); ask the Redirector operator to register this installation');
    }
    const url = `${this.baseUrl}/redirector/v1${path}`;
    let failure = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await sleep(this.backoffMs * 2 ** (attempt - 1));
      try {
        const response = await request(url, {
          method,
          dispatcher: this.agent,
          headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const answer = { status: response.statusCode, body: parseBody(await response.body.text()) };
        if (answer.status < 500) {
          this.onCall?.(operation, answer.status < 400 ? 'ok' : 'refused');
          return answer;
        }
        failure = `it answered ${answer.status}`;
      } catch (error) {
        failure = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      }
    }
    this.onCall?.(operation, 'unavailable');
    throw new Refusal('unavailable', `the Redirector at ${this.baseUrl} is not available (${failure}); try again later`, { retryAfterSeconds: 5 });
  }
}
