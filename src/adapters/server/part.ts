/**
 * A part of zerotouch (Redirector, Devices, Users) as the server composes it: its
 * projections, its HTTP routes and WebSocket endpoints, and what it runs in the
 * background. Every part gets the same context.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../../application/ports/clock';
import type { ProjectionWaiter } from '../../application/ports/projection-waiter';
import type { EventStore } from '../../application/ports/event-store';
import type { Random } from '../../application/ports/random';
import type { ReadModelStore } from '../../application/ports/read-model-store';
import type { Secrets } from '../../application/ports/secrets';
import type { Projection } from '../../application/projections/projection';
import type { Config, PartName } from '../config';
import type { MetricsRegistry } from '../http/metrics';
import type { WebSocketEndpoint } from '../ws/endpoints';
import type { Storage } from './storage';

export type { ProjectionWaiter };

export interface PartContext {
  readonly config: Config;
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly secrets: Secrets;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
  readonly projections: ProjectionWaiter;
  /** what the store keeps beside the events: presence, throttle buckets, leases */
  readonly storage: Pick<Storage, 'presence' | 'throttle' | 'leases'>;
  /** the names of the parts running in this process */
  readonly colocated: ReadonlySet<PartName>;
}

export interface Part {
  readonly name: PartName;
  readonly projections: readonly Projection[];
  /** register the part's routes on the server (full paths, e.g. /redirector/v1/...) */
  routes(app: FastifyInstance): Promise<void> | void;
  readonly websockets?: ReadonlyMap<string, WebSocketEndpoint>;
  /** runs once the server listens (schedulers, outgoing connections) */
  start?(): Promise<void>;
  /** stops what start began; the server then drains requests and closes the store */
  stop?(): Promise<void>;
  /** lines for the start-up banner */
  banner?(): readonly string[];
  /** readiness checks of its own (an upstream connection, …) */
  readiness?(): Promise<Record<string, { ok: boolean; detail?: string }>>;
}

export type PartFactory = (context: PartContext) => Part | Promise<Part>;
