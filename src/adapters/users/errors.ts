/** The application's refusals and Devices' failures as HTTP problems and WebSocket error results. */
import * as E from 'fp-ts/Either';
import type { DomainError } from '../../domain';
import { DevicesProtocolError, DevicesRefusedError, DevicesUnavailableError } from '../../application/users/devices-port';
import { HttpProblem } from '../http/problem';
import { WsError, type WsErrorCode } from '../ws/json-session';

const WS_CODES: ReadonlySet<string> = new Set<WsErrorCode>([
  'validation-failed',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'unknown-code',
  'payload-too-large',
  'unavailable',
  'bad-gateway',
  'rate-limited',
  'internal-error',
]);

const wsCode = (code: string, fallback: WsErrorCode): WsErrorCode => (WS_CODES.has(code) ? (code as WsErrorCode) : fallback);

/** The value, or the refusal thrown as a problem. */
export function orProblem<A>(result: E.Either<DomainError, A>): A {
  if (E.isLeft(result)) throw new HttpProblem(result.left.code, result.left.detail);
  return result.right;
}

/** The value, or the refusal thrown as a WebSocket error result. */
export function orWsError<A>(result: E.Either<DomainError, A>): A {
  if (E.isLeft(result)) throw new WsError(wsCode(result.left.code, 'conflict'), result.left.detail);
  return result.right;
}

/** Run work that may ask Devices; its failures become error results with SPEC §3 tokens. */
export async function askingDevices<A>(work: () => Promise<A>): Promise<A> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DevicesUnavailableError) throw new WsError('unavailable', error.message);
    if (error instanceof DevicesRefusedError) throw new WsError(wsCode(error.code, 'bad-gateway'), `Devices: ${error.detail}`);
    if (error instanceof DevicesProtocolError) throw new WsError('bad-gateway', error.message);
    throw error;
  }
}
