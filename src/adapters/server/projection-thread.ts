/**
 * The projections in a worker thread of their own (projection-worker.ts), off the event loop
 * that answers the requests: a server on SQLite files spends about a third of its time
 * applying events to read models, and a page of them no longer holds a request up. The
 * thread opens the storage's files with connections of its own; the read models have their
 * own file (storage.ts), so its commits and the server's appends never wait for each other.
 *
 * To the rest of the server this is the ProjectionRunner it replaces (ProjectionService).
 * The frequent questions go through a shared buffer (projection-messages.ts): the server's
 * appends wake the thread's reader (appends by other processes reach it by the runner's
 * poll), and a wait for read-your-writes reads the projections' positions there, waking
 * when a step of the reader ends, as the runner's own waits do. Status and rebuilds are
 * messages. A thread that ends is started again; what was asked of it and not yet answered
 * is asked again of the new one (every question may be asked twice).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { mayConcern, type EventStore } from '../../application/ports/event-store';
import type { Projection } from '../../application/projections/projection';
import { caughtUpWithin } from '../../application/projections/runner';
import type { ProjectionService, ProjectionStatus } from '../../application/projections/runner-types';
import { SharedProgress, later, type ThreadReply, type ThreadRequest, type WorkerData } from './projection-messages';
import { writtenFor, type CaughtUpOptions } from '../../application/ports/projection-waiter';

/** a wait looks at the positions at least this often, even without a step (a thread started again) */
const WAIT_RECHECK_MS = 1000;
/** a thread that ended is started again after this long */
const RESTART_AFTER_MS = 500;
/** how long `stop` waits for the thread to finish its page and close its connections */
const STOP_WAIT_MS = 10_000;

type Question = Exclude<ThreadRequest, { t: 'stop' }>;
type Asked = Question extends infer Q ? (Q extends { id: number } ? Omit<Q, 'id'> : never) : never;

interface Pending {
  readonly request: Question;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly onProgress?: (position: number, head: number) => void;
}

interface Waiter {
  readonly target: number;
  /** indexes of the projections waited for */
  readonly indexes: readonly number[];
  /** the last step started when the wait began: an idle step after it ends the wait */
  readonly afterStep: number;
  readonly resolve: () => void;
}

