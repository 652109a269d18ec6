/**
 * `zerotouch codes purge-expired`: one purge pass of every part, as each part's server runs
 * every minute: the Redirector expires what is past its 7 days and deletes the streams of
 * ended codes with their personal data (audit records stay); Devices archives its expired
 * codes and takes their digits out of the phones' histories; Users takes the digits (and
 * the user of a code that never became a phone) out of its streams. Every read model
 * holding such data follows before the store is asked to erase what was deleted. Prints
 * what each part purged.
 */
import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../../application/ports/clock';
import { purgeExpiredCodes as purgeDevicesCodes } from '../../application/devices/code-purge';
import { devicesProjections } from '../../application/devices/projections';
import { ProjectionRunner } from '../../application/projections/runner';
import { redirectorProjections } from '../../application/redirector/projections';
import { purgeExpiredCodes } from '../../application/redirector/purge-expired';
import { usersProjections } from '../../application/users/projections';
import { purgeExpiredPersonalData } from '../../application/users/purge';
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
  // every part's read models: each purge waits for those that hold what it purges
  const runner = new ProjectionRunner(storage.events, storage.readModels, [...redirectorProjections, ...devicesProjections, ...usersProjections]);
  try {
    await runner.start();
    const deps = { events: storage.events, readModels: storage.readModels, clock, random: cryptoRandom, projections: runner };
    const result = await purgeExpiredCodes({ ...deps, secrets: new CryptoSecrets(config.serverSecret) });
    const devices = await purgeDevicesCodes(deps);
    const users = await purgeExpiredPersonalData(deps);
    const purged = result.purged.expired + result.purged.revoked;
    if (values.json) out.write(`${JSON.stringify({ ...result, total: purged, devices, users })}\n`);
    else {
      out.write(`purged ${purged} code${purged === 1 ? '' : 's'} (${result.purged.expired} expired, ${result.purged.revoked} revoked)\n`);
      if (result.deferred > 0) out.write(`${result.deferred} left for the next pass: the read model did not catch up in time\n`);
      out.write(`devices: archived ${devices.codes} expired code${devices.codes === 1 ? '' : 's'}; digits purged from ${devices.phones} phone${devices.phones === 1 ? '' : 's'}\n`);
      out.write(`users: purged the personal data of ${users.streams} stream${users.streams === 1 ? '' : 's'}\n`);
    }
    return result.deferred > 0 ? 1 : 0;
  } finally {
    await runner.stop();
    await storage.close();
  }
}
