/**
 * Keeps every registered projection caught up with the event log, rebuilds one on demand
 * (replay into a fresh generation beside the live one, then swap), and reports where each
 * stands. Several processes may run the same projections on one database: checkpoints are
 * moved with a compare-and-set, so each batch lands once.
 */
import type { EventStore, JsonObject, RecordedEvent } from '../ports/event-store';
import type { Checkpoint, DocChange, ReadModelStore, Slot } from '../ports/read-model-store';
import type { Projection, ReadModelView } from './projection';

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** the version that built the live read model (differs from `version` until a rebuild) */
  readonly liveVersion: number | null;
  readonly generation: number | null;
  readonly position: number;
  readonly head: number;
  /** global positions between the checkpoint and the head */
  readonly behind: number;
  readonly rebuilding: { readonly generation: number; readonly position: number } | null;
  readonly updatedAt: string | null;
}

export interface RunnerLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /** re-read at least this often without a wake-up (appends by other processes) */
  readonly pollIntervalMs?: number;
  readonly logger?: RunnerLogger;
  /** rebuild, in the background, read models built by another projection version (default true) */
  readonly autoRebuild?: boolean;
}

export type StepOutcome = 'advanced' | 'idle' | 'conflict';

interface Waiter {
  readonly target: number;
  readonly afterStep: number;
  readonly resolve: () => void;
}

interface Loop {
  readonly projection: Projection;
  stepsStarted: number;
  position: number;
  waiters: Waiter[];
  wake: (() => void) | undefined;
  pendingWake: boolean;
  done: Promise<void> | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ProjectionRunner {
  private readonly projections = new Map<string, Projection>();
  private readonly loops = new Map<string, Loop>();
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly logger: RunnerLogger | undefined;
  private readonly autoRebuild: boolean;
  private readonly rebuilds = new Map<string, Promise<void>>();
  private stopWatching: (() => void) | undefined;
  private running = false;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    projections: readonly Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    for (const p of projections) {
      if (this.projections.has(p.name)) throw new Error(`projection ${p.name} registered twice`);
      this.projections.set(p.name, p);
    }
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.logger = options.logger;
    this.autoRebuild = options.autoRebuild ?? true;
  }

  names(): string[] {
    return [...this.projections.keys()];
  }

