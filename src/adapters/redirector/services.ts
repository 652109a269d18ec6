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
  /** is this token a domain administrator's of a Devices on the same store? (answered 403 on the operator routes) */
  readonly isDomainAdmin?: (deps: Pick<RedirectorDeps, 'secrets' | 'events'>, token: string) => Promise<boolean>;
  readonly logger: Logger;
}
