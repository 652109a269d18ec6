/**
 * The latest matching job of a scope (a domain and category selector, and for config jobs
 * a type), kept in O(1) per event: the scope's active jobs form a doubly linked list by
 * creation, its head document holds the newest one. A new job becomes the head; a
 * cancelled job is unlinked wherever it stands, so the one before it matches again.
 * Changing the head's job (a wave advanced, a job halted) rewrites the head document.
 */
import type { DocTx } from './doc-tx';

export interface ChainedJob<J> {
  readonly job: J;
  /** the next older active job of the scope */
  readonly prev: string | null;
  /** the next newer active job of the scope */
  readonly next: string | null;
  /** false once cancelled: out of the list */
  readonly linked: boolean;
}

export class JobChain<J extends { readonly jobId: string }> {
  constructor(
    /** collection of `ChainedJob` documents by job id */
    readonly jobs: string,
    /** collection of head jobs by scope */
    readonly heads: string,
  ) {}

  /** a new job, the newest of its scope */
  async push(tx: DocTx, scope: string, job: J): Promise<void> {
    const head = await tx.get<J>(this.heads, scope);
    if (head) {
      const older = await tx.get<ChainedJob<J>>(this.jobs, head.jobId);
      if (older) tx.put(this.jobs, head.jobId, { ...older, next: job.jobId });
    }
    tx.put(this.jobs, job.jobId, { job, prev: head?.jobId ?? null, next: null, linked: true });
    tx.put(this.heads, scope, job);
  }

  /** the job stops matching (cancelled): out of the list; its document keeps `job` */
  async unlink(tx: DocTx, scope: string, job: J): Promise<void> {
    const doc = await tx.get<ChainedJob<J>>(this.jobs, job.jobId);
    if (!doc?.linked) return;
    const older = doc.prev === null ? undefined : await tx.get<ChainedJob<J>>(this.jobs, doc.prev);
    if (older && doc.prev !== null) tx.put(this.jobs, doc.prev, { ...older, next: doc.next });
    if (doc.next !== null) {
      const newer = await tx.get<ChainedJob<J>>(this.jobs, doc.next);
      if (newer) tx.put(this.jobs, doc.next, { ...newer, prev: doc.prev });
    } else if (older) {
      tx.put(this.heads, scope, older.job);
    } else {
      tx.remove(this.heads, scope);
    }
    tx.put(this.jobs, job.jobId, { job, prev: null, next: null, linked: false });
  }

  /** the job changed (still in the list where it was) */
  async update(tx: DocTx, scope: string, job: J): Promise<void> {
    const doc = await tx.get<ChainedJob<J>>(this.jobs, job.jobId);
    if (!doc) return;
    tx.put(this.jobs, job.jobId, { ...doc, job });
    const head = await tx.get<J>(this.heads, scope);
    if (head?.jobId === job.jobId) tx.put(this.heads, scope, job);
  }

  /** the job as last recorded */
  async get(tx: DocTx, jobId: string): Promise<J | undefined> {
    return (await tx.get<ChainedJob<J>>(this.jobs, jobId))?.job;
  }
}
