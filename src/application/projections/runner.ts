/**
 * Keeps every registered projection caught up with the event log, rebuilds one on demand
 * (replay into a fresh generation beside the live one, then swap), and reports where each
 * stands. Several processes may run the same projections on one database: checkpoints are
 * moved with a compare-and-set, so each batch lands once.
 *
 * One reader serves all live projections: it reads a page after the lowest position among
 * them and hands each projection the events past its own position. A projection whose
 * events changed documents commits them with its checkpoint; one that only skipped events
 * moves its checkpoint in memory and writes it at most once per `checkpointEveryMs` (a
 * crash then replays a few skipped events, which change nothing).
 * With leases (a shared store) a projection runs only where its lease is held, asked before
 * every page; a wait for one running elsewhere reads its shared checkpoint instead.
 */
import { withPersonal } from '../personal-data';
import { mayConcern, type EventStore, type JsonObject, type RecordedEvent } from '../ports/event-store';
import { writtenFor, type CaughtUpOptions, type WrittenTypes } from '../ports/projection-waiter';
import type { Checkpoint, DocChange, ReadModelStore, Slot } from '../ports/read-model-store';
import { DocumentCache } from './document-cache';
import { docSlot, type Projection, type ReadModelView } from './projection';
import type { Live, ProjectionRunnerOptions, ProjectionService, ProjectionStatus, RunnerLogger, StepOutcome, Waiter } from './runner-types';
import { SharedCheckpointWaits } from './shared-checkpoint';

