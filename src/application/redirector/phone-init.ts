/** `phone/init`: a phone claimed in advance is redirected to its Devices; any other is asked for a code. */
import { MacClaim } from '../../domain';
import type { Mac } from '../../domain/values';
import { load } from '../command-handler';
import { macClaim } from './aggregates';
import type { RedirectorDeps } from './deps';

export async function phoneInit(deps: Pick<RedirectorDeps, 'events'>, mac: Mac): Promise<MacClaim.InitAnswer> {
  const { state } = await load(deps.events, MacClaim.streamName(mac), macClaim);
  return MacClaim.initAnswer(state);
}
