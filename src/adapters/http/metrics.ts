/**
 * The server's Prometheus metrics, with prom-client: one registry per server, written in
 * the text exposition format (version 0.0.4) at GET /metrics. Besides the server's own
 * `zt_*` metrics it holds prom-client's default ones (`process_*` CPU, memory and file
 * descriptors, `nodejs_*` heap, GC durations and event-loop lag).
 *
 * The default metrics describe the process, not one server, so they are collected once
 * per process and registered in every server's registry: a process that builds several
 * servers (the tests do) runs one GC observer and one event-loop monitor, not one each.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type { Counter, Gauge, Histogram } from 'prom-client';

/** request latencies, in seconds: 1 ms to 5 s */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** a gauge's samples, read at each scrape */
export type GaugeSamples<L extends string> = number | ReadonlyArray<{ readonly labels: Readonly<Record<L, string>>; readonly value: number }>;

let processMetrics: Registry | undefined;
const defaultMetrics = (): Registry => {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
};

export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    const defaults = defaultMetrics();
    for (const { name } of defaults.getMetricsAsArray()) this.registry.registerMetric(defaults.getSingleMetric(name)!);
  }

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  /** a gauge whose samples `read` gives at each scrape */
  gauge<L extends string = never>(name: string, help: string, read: () => GaugeSamples<L>, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        const samples = read();
        if (typeof samples === 'number') {
          this.set(samples);
          return;
        }
        this.reset();
        for (const sample of samples) this.set(sample.labels as Partial<Record<L, string>>, sample.value);
      },
    });
  }

  histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], buckets: readonly number[] = LATENCY_BUCKETS): Histogram<L> {
    return new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  /** the text exposition format */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