export type { ProjectionRunnerOptions, ProjectionService, ProjectionStatus, RunnerLogger, StepOutcome } from './runner-types';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** a wait for the projections, failed after `timeoutMs` (none: it waits as long as it takes) */
export async function caughtUpWithin(wait: Promise<void>, target: number, timeoutMs: number | undefined): Promise<void> {
  if (timeoutMs === undefined) return wait;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`projections not caught up with position ${target} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([wait, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class ProjectionRunner implements ProjectionService {
  private readonly projections = new Map<string, Projection>();
  private readonly live = new Map<string, Live>();
  private waiters: Waiter[] = [];
  private stepsStarted = 0;
  private wake: (() => void) | undefined;
  private pendingWake = false;
  private loop: Promise<void> | undefined;
  /** the options' numbers, defaults filled in */
  private readonly tuning: Required<Pick<ProjectionRunnerOptions, 'batchSize' | 'pollIntervalMs' | 'checkpointEveryMs' | 'coalesceMs'>>;
  private readonly logger: RunnerLogger | undefined;
  private readonly autoRebuild: boolean;
  private readonly rebuilds = new Map<string, Promise<void>>();
  private stopWatching: (() => void) | undefined;
  private running = false;
  private readonly lease: ((projection: string) => Promise<boolean>) | undefined;
  private readonly remote: SharedCheckpointWaits;
  private readonly onStep: ProjectionRunnerOptions['onStep'];
  private readonly documentCacheEntries: number;

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
    this.tuning = {
      batchSize: options.batchSize ?? 500,
      pollIntervalMs: options.pollIntervalMs ?? 500,
      checkpointEveryMs: options.checkpointEveryMs ?? 1000,
      coalesceMs: options.coalesceMs ?? 10,
    };
    this.logger = options.logger;
    this.autoRebuild = options.autoRebuild ?? true;
    this.lease = options.lease;
    this.onStep = options.onStep;
    this.documentCacheEntries = options.documentCacheEntries ?? 1000;
    this.remote = new SharedCheckpointWaits(store, readModels, options.sharedPollMs ?? 5);
  }

  names(): string[] {
    return [...this.projections.keys()];
  }

  /** start the live reader; read models of another version are rebuilt in the background */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // appends of types no projection reads are passed over by the next page that reads
    const read = new Set([...this.projections.values()].flatMap((p) => p.eventTypes));
    this.stopWatching = this.store.watch((types) => {
      if (mayConcern(read, types)) this.wakeLoop();
    });
    for (const projection of this.projections.values()) {
      const stored = await this.readModels.checkpoint(projection.name, 'live');
      this.live.set(projection.name, {
        projection,
        types: new Set(projection.eventTypes),
        stored,
        generation: stored?.generation ?? (await this.readModels.maxGeneration(projection.name)) + 1,
        position: stored?.position ?? 0,
        dirtySince: undefined,
        reload: false,
        failures: 0,
        retryAt: 0,
        active: this.lease === undefined,
        docs: new DocumentCache(this.documentCacheEntries),
      });
      if (this.lease === undefined) this.rebuildIfStale(projection, stored);
    }
    this.loop = this.runLoop();
  }

  /** read models built by another version are rebuilt (by the process running the projection) */
  private rebuildIfStale(projection: Projection, stored: Pick<Checkpoint, 'version'> | undefined): void {
    if (!this.autoRebuild || !stored || stored.version === projection.version) return;
    this.logger?.info({ projection: projection.name, from: stored.version, to: projection.version }, 'projection version changed: rebuilding');
    void this.rebuild(projection.name).catch((error: unknown) => this.logger?.warn({ projection: projection.name, err: error }, 'background rebuild failed'));
  }

  /** ask for every projection's lease: a lease taken over starts from the stored checkpoint */
  private async refreshLeases(): Promise<void> {
    if (!this.lease) return;
    for (const live of this.live.values()) {
      const held = await this.lease(live.projection.name).catch(() => false);
      if (held === live.active) continue;
      live.active = held;
      live.dirtySince = undefined;
      live.reload = true;
      this.logger?.info({ projection: live.projection.name }, held ? 'projection runs here (took its lease)' : 'projection runs elsewhere (another process holds its lease)');
      if (held) this.rebuildIfStale(live.projection, await this.readModels.checkpoint(live.projection.name, 'live'));
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopWatching?.();
    this.wakeLoop();
    await this.loop;
    await Promise.allSettled(this.rebuilds.values());
    await this.flushCheckpoints(true).catch((error: unknown) => this.logger?.warn({ err: error }, 'could not write the last checkpoints'));
    for (const w of this.waiters.splice(0)) w.resolve();
    this.live.clear();
  }

  /**
   * Resolves once every projection (or the one named) has applied the events up to
   * `position` (default: the head at call time), or found the end of the log after the call.
   */
  async caughtUp(options: CaughtUpOptions = {}): Promise<void> {
    if (options.name && !this.live.has(options.name)) throw new Error(`projection ${options.name} is not running`);
    const target = options.position ?? (await this.store.headPosition());
    let over = false;
    const names = options.name ? [options.name] : [...this.live.keys()];
    const wait = Promise.all(names.map((name) => this.waitFor(name, target, options.written, () => over))).then(() => undefined);
    try {
      await caughtUpWithin(wait, target, options.timeoutMs);
    } finally {
      over = true;
    }
  }

  /** one projection: here, by the live reader; elsewhere, by its shared checkpoint (until it runs here) */
  private async waitFor(name: string, target: number, written: WrittenTypes | undefined, over: () => boolean): Promise<void> {
    const live = this.live.get(name);
    const helped = live ? writtenFor(live.projection, written) : 'unknown';
    if (helped === 'none') return;
    if (live && !live.active) {
      await this.remote.wait(live.projection, { target, typed: helped === 'last' }, () => over() || !this.running || live.active);
      if (!live.active || over() || !this.running) return;
    }
    return new Promise<void>((resolve) => {
      if (this.reached(target, name)) return resolve();
      this.waiters.push({ target, name, afterStep: this.stepsStarted, resolve });
      this.wakeLoop();
    });
  }

  /** true when no running projection is more than `tolerance` positions behind the head */
  async isCaughtUp(tolerance = 0): Promise<boolean> {
    const head = await this.store.headPosition();
    for (const live of this.live.values()) if (live.active && live.position < head - tolerance) return false;
    return true;
  }

  private reached(target: number, name?: string): boolean {
    const states = name ? [this.live.get(name)!] : [...this.live.values()];
    return states.every((l) => l.position >= target);
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition();
    const checkpoints = await this.readModels.checkpoints();
    const names = new Set([...this.projections.keys(), ...checkpoints.map((c) => c.projection)]);
    return [...names].sort().map((name) => {
      const live = checkpoints.find((c) => c.projection === name && c.slot === 'live');
      const rebuild = checkpoints.find((c) => c.projection === name && c.slot === 'rebuild');
      const position = Math.max(live?.position ?? 0, this.live.get(name)?.position ?? 0);
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
    const live = this.live.get(name);
    if (live) live.reload = true;
    this.wakeLoop();
    this.logger?.info({ projection: name, generation }, 'projection rebuilt');
  }

  /**
   * Apply the next batch of events to a slot of one projection and commit it with the
   * checkpoint. The rebuild replays with it; the live reader has its own path (livePage).
   */
  async step(projection: Projection, slot: Slot): Promise<StepOutcome> {
    const name = projection.name;
    const cp: Pick<Checkpoint, 'generation' | 'position'> | undefined = await this.readModels.checkpoint(name, slot);
    let generation: number;
    if (cp) generation = cp.generation;
    else if (slot === 'live') generation = (await this.readModels.maxGeneration(name)) + 1;
    else return 'idle'; // no rebuild under way
    const after = cp?.position ?? 0;
    const page = await this.store.readAll({ after, limit: this.tuning.batchSize });
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

  private async applyBatch(projection: Projection, generation: number, events: readonly RecordedEvent[], cache?: DocumentCache): Promise<Map<string, DocChange>> {
    const types = new Set(projection.eventTypes);
    const changes = new Map<string, DocChange>();
    const view: ReadModelView = {
      get: async <T extends JsonObject>(collection: string, key: string): Promise<T | undefined> => {
        const pending = changes.get(docSlot(collection, key));
        if (pending) return (pending.doc ?? undefined) as T | undefined;
        const cached = cache?.get(collection, key);
        if (cached !== undefined) return (cached ?? undefined) as T | undefined;
        const doc = await this.readModels.getIn(projection.name, generation, collection, key);
        cache?.read(collection, key, doc);
        return doc as T | undefined;
      },
    };
    for (const event of events) {
      if (!types.has(event.type)) continue;
      const out = await projection.apply(withPersonal(event), view);
      for (const change of out) changes.set(docSlot(change.collection, change.key), change);
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

  /** the live reader: one page at a time, for every projection past its own position */
  private async runLoop(): Promise<void> {
    while (this.running) {
      const stepNumber = ++this.stepsStarted;
      const stepStart = performance.now();
      this.onStep?.started(stepNumber);
      this.pendingWake = false;
      let read = 0;
      try {
        await this.refreshLeases();
        await this.reloadWhereNeeded();
        read = await this.livePage();
        await this.flushCheckpoints(false);
      } catch (error) {
        this.logger?.warn({ err: error }, 'reading the event log for the projections failed; retrying');
        await sleep(500);
        continue;
      }
      const idle = read === 0;
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const w = this.waiters[i]!;
        if (this.reached(w.target, w.name) || (idle && stepNumber > w.afterStep)) {
          this.waiters.splice(i, 1);
          w.resolve();
        }
      }
      this.onStep?.ended(stepNumber, idle);
      if (idle) await this.waitForWake();
      // a page is applied without a pause (its reads and writes answer at once): behind a
      // backlog of full pages, let the requests that arrived meanwhile in before the next
      // one (after a short page the next read finds the log caught up and waits anyway)
      else if (read >= this.tuning.batchSize) await new Promise<void>((resolve) => setImmediate(resolve));
      // a short page, under a steady stream of appends: the next one starts no sooner than
      // `coalesceMs` after this one did, so the appends of that time are read (and committed) together
      else {
        const left = stepStart + this.tuning.coalesceMs - performance.now();
        if (left > 0) await sleep(left);
      }
    }
  }

  /** apply the next page; answers how many events it read (0: the log was caught up) */
  private async livePage(): Promise<number> {
    const now = Date.now();
    const states = [...this.live.values()].filter((l) => l.active && l.retryAt <= now);
    if (states.length === 0) return 0;
    const after = Math.min(...states.map((l) => l.position));
    const page = await this.store.readAll({ after, limit: this.tuning.batchSize });
    if (page.events.length === 0) return 0;
    // the projections side by side (each its own documents): the reads of documents they do
    // not hold yet are asked together, which a store may answer in one round trip
    const applied = await Promise.all(
      states.map(async (live): Promise<{ live: Live; changes: Map<string, DocChange> } | undefined> => {
        if (live.position >= page.position) return undefined;
        const events = page.events.filter((e) => e.globalPosition > live.position && live.types.has(e.type));
        try {
          const changes = await this.applyBatch(live.projection, live.generation, events, live.docs);
          if (changes.size > 0 || live.stored === undefined) return { live, changes };
          live.position = page.position;
          live.dirtySince ??= Date.now();
        } catch (error) {
          this.failed(live, error);
        }
        return undefined;
      }),
    );
    const commits = applied.filter((c) => c !== undefined);
    if (commits.length > 0) await this.commitLive(commits, page.position);
    return page.events.length;
  }

  private failed(live: Live, error: unknown): void {
    // a batch that threw may have read documents it then changed; a commit that threw may have landed
    live.docs.clear();
    live.failures++;
    live.retryAt = Date.now() + Math.min(5000, 100 * 2 ** Math.min(live.failures, 6));
    this.logger?.warn({ projection: live.projection.name, err: error }, 'projection batch failed; retrying');
  }

  /** commit the projections' batches (in one transaction where the store can) */
  private async commitLive(commits: ReadonlyArray<{ live: Live; changes: Map<string, DocChange> }>, position: number): Promise<void> {
    const args = commits.map(({ live, changes }) => ({
      projection: live.projection.name,
      slot: 'live' as const,
      expected: live.stored ? { generation: live.stored.generation, position: live.stored.position } : undefined,
      generation: live.generation,
      version: live.projection.version,
      position,
      changes: [...changes.values()],
    }));
    let results: readonly boolean[];
    try {
      results = this.readModels.commitMany ? await this.readModels.commitMany(args) : await Promise.all(args.map((a) => this.readModels.commit(a)));
    } catch (error) {
      for (const { live } of commits) this.failed(live, error);
      return;
    }
    commits.forEach(({ live, changes }, i) => {
      if (results[i]) {
        live.docs.committed(changes.values());
        live.stored = { generation: live.generation, position };
        live.position = position;
        live.dirtySince = undefined;
        live.failures = 0;
      } else {
        live.reload = true; // another process moved it (or a rebuild was promoted): start from there
      }
    });
  }

  /** write checkpoints moved only by skipped events, when they waited long enough (or all, on stop) */
  private async flushCheckpoints(all: boolean): Promise<void> {
    const now = Date.now();
    const due = [...this.live.values()].filter((l) => l.active && l.dirtySince !== undefined && !l.reload && (all || now - l.dirtySince >= this.tuning.checkpointEveryMs));
    // one transaction for those at one position
    const byPosition = new Map<number, Live[]>();
    for (const live of due) byPosition.set(live.position, [...(byPosition.get(live.position) ?? []), live]);
    for (const [position, lives] of byPosition) await this.commitLive(lives.map((live) => ({ live, changes: new Map() })), position);
  }

  private async reloadWhereNeeded(): Promise<void> {
    for (const live of this.live.values()) {
      if (!live.reload) continue;
      const stored = await this.readModels.checkpoint(live.projection.name, 'live');
      live.docs.clear(); // another process (or a promote) moved the checkpoint: its documents may differ
      live.stored = stored;
      live.generation = stored?.generation ?? (await this.readModels.maxGeneration(live.projection.name)) + 1;
      live.position = stored?.position ?? 0;
      live.dirtySince = undefined;
      live.reload = false;
    }
  }

  private waitForWake(): Promise<void> {
    return new Promise((resolve) => {
      if (this.pendingWake || !this.running) {
        this.pendingWake = false;
        return resolve();
      }
      const interval = [...this.live.values()].some((l) => l.dirtySince !== undefined) ? Math.min(this.tuning.pollIntervalMs, this.tuning.checkpointEveryMs) : this.tuning.pollIntervalMs;
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pendingWake = false;
        resolve();
      };
      const timer = setTimeout(done, interval);
      // woken by an append: give the appends of the same moment a little time to join
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        if (this.tuning.coalesceMs > 0 && this.running) setTimeout(done, this.tuning.coalesceMs);
        else done();
      };
    });
  }

  /** how far each running projection has applied the log here */
  positions(): Map<string, number> {
    return new Map([...this.live].map(([name, live]) => [name, live.position]));
  }

  /** appends were made that this runner's store does not report (another connection's) */
  notifyAppended(): void {
    this.wakeLoop();
  }

  private wakeLoop(): void {
    this.pendingWake = true;
    this.wake?.();
  }
}
