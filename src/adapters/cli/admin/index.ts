/**
 * `zerotouch admin <noun> <verb> …` (SPEC §8): the admin HTTP APIs of the server at `--url`
 * (default `ZT_PUBLIC_URL`) with `ZT_ADMIN_TOKEN`, a global or a domain admin's token.
 * Exit status 0 on success, 1 on a refusal (the problem's detail printed), 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../usage-error';
import { admins, categories, claims, devices, domains, outbox } from './devices-nouns';
import { AdminApi, Refused } from './http';
import { configJobs, updateJobs } from './job-nouns';
import { nounHelp, type Noun, type Options, type Values } from './noun';
import { rollouts, users } from './users-nouns';

export const NOUNS: readonly Noun[] = [domains, categories, admins, updateJobs, configJobs, claims, devices, outbox, users, rollouts];

export const ADMIN_USAGE = `usage: zerotouch admin <noun> <verb> [arguments] [--url u] [--json]

nouns:
${NOUNS.map((n) => `  ${n.name.padEnd(12)} ${n.summary}`).join('\n')}

zerotouch admin <noun> --help lists a noun's verbs. The server is --url (default
ZT_PUBLIC_URL), the token ZT_ADMIN_TOKEN (the global admin's or a domain admin's).
Exit status: 0 done, 1 refused (the reason printed), 2 usage error.
`;

const COMMON: Options = { url: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } };
const PAGED: Options = { limit: { type: 'string' }, cursor: { type: 'string' } };

export interface AdminIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: AdminIo = { env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

export async function adminCommand(argv: readonly string[], io: AdminIo = processIo): Promise<number> {
  const [nounName, verbName, ...rest] = argv;
  if (nounName === undefined || nounName === '--help' || nounName === '-h' || nounName === 'help') {
    io.stdout(ADMIN_USAGE);
    return nounName === undefined ? 2 : 0;
  }
  const noun = NOUNS.find((n) => n.name === nounName);
  if (noun === undefined) return usage(io, `unknown noun ${nounName}`);
  if (verbName === undefined || verbName === '--help' || verbName === '-h' || verbName === 'help') {
    io.stdout(nounHelp(noun));
    return verbName === undefined ? 2 : 0;
  }
  const verb = noun.verbs[verbName];
  if (verb === undefined) return usage(io, `${noun.name} has no verb ${verbName}; it has ${Object.keys(noun.verbs).join(', ')}`, noun);
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...COMMON, ...(verb.paged ? PAGED : {}), ...verb.options }, allowPositionals: true, strict: true });
    if (values['help']) {
      io.stdout(nounHelp(noun));
      return 0;
    }
    const url = (values['url'] as string | undefined) ?? io.env['ZT_PUBLIC_URL'] ?? `http://${io.env['ZT_HOST'] ?? '127.0.0.1'}:${io.env['ZT_PORT'] ?? '8080'}`;
    const token = io.env['ZT_ADMIN_TOKEN'];
    if (!token) throw new UsageError('set ZT_ADMIN_TOKEN to the admin token (the global one the server printed, or a domain admin token)');
    const out = { json: values['json'] === true, write: io.stdout };
    await verb.run({ api: new AdminApi(url, token), out, err: io.stderr, args: positionals, values: values as Values });
    return 0;
  } catch (error) {
    if (error instanceof Refused) {
      io.stderr(`zerotouch admin: refused (${error.status === 0 ? error.code : `${error.status} ${error.code}`}): ${error.detail}\n`);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return usage(io, (error as Error).message, noun);
    throw error;
  }
}

function usage(io: AdminIo, message: string, noun?: Noun): number {
  io.stderr(`zerotouch admin: ${message}\n\n${noun ? nounHelp(noun) : ADMIN_USAGE}`);
  return 2;
}
