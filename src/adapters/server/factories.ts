/** The parts this build can run, by name. */
import type { PartName } from '../config';
import { createDevicesPart } from '../devices/part';
import { createRedirectorPart } from '../redirector/part';
import { createUsersPart } from '../users/part';
import type { PartFactory } from './part';

export const PART_FACTORIES: Partial<Record<PartName, PartFactory>> = {
  redirector: createRedirectorPart,
  devices: createDevicesPart,
  users: createUsersPart,
};