  /** start a loop per projection; read models of another version are rebuilt in the background */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopWatching = this.store.watch(() => {
      for (const loop of this.loops.values()) this.wakeLoop(loop);
    });
    for (const projection of this.projections.values()) {
      const loop: Loop = { projection, stepsStarted: 0, position: 0, waiters: [], wake: undefined, pendingWake: false, done: undefined };
      this.loops.set(projection.name, loop);
      const live = await this.readModels.checkpoint(projection.name, 'live');
      loop.position = live?.position ?? 0;
      loop.done = this.runLoop(loop);
      if (this.autoRebuild && live && live.version !== projection.version) {
        this.logger?.info({ projection: projection.name, from: live.version, to: projection.version }, 'projection version changed: rebuilding');
        void this.rebuild(projection.name).catch((error: unknown) =>
          this.logger?.warn({ projection: projection.name, err: error }, 'background rebuild failed'),
        );
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopWatching?.();
    for (const loop of this.loops.values()) this.wakeLoop(loop);
    await Promise.all([...this.loops.values()].map((l) => l.done));
    await Promise.allSettled(this.rebuilds.values());
    for (const loop of this.loops.values()) for (const w of loop.waiters.splice(0)) w.resolve();
    this.loops.clear();
  }

  /**
   * Resolves once every projection (or the one named) has applied the events up to
   * `position` (default: the head at call time), or found the end of the log after the call.
   */
  async caughtUp(options: { name?: string; position?: number; timeoutMs?: number } = {}): Promise<void> {
    const target = options.position ?? (await this.store.headPosition());
    const loops = options.name ? [this.requireLoop(options.name)] : [...this.loops.values()];
    const waits = loops.map(
      (loop) =>
        new Promise<void>((resolve) => {
          if (loop.position >= target) return resolve();
          loop.waiters.push({ target, afterStep: loop.stepsStarted, resolve });
          this.wakeLoop(loop);
        }),
    );
    if (options.timeoutMs === undefined) {
      await Promise.all(waits);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`projections not caught up with position ${target} within ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    try {
      await Promise.race([Promise.all(waits), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** true when no running projection is more than `tolerance` positions behind the head */
  async isCaughtUp(tolerance = 0): Promise<boolean> {
    const head = await this.store.headPosition();
    const checkpoints = await this.readModels.checkpoints();
    for (const name of this.projections.keys()) {
      const live = checkpoints.find((c) => c.projection === name && c.slot === 'live');
      if (head - (live?.position ?? 0) > tolerance) {
        // a projection may be "behind" only by events it skipped at the very end of the log
        const loop = this.loops.get(name);
        if (!loop || loop.position < head - tolerance) return false;
      }
    }
    return true;
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition();
    const checkpoints = await this.readModels.checkpoints();
    const names = new Set([...this.projections.keys(), ...checkpoints.map((c) => c.projection)]);
    return [...names].sort().map((name) => {
      const live = checkpoints.find((c) => c.projection === name && c.slot === 'live');
      const rebuild = checkpoints.find((c) => c.projection === name && c.slot === 'rebuild');
      const position = live?.position ?? 0;
      return {
        name,
        version: this.projections.get(name)?.version ?? live?.version ?? 0,
        liveVersion: live?.version ?? null,
        generation: live?.generation ?? null,
        position,
        head,
        behind: Math.max(0, head - position),
        rebuilding: rebuild ? { generation: rebuild.generation, position: rebuild.position } : null,
        updatedAt: live?.updatedAt ?? null,
      };
    });
  }

  /**
   * Replay the whole log into a fresh generation beside the live read model, then swap it
   * in. The live read model keeps answering queries until the swap.
   */
  rebuild(name: string, onProgress?: (position: number, head: number) => void): Promise<void> {
    const projection = this.projections.get(name);
    if (!projection) return Promise.reject(new Error(`unknown projection ${name}; known: ${this.names().join(', ')}`));
    const running = this.rebuilds.get(name);
    if (running) return running;
    const work = this.doRebuild(projection, onProgress).finally(() => this.rebuilds.delete(name));
    this.rebuilds.set(name, work);
    return work;
  }

  private async doRebuild(projection: Projection, onProgress?: (position: number, head: number) => void): Promise<void> {
    const name = projection.name;
    await this.readModels.dropSlot(name, 'rebuild');
    const generation = (await this.readModels.maxGeneration(name)) + 1;
    const created = await this.readModels.commit({
      projection: name,
      slot: 'rebuild',
      expected: undefined,
      generation,
      version: projection.version,
      position: 0,
      changes: [],
    });
    if (!created) throw new Error(`projection ${name}: another rebuild started at the same time`);
    for (;;) {
      const outcome = await this.step(projection, 'rebuild');
      const cp = await this.readModels.checkpoint(name, 'rebuild');
      if (!cp) throw new Error(`projection ${name}: the rebuild was abandoned by another process`);
      if (outcome === 'idle') {
        onProgress?.(cp.position, await this.store.headPosition());
        if (await this.readModels.promote(name, cp)) break;
      } else if (outcome === 'advanced' && onProgress) {
        onProgress(cp.position, await this.store.headPosition());
      }
    }
    const loop = this.loops.get(name);
    if (loop) this.wakeLoop(loop);
    this.logger?.info({ projection: name, generation }, 'projection rebuilt');
  }

  /**
   * Apply the next batch of events to a slot of one projection and commit it with the
   * checkpoint. Exposed for the CLI and tests; the loops call it.
   */
  async step(projection: Projection, slot: Slot): Promise<StepOutcome> {
    const name = projection.name;
    const cp: Pick<Checkpoint, 'generation' | 'position'> | undefined = await this.readModels.checkpoint(name, slot);
    let generation: number;
    if (cp) generation = cp.generation;
    else if (slot === 'live') generation = (await this.readModels.maxGeneration(name)) + 1;
    else return 'idle'; // no rebuild under way
    const after = cp?.position ?? 0;
    const page = await this.store.readAll({ after, limit: this.batchSize });
    if (page.events.length === 0) {
      if (!cp) {
        // create the checkpoint so status shows the projection, even on an empty log
        return (await this.commitBatch(projection, slot, cp, generation, 0, new Map())) ? 'idle' : 'conflict';
      }
      return 'idle';
    }
    const changes = await this.applyBatch(projection, generation, page.events);
    return (await this.commitBatch(projection, slot, cp, generation, page.position, changes)) ? 'advanced' : 'conflict';
  }

  private async applyBatch(projection: Projection, generation: number, events: readonly RecordedEvent[]): Promise<Map<string, DocChange>> {
    const types = new Set(projection.eventTypes);
    const changes = new Map<string, DocChange>();
    const view: ReadModelView = {
      get: async <T extends JsonObject>(collection: string, key: string): Promise<T | undefined> => {
        const pending = changes.get(`${collection}\u0000${key}`);
        if (pending) return (pending.doc ?? undefined) as T | undefined;
        return (await this.readModels.getIn(projection.name, generation, collection, key)) as T | undefined;
      },
    };
    for (const event of events) {
      if (!types.has(event.type)) continue;
      const out = await projection.apply(event, view);
      for (const change of out) changes.set(`${change.collection}\u0000${change.key}`, change);
    }
    return changes;
  }

  private commitBatch(
    projection: Projection,
    slot: Slot,
    expected: Pick<Checkpoint, 'generation' | 'position'> | undefined,
    generation: number,
    position: number,
    changes: Map<string, DocChange>,
  ): Promise<boolean> {
    return this.readModels.commit({
      projection: projection.name,
      slot,
      expected: expected ? { generation: expected.generation, position: expected.position } : undefined,
      generation,
      version: projection.version,
      position,
      changes: [...changes.values()],
    });
  }

  private async runLoop(loop: Loop): Promise<void> {
    let failures = 0;
    while (this.running) {
      const stepNumber = ++loop.stepsStarted;
      loop.pendingWake = false;
      let outcome: StepOutcome;
      try {
        outcome = await this.step(loop.projection, 'live');
        failures = 0;
      } catch (error) {
        failures++;
        this.logger?.warn({ projection: loop.projection.name, err: error }, 'projection step failed; retrying');
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
        continue;
      }
      const cp = await this.readModels.checkpoint(loop.projection.name, 'live').catch(() => undefined);
      if (cp) loop.position = cp.position;
      for (let i = loop.waiters.length - 1; i >= 0; i--) {
        const w = loop.waiters[i]!;
        if (loop.position >= w.target || (outcome === 'idle' && stepNumber > w.afterStep)) {
          loop.waiters.splice(i, 1);
          w.resolve();
        }
      }
      if (outcome === 'idle') await this.waitForWake(loop);
    }
  }

  private waitForWake(loop: Loop): Promise<void> {
    return new Promise((resolve) => {
      if (loop.pendingWake || !this.running) {
        loop.pendingWake = false;
        return resolve();
      }
      const timer = setTimeout(done, this.pollIntervalMs);
      function done(): void {
        clearTimeout(timer);
        loop.wake = undefined;
        loop.pendingWake = false;
        resolve();
      }
      loop.wake = done;
    });
  }

  private wakeLoop(loop: Loop): void {
    loop.pendingWake = true;
    loop.wake?.();
  }

  private requireLoop(name: string): Loop {
    const loop = this.loops.get(name);
    if (!loop) throw new Error(`projection ${name} is not running`);
    return loop;
  }
}
