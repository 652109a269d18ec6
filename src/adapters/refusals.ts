/**
 * How a refusal is answered, in one table: each SPEC §3 token with its HTTP status, the
 * title of its RFC 9457 problem, and the token a WebSocket error result carries. A
 * `Refusal` thrown by a handler is answered from here by the HTTP error handler
 * (`problemOf` in `http/problem.ts`) and by every WebSocket session (`ws/json-session.ts`);
 * the adapters' own refusals (a body too large, a media type, a credential) use the same
 * table through `HttpProblem` and `WsError`.
 */
import type { RefusalCode } from '../application/refusal';

/** every `code` an HTTP problem carries: a refusal's, and those only HTTP itself can tell */
export type ProblemCode = RefusalCode | 'unsupported-media-type' | 'method-not-allowed';

/** every `code` a WebSocket error result carries */
export type WsErrorCode = Exclude<RefusalCode, 'device-owned-by-other-domain'>;

interface Answer {
  readonly status: number;
  readonly title: string;
  /** the token on a WebSocket; null for what only HTTP answers */
  readonly ws: WsErrorCode | null;
}

export const ANSWERS: { readonly [Code in ProblemCode]: Code extends RefusalCode ? Answer & { readonly ws: WsErrorCode } : Answer } = {
  'validation-failed': { status: 400, title: 'The request is not valid', ws: 'validation-failed' },
  'unknown-code': { status: 404, title: 'Unknown code', ws: 'unknown-code' },
  'rate-limited': { status: 429, title: 'Too many attempts', ws: 'rate-limited' },
  unauthorized: { status: 401, title: 'Authentication required', ws: 'unauthorized' },
  forbidden: { status: 403, title: 'Not allowed', ws: 'forbidden' },
  'not-found': { status: 404, title: 'Not found', ws: 'not-found' },
  conflict: { status: 409, title: 'Conflict', ws: 'conflict' },
  // the apps WebSocket of SPEC §5.2 knows no such token: a socket hears `conflict`
  'device-owned-by-other-domain': { status: 409, title: 'The device belongs to another domain', ws: 'conflict' },
  'payload-too-large': { status: 413, title: 'The request body is too large', ws: 'payload-too-large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', ws: null },
  'method-not-allowed': { status: 405, title: 'Method not allowed', ws: null },
  unavailable: { status: 503, title: 'Service unavailable', ws: 'unavailable' },
  'bad-gateway': { status: 502, title: 'An upstream service failed', ws: 'bad-gateway' },
  'internal-error': { status: 500, title: 'Internal error', ws: 'internal-error' },
};

/** Is this token (read off another part's answer) one a WebSocket error result carries? */
export const isWsErrorCode = (code: string): code is WsErrorCode =>
  Object.prototype.hasOwnProperty.call(ANSWERS, code) && ANSWERS[code as ProblemCode].ws === code;

/** the detail of the `unavailable` answer to a request that met a store out of reach (StoreUnavailableError), on HTTP and on a socket */
export const STORE_UNAVAILABLE_DETAIL = 'the event store is not reachable; try again shortly';
