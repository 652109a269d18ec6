import type { Projection } from '../../projections/projection';
import { codesProjection } from './codes';
import { configJobsProjection } from './config-jobs';
import { deviceListProjection } from './device-list';
import { domainAdminsProjection } from './domain-admins';
import { domainsProjection } from './domains';
import { outboxProjection } from './outbox';
import { updateJobsProjection } from './update-jobs';
import { wavesProjection } from './waves';

/** every read model of Devices */
export const devicesProjections: readonly Projection[] = [
  deviceListProjection,
  updateJobsProjection,
  configJobsProjection,
  wavesProjection,
  outboxProjection,
  codesProjection,
  domainsProjection,
  domainAdminsProjection,
];
