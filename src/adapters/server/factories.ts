/** The parts this build can run, by name. */
import type { PartName } from '../config';
import type { PartFactory } from './part';

export const PART_FACTORIES: Partial<Record<PartName, PartFactory>> = {};
