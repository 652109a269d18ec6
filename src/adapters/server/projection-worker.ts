/**
 * The projections' worker thread (started by projection-thread.ts): its own connections to
 * the SQLite event log (read only: pages of the log) and to the read models' file (the
 * projections' commits), and one ProjectionRunner over every projection the server runs.
 * Its event loop is not the requests': a page of projections applied here holds no request.
 *
 * Through the shared buffer: the server's appends wake the reader; each step's start, end
 * and the projections' positions go back. Messages in: a question (`status`, `rebuild`)
 * with an id, `stop`. Messages out: `ready` (or `failed`), each answer under its id,
 * `progress` of a rebuild, `log` lines, `stopped`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Projection } from '../../application/projections/projection';
import { ProjectionRunner } from '../../application/projections/runner';
import { devicesProjections } from '../../application/devices/projections';
import { redirectorProjections } from '../../application/redirector/projections';
import { usersProjections } from '../../application/users/projections';
import { SqliteEventStore, openSqliteDatabase } from '../eventstore/sqlite';
import { SqliteReadModelStore } from '../readmodels/sqlite';
import { SharedProgress, type ThreadReply, type ThreadRequest, type WorkerData, errorOf } from './projection-messages';

/** every projection a part may bring, by name */
const KNOWN: ReadonlyMap<string, Projection> = new Map([...redirectorProjections, ...devicesProjections, ...usersProjections].map((p) => [p.name, p]));

const port = parentPort!;
const data = workerData as WorkerData;
const post = (message: ThreadReply): void => port.postMessage(message);

const log = (level: 'info' | 'warn', obj: object, msg: string): void => {
  const { err, ...rest } = obj as { err?: unknown };
  post({ t: 'log', level, obj: err === undefined ? rest : { ...rest, err: errorOf(err) }, msg });
};

function projectionsOf(wanted: WorkerData['projections']): Projection[] {
  return wanted.map(({ name, version }) => {
    const projection = KNOWN.get(name);
    if (!projection) throw new Error(`projection ${name} is not known to the projection thread`);
    if (projection.version !== version) throw new Error(`projection ${name}: version ${version} asked, ${projection.version} known`);
    return projection;
  });
}

async function main(): Promise<void> {
  // the schema is the server's (created before this thread starts); this thread never appends
  const events = new SqliteEventStore(openSqliteDatabase(data.files.events), { backgroundCheckpoints: false });
  const readModelsDb = openSqliteDatabase(data.files.readModels);
  const shared = new SharedProgress(data.shared);
  const projections = projectionsOf(data.projections);
  const base = shared.stepStarted();
  // resolved when the reader's next step starts (it then reads everything appended so far)
  let stepStarted: () => void = () => undefined;
  const nextStep = (): Promise<void> => new Promise((resolve) => (stepStarted = resolve));
  const runner: ProjectionRunner = new ProjectionRunner(events, new SqliteReadModelStore(readModelsDb), projections, {
    logger: { info: (o, m) => log('info', o, m), warn: (o, m) => log('warn', o, m) },
    onStep: {
      started: (step) => {
        shared.started(base + step);
        stepStarted();
      },
      ended: (step, idle) => {
        const positions = runner.positions();
        shared.ended(base + step, idle, projections.map((p) => positions.get(p.name) ?? 0));
      },
    },
  });
  await runner.start();
  let stopping = false;
  // the server's appends wake the reader; after a wake, the next one is awaited only once a
  // step has begun (until then the reader is due to read anyway), so most appends notify nobody
  void (async () => {
    let seen = shared.appends();
    while (!stopping) {
      const now = await shared.appendedAfter(seen, 1000);
      if (now !== seen) {
        const started = nextStep();
        runner.notifyAppended();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([started, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
        clearTimeout(timer);
      }
      seen = now;
    }
  })();

  const answer = (id: number, work: Promise<unknown>): void => {
    work.then(
      (value) => post({ t: 'answer', id, ok: true, value }),
      (error: unknown) => post({ t: 'answer', id, ok: false, error: errorOf(error) }),
    );
  };
  port.on('message', (message: ThreadRequest) => {
    switch (message.t) {
      case 'status':
        return answer(message.id, runner.status());
      case 'rebuild':
        return answer(
          message.id,
          runner.rebuild(message.name, (position, head) => post({ t: 'progress', id: message.id, position, head })),
        );
      case 'stop':
        stopping = true;
        void runner
          .stop()
          .then(() => events.close())
          .then(() => readModelsDb.close())
          .finally(() => {
            post({ t: 'stopped' });
            port.close();
          });
        return;
    }
  });
  post({ t: 'ready' });
}

main().catch((error: unknown) => {
  post({ t: 'failed', error: errorOf(error) });
  port.close();
});
