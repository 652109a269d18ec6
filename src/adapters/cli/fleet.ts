/** `zerotouch fleet --phones N`: the load generator of SPEC §8, over the real protocols. */
import { parseArgs } from 'node:util';
import { Rollout } from '../../domain';
import { runFleet } from '../fleet/fleet';
import { progressBar } from './progress';
import { UsageError } from './usage-error';

export async function fleetCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      phones: { type: 'string' },
      url: { type: 'string' },
      redirector: { type: 'string' },
      concurrency: { type: 'string', default: '50' },
      category: { type: 'string' },
      'phone-app': { type: 'string' },
      'timeout-seconds': { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
      'run-id': { type: 'string' },
      resume: { type: 'string' },
      'rollout-size': { type: 'string', default: String(Rollout.MAX_ENTRIES) },
    },
    strict: true,
  });
  const phones = values.resume !== undefined && values.phones === undefined ? 0 : Number(values.phones);
  if (values.resume === undefined && (!Number.isInteger(phones) || phones < 1 || phones > 1_000_000)) throw new UsageError('--phones takes a number of phones from 1 to 1,000,000');
  const resumeRolloutIds = values.resume?.split(',').map((id) => id.trim()).filter((id) => id !== '');
  if (resumeRolloutIds !== undefined && resumeRolloutIds.length === 0) throw new UsageError('--resume takes the rollout ids of the run it finishes, separated by commas');
  if (values.resume !== undefined && values['run-id'] === undefined) throw new UsageError('--resume <rolloutId>[,<rolloutId>…] needs the --run-id of the run it finishes');
  if (values['run-id'] !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(values['run-id'])) throw new UsageError('--run-id takes 1 to 32 letters, digits, - or _');
  const rolloutSize = Number(values['rollout-size']);
  if (!Number.isInteger(rolloutSize) || rolloutSize < 1 || rolloutSize > Rollout.MAX_ENTRIES) throw new UsageError(`--rollout-size takes 1 to ${Rollout.MAX_ENTRIES.toLocaleString('en')} users a rollout`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) throw new UsageError('--concurrency takes 1 to 10,000');
  const timeoutSeconds = Number(values['timeout-seconds']);
  if (!(timeoutSeconds > 0)) throw new UsageError('--timeout-seconds takes seconds > 0');
  const url = values.url ?? env['ZT_PUBLIC_URL'] ?? `http://${env['ZT_HOST'] ?? '127.0.0.1'}:${env['ZT_PORT'] ?? '8080'}`;
  const adminToken = env['ZT_ADMIN_TOKEN'];
  if (!adminToken) throw new UsageError('set ZT_ADMIN_TOKEN to the admin token the server printed');
  const bar = values.json ? undefined : progressBar(values.resume ? `fleet resuming ${values.resume}` : `fleet ${phones} phones`);
  const summary = await runFleet({
    url,
    redirectorUrl: values.redirector,
    adminToken,
    phones,
    concurrency,
    category: values.category,
    phoneApp: values['phone-app'],
    rolloutSize,
    timeoutMs: timeoutSeconds * 1000,
    runId: values['run-id'],
    resumeRolloutIds,
    onRollout: (rolloutId) => process.stderr.write(`rollout ${rolloutId} started (run ${values['run-id'] ?? 'random'})\n`),
    onProgress: (done, total, phase) => bar?.update(done, total, phase),
  });
  bar?.finish();
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const t = summary.timeToRegisteredMs;
    process.stdout.write(
      [
        `phones registered  ${summary.registered} of ${summary.phones} (${summary.rolloutIds.length === 1 ? 'rollout' : 'rollouts'} ${summary.rolloutIds.join(', ')})`,
        `errors             ${Object.keys(summary.errors).length === 0 ? 'none' : Object.entries(summary.errors).map(([k, n]) => `${k}: ${n}`).join(', ')}`,
        `time to registered p50 ${t.p50} ms, p95 ${t.p95} ms, p99 ${t.p99} ms, max ${t.max} ms`,
        `throughput         ${summary.throughput.toFixed(1)} phones/s`,
        `phases             users ${summary.phasesMs.users} ms, rollout ${summary.phasesMs.rollout} ms, phones ${summary.phasesMs.phones} ms, total ${summary.phasesMs.total} ms`,
      ].join('\n') + '\n',
    );
  }
  return summary.registered === summary.phones ? 0 : 1;
}
