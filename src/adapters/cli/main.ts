/** The `zerotouch` command line: one sub-command per operation of SPEC §8. */
import Fastify from 'fastify';

const USAGE = `usage: zerotouch <command> [options]

commands:
  serve [--demo] [--only redirector|devices|users]   run the server
  projections status|rebuild [name]                   inspect or rebuild read models
`;

export async function runCli(argv: readonly string[]): Promise<number | void> {
  const [command] = argv;
  switch (command) {
    case 'serve': {
      const app = Fastify({ logger: true });
      app.get('/healthz', async () => ({ status: 'ok' }));
      const host = process.env['ZT_HOST'] ?? '127.0.0.1';
      const port = Number(process.env['ZT_PORT'] ?? 8080);
      await app.listen({ host, port });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}
