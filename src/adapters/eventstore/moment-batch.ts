/**
 * Questions asked of PostgreSQL in the same turn of the event loop, sent together as one
 * statement (one round trip, one snapshot). Each question is sent only after it was
 * asked, so it sees every write that finished before it; batches do not wait for each
 * other. A batch the server refuses as a whole (a value it cannot take in one question)
 * is asked again question by question, so only that question fails.
 */
interface Waiting<Q, A> {
  readonly question: Q;
  readonly resolve: (answer: A) => void;
  readonly reject: (error: unknown) => void;
}

export interface MomentBatchOptions<Q, A> {
  /** most questions in one statement */
  readonly most: number;
  /** one question alone (also the fallback of a refused batch) */
  readonly one: (question: Q) => Promise<A>;
  /** several questions in one statement: one answer each, in their order */
  readonly many: (questions: readonly Q[]) => Promise<readonly A[]>;
  /** whether a failed batch is asked again question by question (the server refused a value, not the connection) */
  readonly askAlone: (error: unknown) => boolean;
}

export class MomentBatch<Q, A> {
  private waiting: Array<Waiting<Q, A>> = [];

  constructor(private readonly options: MomentBatchOptions<Q, A>) {}

  ask(question: Q): Promise<A> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ question, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.send());
    });
  }

  private send(): void {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.most);
      void (batch.length === 1 ? this.alone(batch[0]!) : this.together(batch));
    }
  }

  private async alone(w: Waiting<Q, A>): Promise<void> {
    try {
      w.resolve(await this.options.one(w.question));
    } catch (error) {
      w.reject(error);
    }
  }

  private async together(batch: ReadonlyArray<Waiting<Q, A>>): Promise<void> {
    let answers: readonly A[];
    try {
      answers = await this.options.many(batch.map((w) => w.question));
    } catch (error) {
      if (this.options.askAlone(error)) await Promise.all(batch.map((w) => this.alone(w)));
      else for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, at) => w.resolve(answers[at]!));
  }
}
