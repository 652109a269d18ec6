/**
 * The last line of defence of the `serve` process: an unhandled promise rejection or an
 * uncaught exception is logged and counted (`zt_process_unexpected_errors_total`), and
 * the server keeps serving instead of ending (Node's default, which would take every part
 * and every connection down with one faulty callback).
 *
 * Nothing a client sends should ever reach this guard: input is bounded and decoded at
 * the edge, and every message handler's failure is caught where it happens
 * (test/e2e/hostile-input.test.ts checks that the counter stays at 0 under every hostile
 * input). When it does fire, it is a bug, and the log line says where.
 *
 * Why serving on after an uncaught exception is safe enough here: such an exception ends
 * one callback of the event loop (a socket's listener, a timer) half-way. Whatever it
 * left behind is in memory only — the state of one connection, a cache entry — because
 * everything durable is an event appended in one transaction with a version check, and
 * the caches are checked against the log before use. What it cannot undo is a component
 * whose loop it ended; so the line is logged at `fatal` and the counter is worth an alert:
 * restart the process at a quiet moment after one (a restart loses nothing, SPEC §2).
 */
import type { Counter, MetricsRegistry } from '../http/metrics';

export interface GuardLogger {
  error(obj: object, msg: string): void;
  fatal(obj: object, msg: string): void;
}

export interface ProcessGuard {
  /** remove the handlers (the server stopped) */
  uninstall(): void;
}

export const UNEXPECTED_ERRORS_METRIC = 'zt_process_unexpected_errors_total';

export function installProcessGuard(target: NodeJS.Process, logger: GuardLogger, metrics: MetricsRegistry): ProcessGuard {
  const counter: Counter<'kind'> = metrics.counter(UNEXPECTED_ERRORS_METRIC, 'unhandled promise rejections and uncaught exceptions the process survived (each is a bug)', ['kind']);
  const write = (level: 'error' | 'fatal', error: unknown, msg: string): void => {
    try {
      logger[level]({ err: error }, msg);
    } catch {
      try {
        target.stderr.write(`${msg}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      } catch {
        // nothing left to write to
      }
    }
  };
  const onRejection = (reason: unknown): void => {
    counter.inc({ kind: 'unhandled-rejection' });
    write('error', reason, 'unhandled promise rejection (a bug); the server keeps serving');
  };
  const onException = (error: Error): void => {
    counter.inc({ kind: 'uncaught-exception' });
    write('fatal', error, 'uncaught exception (a bug); the server keeps serving, restart it when convenient');
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  return {
    uninstall() {
      target.off('unhandledRejection', onRejection);
      target.off('uncaughtException', onException);
    },
  };
}
