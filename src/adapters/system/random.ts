import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Random } from '../../application/ports/random';

export const cryptoRandom: Random = {
  int: (max) => randomInt(max),
  bytes: (n) => randomBytes(n),
  uuid: () => randomUUID(),
};
