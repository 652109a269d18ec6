/** The `zerotouch` command line: one sub-command per operation of SPEC §8. */
import { parseArgs } from 'node:util';
import { ConfigError, PART_NAMES, loadConfig, type PartName } from '../config';
import { PART_FACTORIES } from '../server/factories';
import { installProcessGuard } from '../server/process-guard';
import { createZerotouchServer } from '../server/zerotouch-server';
import { pagesFor, webBuilt } from '../web/routes';
import { codesCommand } from './codes';
import { adminCommand } from './admin';
import { auditCommand } from './audit';
import { fleetCommand } from './fleet';
import { phoneCommand } from './phone';
import { progressBar } from './progress';
import { UsageError } from './usage-error';
import pino from 'pino';

const USAGE = `usage: zerotouch <command> [options]

commands:
  serve [--demo] [--only redirector|devices|users] [--config file]
        run the server (all parts on one port by default)
  phone [--redirector url] [--mac m] [--model IP112] [--code c] [--once]
        one simulated phone: code prompt, provisioning, check-ins
  fleet --phones N [--url u] [--concurrency c] [--json]
        N simulated phones end to end (users, one rollout, phones) with ZT_ADMIN_TOKEN
  codes purge-expired           delete ended codes with their personal data now (the server does it every minute)
  audit [--code c] [--mac m] [--user u] [--job j] [--since t] [--until t] [--actor a] [--at t] [--json]
        the history, a line per event (JSON lines when not on a terminal, or with --json);
        for a MAC the phone's whole life across the parts; --actor admin:global or admin:<id>:
        only what that admin changed; --at: up to t, then the state at t
  audit verify [--from position] [--checkpoint file] [--json]
        recompute the log's hash chain; the first position that does not match, exit 1
  audit checkpoint              the chain's head signed with the installation's key (ZT_AUDIT_KEY)
  admin <noun> <verb> [--url u] [--json]
        the admin HTTP APIs with ZT_ADMIN_TOKEN: domains, categories, admins, update-jobs,
        config-jobs, claims, devices, outbox, users, rollouts (zerotouch admin --help)
  projections status            where each read model stands
  projections rebuild [name]    replay the log into fresh read models and swap them in
  help                          this text

configuration comes from ZT_* environment variables or --config (see README)
`;

export { UsageError };

function parseParts(values: readonly string[] | undefined): PartName[] {
  if (!values || values.length === 0) return [...PART_NAMES];
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const name of names) if (!PART_NAMES.includes(name as PartName)) throw new UsageError(`--only takes ${PART_NAMES.join(', ')}; got ${name}`);
  return [...new Set(names)] as PartName[];
}

export async function runCli(argv: readonly string[]): Promise<number | void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'projections':
        return await projections(rest);
      case 'phone':
        return await phoneCommand(rest);
      case 'fleet':
        return await fleetCommand(rest);
      case 'audit':
        return await auditCommand(rest);
      case 'codes':
        return await codesCommand(rest);
      case 'admin':
        return await adminCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`zerotouch: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

async function serve(argv: readonly string[]): Promise<number | void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { demo: { type: 'boolean', default: false }, only: { type: 'string', multiple: true }, config: { type: 'string' } },
    strict: true,
  });
  const config = loadConfig(process.env, { configFile: values.config });
  const parts = parseParts(values.only);
  // the projections in a thread of their own, off the requests' event loop (SQLite files)
  const server = await createZerotouchServer({ config, parts, factories: PART_FACTORIES, demo: values.demo, projectionThread: config.projectionThread });
  // a bug in one callback must not end every part and connection (src/adapters/server/process-guard.ts)
  const guard = installProcessGuard(process, server.context.logger, server.context.metrics);
  const url = await server.listen();
  const lines = [
    `zerotouch is running (${parts.join(', ')}) at ${url}`,
    `  public URL   ${config.publicUrl}`,
    `  store        ${server.storage.description}`,
    `  data dir     ${config.dataDir}`,
    `  admin token  ${config.adminToken}`,
    `  operator token ${config.operatorToken}`,
    ...server.parts.flatMap((p) => p.banner?.() ?? []),
    ...(server.demo
      ? [
          `  demo         domain example.com (categories office, lab), users alice, bob, carol, phone app "phone"`,
          ...Object.entries(server.demo.userTokens).map(([user, token]) => `  token ${user.padEnd(6)} ${token}   (Profile login of ${user})`),
          `  try a phone  npx zerotouch phone --redirector ${config.publicUrl}`,
        ]
      : []),
    ...webAppLines(config.publicUrl, parts),
    `  health       ${url}/healthz  ${url}/readyz  ${url}/metrics  ${url}/openapi.json`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${signal}: stopping (draining requests, finishing appends)\n`);
      const deadline = shutdownDeadline(config.shutdownTimeoutSeconds);
      // the deadline stays set once the server is closed: it is unref'd, so it ends a process
      // only if something the close should have ended still holds it open
      server.close(deadline.stage).then(
        () => {
          deadline.stage('closed, waiting for what still holds the process open');
          resolve();
        },
        (error: unknown) => {
          deadline.stage('closed after a failure, waiting for what still holds the process open');
          process.stderr.write(`shutdown failed: ${String(error)}\n`);
          resolve();
        },
      );
    };
    // a second signal is ignored (not the default, which ends the process at once): the
    // deadline bounds the stop
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  }).finally(() => guard.uninstall());
}

