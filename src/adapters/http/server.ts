/**
 * The fastify instance every part shares: problem+json errors, the 64 KiB body limit, a
 * nesting limit on JSON bodies, /healthz, /readyz, /metrics, /openapi.json, request
 * metrics, optional TLS.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { StoreUnavailableError } from '../../application/ports/event-store';
import { DEFAULT_MAX_JSON_DEPTH, jsonTooDeep } from './bounded-json';
import { ClientLog } from './client-log';
import { Refusal } from '../../application/refusal';
import { HttpProblem, problemBody, problemOf, sendProblem, type ProblemCode } from './problem';
import type { MetricsRegistry } from './metrics';
import { problemSchema } from './openapi-responses';
import { STORE_UNAVAILABLE_DETAIL } from '../refusals';
import { route } from './route';

export const BODY_LIMIT = 64 * 1024;

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

export interface HttpServerOptions {
  readonly logger?: FastifyBaseLogger | boolean;
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly metrics: MetricsRegistry;
  readonly readiness: () => Promise<Readiness>;
  readonly title?: string;
  readonly version?: string;
  /** log every request and response (default: errors only) */
  readonly logRequests?: boolean;
  /** trust X-Forwarded-For from a proxy in front (rate limits then see the client's address) */
  readonly trustProxy?: boolean | string;
  /** JSON bodies nesting deeper than this are refused (400) before they are parsed */
  readonly maxJsonDepth?: number;
  /** where refused hostile input and failed requests are logged (default: on the fastify logger) */
  readonly clientLog?: ClientLog;
}

