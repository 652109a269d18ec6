/**
 * A child process for test/adapters/process-guard.test.ts: with `guard` as its argument
 * it installs the serve process's guard, then lets a promise rejection and an exception
 * go unhandled, and reports the guard's metrics once it has survived both.
 */
import pino from 'pino';
import { MetricsRegistry } from '../../src/adapters/http/metrics';
import { installProcessGuard } from '../../src/adapters/server/process-guard';

const metrics = new MetricsRegistry();
if (process.argv.includes('guard')) installProcessGuard(process, pino({ base: null }), metrics);
void Promise.reject(new Error('a rejection nobody handles'));
setTimeout(() => {
  throw new Error('an exception nobody catches');
}, 20);
setTimeout(() => void metrics.render().then((text) => process.stdout.write(`still running\n${text}`)), 200);
