/**
 * `zerotouch audit`: history as readable lines on a terminal, JSON lines otherwise (or with --json), filtered by --code, --mac, --user, --job,
 * --since, --until, --actor (who caused it: `admin:global`, `admin:<id>`, …). For a MAC it shows the whole life of the phone across Redirector,
 * Devices and Users, in order.
 */
import * as E from 'fp-ts/Either';
import { parseArgs } from 'node:util';
import { auditTrail, type AuditFilter } from '../../application/audit';
import { codeHashOf as devicesCodeHash } from '../../application/devices/secrets';
import { codeHashOf as redirectorCodeHash } from '../../application/redirector/secrets';
import { codeHashOf as usersCodeHash } from '../../application/users/hashing';
import { parseMac, parseProvisioningCode } from '../../domain';
import { loadConfig } from '../config';
import { openStorage } from '../server/storage';
import { CryptoSecrets } from '../system/secrets';
import { UsageError } from './usage-error';
import { auditCheckpointCommand, auditVerifyCommand } from './audit-verify';
import { humanLine, localTime } from './audit-lines';
import { StateAt } from '../../application/audit/state-at';

/** JSON of a folded state: Maps as objects, Sets as arrays */
const stateJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v instanceof Set ? [...v] : v));

function time(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new UsageError(`--${name} takes an RFC 3339 time or a date (2026-11-29), got ${value}`);
  return new Date(at).toISOString();
}

export async function auditCommand(argv: readonly string[], output: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (argv[0] === 'verify') return auditVerifyCommand(argv.slice(1), { out: output });
  if (argv[0] === 'checkpoint') return auditCheckpointCommand(argv.slice(1), { out: output });
  const { values } = parseArgs({
    args: [...argv],
    options: {
      code: { type: 'string' },
      mac: { type: 'string' },
      user: { type: 'string' },
      job: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      actor: { type: 'string' },
      at: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const config = loadConfig(process.env, { configFile: values.config });
  const secrets = new CryptoSecrets(config.serverSecret);
  let code: AuditFilter['code'];
  if (values.code !== undefined) {
    const parsed = parseProvisioningCode(values.code);
    if (E.isLeft(parsed)) throw new UsageError(`--code: ${parsed.left.detail}`);
    code = { digits: parsed.right, hashes: [redirectorCodeHash(secrets, parsed.right), devicesCodeHash(secrets, parsed.right), usersCodeHash(secrets, parsed.right)] };
  }
  let mac: string | undefined;
  if (values.mac !== undefined) {
    const parsed = parseMac(values.mac);
    if (E.isLeft(parsed)) throw new UsageError(`--mac: ${parsed.left.detail}`);
    mac = parsed.right;
  }
  const at = time('at', values.at);
  let until = time('until', values.until);
  // --at: the history up to and including the instant, then the state it left
  if (at !== undefined) {
    const justAfter = new Date(Date.parse(at) + 1).toISOString();
    if (until === undefined || Date.parse(justAfter) < Date.parse(until)) until = justAfter;
  }
  const filter: AuditFilter = { code, mac, user: values.user, job: values.job, since: time('since', values.since), until, actor: values.actor };
  const folded = at === undefined ? undefined : new StateAt(at);
  const storage = await openStorage(config.store, config.dataDir);
  // a person at a terminal gets one readable line per event; anything else JSON lines
  const human = !values.json && (output as NodeJS.WriteStream).isTTY === true;
  let count = 0;
  try {
    for await (const event of auditTrail(storage.events, filter)) {
      count++;
      folded?.add(event);
      const line = human ? humanLine(event) : JSON.stringify({
        position: event.globalPosition,
        recordedAt: event.recordedAt,
        stream: event.streamName,
        version: event.streamVersion,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      });
      if (!output.write(`${line}\n`)) await new Promise((resolve) => output.once('drain', resolve));
    }
    if (folded) {
      const states = folded.states();
      const text = human
        ? [`state at ${localTime(at!)}:`, ...states.map((s) => `  ${s.stream} (${s.aggregate}, version ${s.version}): ${stateJson(s.state)}`)].join('\n')
        : stateJson({ stateAt: at, streams: states });
      output.write(`${text}\n`);
    }
  } finally {
    await storage.close();
  }
  process.stderr.write(`${count} event(s)\n`);
  return 0;
}