export interface ProjectionThreadOptions {
  readonly files: WorkerData['files'];
  readonly projections: readonly Projection[];
  /** the server's event store: its appends wake the thread, its head is what `caughtUp` waits for */
  readonly events: EventStore;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export class ProjectionThread implements ProjectionService {
  private worker: Worker | undefined;
  /** the current thread answers (it said `ready`) */
  private answering = false;
  private running = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stopWatching: (() => void) | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly shared: SharedProgress;
  private waiters: Waiter[] = [];
  private watchingSteps = false;

  constructor(private readonly options: ProjectionThreadOptions) {
    this.shared = SharedProgress.create(options.projections.length);
  }

  names(): string[] {
    return this.options.projections.map((p) => p.name);
  }

  /** start the thread; resolves once its runner has started (a thread that cannot start fails it) */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.spawn();
    } catch (error) {
      this.running = false;
      throw error;
    }
    const read = new Set(this.options.projections.flatMap((p) => p.eventTypes));
    this.stopWatching = this.options.events.watch((types) => {
      if (mayConcern(read, types)) this.shared.appended();
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopWatching?.();
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker) {
      worker.postMessage({ t: 'stop' } satisfies ThreadRequest);
      const timer = setTimeout(() => void worker.terminate(), STOP_WAIT_MS);
      await this.exited;
      clearTimeout(timer);
    }
    // as the runner's: the waits end with it; a question left was not answered by a running thread
    for (const w of this.waiters.splice(0)) w.resolve();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new Error('the projections were stopped'));
    }
  }

  async caughtUp(options: CaughtUpOptions = {}): Promise<void> {
    if (options.name && !this.names().includes(options.name)) throw new Error(`projection ${options.name} is not running`);
    if (!this.running) return; // as the runner: nothing runs, nothing to wait for
    const position = options.position ?? (await this.options.events.headPosition());
    // a projection that reads none of the caller's write has nothing of it to include
    const indexes = (options.name ? [this.names().indexOf(options.name)] : this.options.projections.map((_, i) => i)).filter(
      (i) => writtenFor(this.options.projections[i]!, options.written) !== 'none',
    );
    if (this.reached(position, indexes)) return;
    const wait = new Promise<void>((resolve) => {
      this.waiters.push({ target: position, indexes, afterStep: this.shared.stepStarted(), resolve });
      void this.watchSteps();
    });
    return caughtUpWithin(wait, position, options.timeoutMs);
  }

  async isCaughtUp(tolerance = 0): Promise<boolean> {
    const head = await this.options.events.headPosition();
    return this.reached(head - tolerance, this.options.projections.map((_, i) => i));
  }

  private reached(target: number, indexes: readonly number[]): boolean {
    return indexes.every((i) => this.shared.position(i) >= target);
  }

  /** while there are waits: after each step of the reader, end those it reached (or found idle after they began) */
  private async watchSteps(): Promise<void> {
    if (this.watchingSteps) return;
    this.watchingSteps = true;
    try {
      let seen = this.shared.stepsEnded();
      while (this.waiters.length > 0) {
        const idle = this.shared.idleStep();
        this.waiters = this.waiters.filter((w) => {
          const done = this.reached(w.target, w.indexes) || later(idle, w.afterStep);
          if (done) w.resolve();
          return !done;
        });
        if (this.waiters.length === 0) break;
        seen = await this.shared.stepEndedAfter(seen, WAIT_RECHECK_MS);
      }
    } finally {
      this.watchingSteps = false;
    }
  }

  status(): Promise<ProjectionStatus[]> {
    return this.ask({ t: 'status' }) as Promise<ProjectionStatus[]>;
  }

  rebuild(name: string, onProgress?: (position: number, head: number) => void): Promise<void> {
    if (!this.names().includes(name)) return Promise.reject(new Error(`unknown projection ${name}; known: ${this.names().join(', ')}`));
    return this.ask({ t: 'rebuild', name }, onProgress).then(() => undefined);
  }

  private ask(question: Asked, onProgress?: (position: number, head: number) => void): Promise<unknown> {
    if (!this.running) return Promise.reject(new Error('the projections are not running'));
    const id = this.nextId++;
    const request = { ...question, id } as Question;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { request, resolve, reject, ...(onProgress ? { onProgress } : {}) });
      if (this.answering) this.worker!.postMessage(request);
    });
  }

  private spawn(): Promise<void> {
    const data: WorkerData = { files: this.options.files, shared: this.shared.buffer, projections: this.options.projections.map((p) => ({ name: p.name, version: p.version })) };
    const worker = startWorker(data);
    this.worker = worker;
    this.answering = false;
    let exit: () => void = () => undefined;
    this.exited = new Promise<void>((resolve) => (exit = resolve));
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (message: ThreadReply) => {
        switch (message.t) {
          case 'ready':
            this.answering = true;
            for (const p of this.pending.values()) worker.postMessage(p.request);
            this.shared.appended();
            return resolve();
          case 'failed':
            return reject(new Error(`the projection thread could not start: ${message.error.message}`));
          case 'answer': {
            const p = this.pending.get(message.id);
            if (!p) return;
            this.pending.delete(message.id);
            if (message.ok) p.resolve(message.value);
            else p.reject(Object.assign(new Error(message.error.message), message.error.stack ? { stack: message.error.stack } : {}));
            return;
          }
          case 'progress':
            return this.pending.get(message.id)?.onProgress?.(message.position, message.head);
          case 'log':
            return this.options.logger[message.level](message.obj, message.msg);
          case 'stopped':
            return;
        }
      });
      worker.on('error', (error) => {
        this.options.logger.error({ err: error }, 'the projection thread failed');
        reject(error);
      });
      worker.on('exit', (code) => {
        exit();
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.answering = false;
        reject(new Error(`the projection thread ended with code ${code} before it started`));
        if (!this.running) return;
        this.options.logger.warn({ code }, 'the projection thread ended; starting it again');
        this.restartTimer = setTimeout(() => {
          if (this.running) this.spawn().catch((error: unknown) => this.options.logger.error({ err: error }, 'the projection thread could not be started again'));
        }, RESTART_AFTER_MS);
      });
    });
  }
}

/**
 * The worker's entry: beside the bundle (dist/server/projection-worker.mjs), or the
 * TypeScript source, loaded through tsx, when the server itself runs from the source.
 */
function startWorker(workerData: WorkerData): Worker {
  // a projection page and its changes are small; the heap stays far below this
  const resourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };
  for (const candidate of ['./projection-worker.mjs', '../projection-worker.mjs']) {
    const file = new URL(candidate, import.meta.url);
    if (existsSync(file)) return new Worker(file, { workerData, resourceLimits });
  }
  const source = new URL('./projection-worker.ts', import.meta.url);
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv: [], workerData, resourceLimits });
}