const FASTIFY_ERRORS: Record<string, { code: ConstructorParameters<typeof HttpProblem>[0]; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload-too-large', detail: `the request body is larger than ${BODY_LIMIT} bytes` },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'unsupported-media-type', detail: 'send the body as application/json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'validation-failed', detail: 'the body is empty but the content type says JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'validation-failed', detail: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'validation-failed', detail: 'the content length does not match the body' },
  FST_ERR_CTP_EMPTY_TYPE: { code: 'unsupported-media-type', detail: 'the content type is empty' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported-media-type', detail: 'the content type is not valid' },
  FST_ERR_BAD_URL: { code: 'validation-failed', detail: 'the URL is not valid' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'validation-failed' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'validation-failed', detail: 'a path parameter is longer than 100 characters' },
};

const CHECKS = {
  type: 'object',
  additionalProperties: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, detail: { type: 'string' } } },
};
const HEALTHY = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } };
const READY = { type: 'object', required: ['status', 'checks'], properties: { status: { type: 'string', enum: ['ready'] }, checks: CHECKS } };
const NOT_READY = (() => {
  const problem = problemSchema(503);
  return { ...problem, required: [...(problem['required'] as string[]), 'checks'], properties: { ...(problem['properties'] as object), checks: CHECKS } };
})();

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const serverOptions: FastifyServerOptions & { https?: unknown } = {
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    // the largest WebSocket or HTTP header we expect is small; keep the defaults otherwise
    return503OnClosing: true,
    // one line per request is too much for a phone fleet; the error handler still logs failures
    logController: new LogController({ disableRequestLogging: options.logRequests !== true }),
    forceCloseConnections: 'idle',
    ajv: { customOptions: { strict: false } },
    // errors the router answers before any route or error handler runs (a bad URL encoding, an overlong path parameter)
    frameworkErrors: (error, _request, reply) => {
      const known = FASTIFY_ERRORS[error.code];
      sendProblem(reply, new HttpProblem(known?.code ?? 'validation-failed', known?.detail ?? error.message));
    },
    // what Node's HTTP parser refuses before fastify sees a request (headers over 16 KiB, broken HTTP) is a problem too
    clientErrorHandler: answerClientError,
  };
  if (options.tls) serverOptions.https = { cert: options.tls.cert, key: options.tls.key };
  if (options.logger !== undefined) {
    if (typeof options.logger === 'boolean') serverOptions.logger = options.logger;
    else serverOptions.loggerInstance = options.logger;
  }
  const app = Fastify(serverOptions as FastifyServerOptions) as unknown as FastifyInstance;

  // io-ts decodes input; fastify's schemas only document it
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  const clientLog = options.clientLog ?? new ClientLog(app.log, options.metrics);
  const maxDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  // JSON bodies: the nesting bounded in one pass over the text, then fastify's own parser
  // (which refuses __proto__ and constructor.prototype keys); no other text type is taken
  const fastifyJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (request, body, done) => {
    const text = body as string;
    if (jsonTooDeep(text, maxDepth)) {
      clientLog.hostileInput(request.ip, 'json-too-deep', `a JSON body nested deeper than ${maxDepth} levels`, { method: request.method, route: request.routeOptions.url ?? 'unmatched' });
      done(new HttpProblem('validation-failed', `the body nests arrays and objects deeper than ${maxDepth} levels`), undefined);
      return;
    }
    fastifyJson(request, text, (error, value) => {
      if (error && (error as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isPlainJson(text)) {
        clientLog.hostileInput(request.ip, 'forbidden-key', 'a JSON body with a __proto__ or constructor.prototype key', { method: request.method, route: request.routeOptions.url ?? 'unmatched' });
        done(new HttpProblem('validation-failed', 'the body holds a "__proto__" key or "constructor.prototype", which are not accepted'), undefined);
        return;
      }
      done(error, value);
    });
  });

  const requests = options.metrics.histogram('zt_http_request_duration_seconds', 'HTTP request latency by route, method and status', ['method', 'route', 'status']);
  app.addHook('onResponse', async (request, reply) => {
    requests.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    if (error instanceof Refusal) return sendProblem(reply, problemOf(error));
    const code = (error as FastifyError).code;
    const known = code ? FASTIFY_ERRORS[code] : undefined;
    if (known) return sendProblem(reply, new HttpProblem(known.code, known.detail ?? error.message));
    if (error instanceof SyntaxError || (error as FastifyError).statusCode === 400) {
      return sendProblem(reply, new HttpProblem('validation-failed', `the request is malformed: ${error.message}`));
    }
    if (error instanceof StoreUnavailableError) {
      request.log.error({ err: error }, 'event store unavailable');
      return sendProblem(reply, new HttpProblem('unavailable', STORE_UNAVAILABLE_DETAIL, { headers: { 'retry-after': '1' } }));
    }
    const status = (error as FastifyError).statusCode;
    if (status === 413) return sendProblem(reply, new HttpProblem('payload-too-large', error.message));
    if (status === 415) return sendProblem(reply, new HttpProblem('unsupported-media-type', error.message));
    clientLog.failure(request.ip, 'http', error, { method: request.method, route: request.routeOptions.url ?? 'unmatched' });
    return sendProblem(reply, new HttpProblem('internal-error', 'the server failed to answer this request; it has been logged'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, new HttpProblem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title ?? 'zerotouch', version: options.version ?? '0.1.0', description: 'Zero-touch provisioning for desk IP phones' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'operator, admin, user or installation API key' },
          device: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Device <deviceId>:<deviceSecret>' },
        },
      },
    },
  });

  const operations = ['operations'];
  route(
    app,
    { method: 'GET', url: '/healthz', summary: 'Liveness: the process answers', tags: operations, responses: { 200: { description: 'the process runs', jsonSchema: HEALTHY } } },
    async () => ({ status: 'ok' }),
  );

  route(
    app,
    {
      method: 'GET',
      url: '/readyz',
      summary: 'Readiness: the store answers and the read models are caught up',
      tags: operations,
      responses: {
        200: { description: 'ready, with each check', jsonSchema: READY },
        503: { description: 'unavailable: not ready; `checks` says which check fails', jsonSchema: NOT_READY },
      },
    },
    async ({ reply }) => {
      const readiness = await options.readiness().catch((error: unknown): Readiness => ({
        ready: false,
        checks: { readiness: { ok: false, detail: error instanceof Error ? error.message : String(error) } },
      }));
      if (readiness.ready) return { status: 'ready', checks: readiness.checks };
      const failing = Object.entries(readiness.checks)
        .filter(([, c]) => !c.ok)
        .map(([name, c]) => `${name}: ${c.detail ?? 'not ready'}`)
        .join('; ');
      return reply
        .code(503)
        .type('application/problem+json; charset=utf-8')
        .send(problemBody('unavailable', failing || 'not ready', 503, { checks: readiness.checks }, '/readyz'));
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics',
      tags: operations,
      responses: { 200: { description: 'the Prometheus text format 0.0.4', jsonSchema: { type: 'string' }, contentType: 'text/plain' } },
    },
    async ({ reply }) => reply.type(options.metrics.contentType).send(await options.metrics.render()),
  );

  route(
    app,
    {
      method: 'GET',
      url: '/openapi.json',
      summary: 'This OpenAPI document',
      tags: operations,
      responses: { 200: { description: 'OpenAPI 3.0', jsonSchema: { type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { type: 'string' }, paths: { type: 'object' } } } } },
    },
    async () => app.swagger(),
  );

  return app;
}

/** valid JSON that fastify's parser refused: it holds a key that could poison a prototype */
function isPlainJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const CLIENT_ERRORS: Record<string, { status: number; code: ProblemCode; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'payload-too-large', detail: `the request line and headers are larger than ${maxHeaderSize} bytes` },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'validation-failed', detail: 'the request did not arrive in time' },
};

/** Node's HTTP parser refused the request (fastify's default answers plain JSON): answer a problem and close */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const known = (error.code && CLIENT_ERRORS[error.code]) || { status: 400, code: 'validation-failed' as const, detail: 'the request is not valid HTTP' };
  const body = JSON.stringify(problemBody(known.code, known.detail, known.status));
  socket.end(
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\nConnection: close\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
