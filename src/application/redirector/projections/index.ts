import type { Projection } from '../../projections/projection';
import { codeExpiryProjection } from './code-expiry';
import { installationsProjection } from './installations';

/** every read model of the Redirector */
export const redirectorProjections: readonly Projection[] = [codeExpiryProjection, installationsProjection];
