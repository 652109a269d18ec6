/** What the Redirector's routes work with. */
import type { Logger } from 'pino';
import type { RedirectorDeps } from '../../application/redirector/deps';
import type { GuessThrottle } from '../../application/guess-throttle';
import type { RedirectorMetrics } from './metrics';

export interface RedirectorServices {
  readonly deps: RedirectorDeps;
  readonly throttle: GuessThrottle;
  readonly metrics: RedirectorMetrics;
  readonly operatorToken: string;
  readonly logger: Logger;
}