/**
 * A stop that hangs (a connection that never drains, a step that never ends) must not keep a
 * node up, holding its leases and its place behind the load balancer, until someone kills it:
 * after `seconds` the process says which step of the shutdown it was in, what it still
 * holds open, and ends with exit code 1.
 */
function shutdownDeadline(seconds: number): { stage(stage: string): void } {
  let current = 'starting';
  const timer = setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const counts = [...new Set(open)].map((r) => `${r} × ${open.filter((o) => o === r).length}`).join(', ');
    process.stderr.write(`shutdown did not finish within ${seconds} s: still ${current}; open: ${counts || 'nothing'}; exiting\n`);
    process.exit(1);
  }, seconds * 1000);
  timer.unref();
  return {
    stage: (stage) => {
      current = stage;
    },
  };
}

/** the banner's lines for the web apps this process serves */
function webAppLines(publicUrl: string, parts: readonly PartName[]): string[] {
  const pages = pagesFor(new Set(parts));
  if (pages.length === 0) return [];
  const lines = pages.map((page) => `  web app      ${publicUrl}/apps/${page}/`);
  return webBuilt() ? lines : [...lines, '  web apps     not built yet: run npm run build:web (npm start does it)'];
}

async function projections(argv: readonly string[]): Promise<number | void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [action, name] = positionals;
  if (action !== 'status' && action !== 'rebuild') throw new UsageError('projections takes status or rebuild [name]');
  const config = loadConfig(process.env, { configFile: values.config });
  const server = await createZerotouchServer({ config, parts: [...PART_NAMES], factories: PART_FACTORIES, logger: pino({ level: 'warn' }) });
  try {
    const runner = server.runner;
    if (action === 'status') {
      const status = await runner.status();
      if (values.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else {
        process.stdout.write(`${'projection'.padEnd(28)} ${'version'.padStart(7)} ${'gen'.padStart(4)} ${'position'.padStart(10)} ${'head'.padStart(10)} ${'behind'.padStart(8)}  updated\n`);
        for (const s of status) {
          const stale = s.liveVersion !== null && s.liveVersion !== s.version ? ` (built by v${s.liveVersion}: rebuild)` : '';
          process.stdout.write(
            `${s.name.padEnd(28)} ${String(s.version).padStart(7)} ${String(s.generation ?? '-').padStart(4)} ${String(s.position).padStart(10)} ${String(s.head).padStart(10)} ${String(s.behind).padStart(8)}  ${s.updatedAt ?? 'never'}${stale}${s.rebuilding ? ` rebuilding at ${s.rebuilding.position}` : ''}\n`,
          );
        }
      }
      return 0;
    }
    const names = name ? [name] : runner.names();
    if (name && !runner.names().includes(name)) throw new UsageError(`unknown projection ${name}; known: ${runner.names().join(', ')}`);
    for (const n of names) {
      const bar = progressBar(`rebuild ${n}`);
      await runner.rebuild(n, (position, head) => bar.update(position, head));
      bar.finish();
    }
    return 0;
  } finally {
    await server.close();
  }
}
