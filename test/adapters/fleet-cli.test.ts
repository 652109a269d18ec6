/** `zerotouch fleet`'s options: a bad value is a usage error before any request is made. */
import { describe, expect, it } from 'vitest';
import { fleetCommand } from '../../src/adapters/cli/fleet';
import { UsageError } from '../../src/adapters/cli/usage-error';

// nothing listens here: an option that got past the checks would fail to connect instead
const env = { ZT_ADMIN_TOKEN: 'token', ZT_PUBLIC_URL: 'http://127.0.0.1:9' };

describe('fleet options', () => {
  it.each([
    [['--phones', '10', '--rollout-size', '0'], '--rollout-size takes 1 to 10,000'],
    [['--phones', '10', '--rollout-size', '10001'], '--rollout-size takes 1 to 10,000'],
    [['--phones', '10', '--rollout-size', '1e400'], '--rollout-size takes 1 to 10,000'],
    [['--phones', '10', '--rollout-size', '2.5'], '--rollout-size takes 1 to 10,000'],
    [['--phones', '10', '--rollout-size', '\u0000\uffff'], '--rollout-size takes 1 to 10,000'],
    [['--resume', ',', '--run-id', 'r1'], '--resume takes the rollout ids'],
    [['--resume', ' , ,'.repeat(10_000), '--run-id', 'r1'], '--resume takes the rollout ids'],
    [['--resume', 'a,b'], 'needs the --run-id'],
  ])('refuses %j', async (argv, message) => {
    const refused = fleetCommand(argv, env);
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(message);
  });
});
