import type { Projection } from '../../projections/projection';
import { directoryProjection } from './directory';
import { phonesProjection } from './phones';
import { purgeIndexProjection } from './purge-index';
import { rolloutsProjection } from './rollouts';

/** every read model of Users */
export const usersProjections: readonly Projection[] = [directoryProjection, phonesProjection, rolloutsProjection, purgeIndexProjection];
