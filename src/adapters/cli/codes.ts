/**
 * `zerotouch codes purge-expired`: one purge pass, as the Redirector's scheduler runs every
 * minute: expire what is past its 7 days, delete the streams of ended codes with their
 * personal data, keep the audit records. Prints how many codes it purged.
 */
import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../../application/ports/clock';
import { ProjectionRunner } from '../../application/projections/runner';
import { redirectorProjections } from '../../application/redirector/projections';
import { purgeExpiredCodes } from '../../application/redirector/purge-expired';
import { loadConfig } from '../config';
import { openStorage } from '../server/storage';
import { cryptoRandom } from '../system/random';
import { CryptoSecrets } from '../system/secrets';
import { UsageError } from './usage-error';

export interface CodesCommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly out?: NodeJS.WritableStream;
  readonly clock?: Clock;
}

export async function codesCommand(argv: readonly string[], options: CodesCommandOptions = {}): Promise<number> {
  const { env = process.env, out = process.stdout, clock = systemClock } = options;
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1 || positionals[0] !== 'purge-expired') throw new UsageError('codes takes purge-expired');
  const config = loadConfig(env, { configFile: values.config });
  const storage = await openStorage(config.store, config.dataDir);
  const runner = new ProjectionRunner(storage.events, storage.readModels, redirectorProjections);
  try {
    await runner.start();
    const result = await purgeExpiredCodes({
      events: storage.events,
      readModels: storage.readModels,
      clock,
      random: cryptoRandom,
      secrets: new CryptoSecrets(config.serverSecret),
      projections: runner,
    });
    const purged = result.purged.expired + result.purged.revoked;
    if (values.json) out.write(`${JSON.stringify({ ...result, total: purged })}\n`);
    else {
      out.write(`purged ${purged} code${purged === 1 ? '' : 's'} (${result.purged.expired} expired, ${result.purged.revoked} revoked)\n`);
      if (result.deferred > 0) out.write(`${result.deferred} left for the next pass: the read model did not catch up in time\n`);
    }
    return result.deferred > 0 ? 1 : 0;
  } finally {
    await runner.stop();
    await storage.close();
  }
}
