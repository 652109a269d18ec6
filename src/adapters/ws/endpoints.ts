/**
 * WebSocket endpoints on the fastify server's port, routed by path (`/devices/v1/apps`,
 * `/users/v1/profile`, …). One `ws` server in noServer mode takes the upgrades. Each
 * endpoint takes at most so many open connections from one source address; an upgrade
 * beyond that is answered 429 before any WebSocket exists.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientLog } from '../http/client-log';
import { problemBody } from '../http/problem';
import { DEFAULT_SESSION_LIMITS, type SessionLimits, type WsConnection } from './json-session';

export type WebSocketEndpoint = (socket: WebSocket, request: IncomingMessage, connection: WsConnection) => void;

/** frames larger than this are cut off by the protocol layer (close 1009); smaller over-limit messages get an error result */
export const MAX_FRAME = 1024 * 1024;

export interface WebSocketEndpointOptions {
  readonly limits?: SessionLimits;
  /** open connections per source address and endpoint */
  readonly connectionsPerIp?: number;
  /** take the client's address from X-Forwarded-For (as fastify's trustProxy does for HTTP) */
  readonly trustProxy?: boolean;
  readonly log?: ClientLog;
}

export const DEFAULT_CONNECTIONS_PER_IP = 256;

/** the client's address as fastify's `request.ip` has it: with a trusted proxy the first X-Forwarded-For entry */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = request.headers['x-forwarded-for'];
    const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return request.socket.remoteAddress ?? 'unknown';
}

const refuse = (socket: Duplex, status: string, headers: string, problem: object): void => {
  const body = JSON.stringify(problem);
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`);
};

export function attachWebSocketEndpoints(app: FastifyInstance, endpoints: ReadonlyMap<string, WebSocketEndpoint>, options: WebSocketEndpointOptions = {}): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
  const limits = options.limits ?? DEFAULT_SESSION_LIMITS;
  const perIp = options.connectionsPerIp ?? DEFAULT_CONNECTIONS_PER_IP;
  /** open connections by endpoint and address */
  const open = new Map<string, number>();

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // until ws takes the socket, nothing else listens for its errors (a client resetting the connection)
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const endpoint = endpoints.get(path);
    if (!endpoint) {
      refuse(socket, '404 Not Found', '', problemBody('not-found', `no WebSocket endpoint ${path}`));
      return;
    }
    const client = clientAddress(request, options.trustProxy ?? false);
    const key = `${path} ${client}`;
    if ((open.get(key) ?? 0) >= perIp) {
      options.log?.hostileInput(client, 'too-many-connections', `more than ${perIp} connections to ${path}`);
      refuse(socket, '429 Too Many Requests', 'Retry-After: 10\r\n', problemBody('rate-limited', `at most ${perIp} open connections to ${path} from one address`));
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      open.set(key, (open.get(key) ?? 0) + 1);
      ws.once('close', () => {
        const left = (open.get(key) ?? 1) - 1;
        if (left > 0) open.set(key, left);
        else open.delete(key);
      });
      try {
        endpoint(ws, request, { client, limits, ...(options.log ? { log: options.log } : {}) });
      } catch (error) {
        options.log?.failure(client, 'websocket', error, { path });
        ws.terminate();
      }
    });
  };
  app.server.on('upgrade', onUpgrade);
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    for (const client of wss.clients) client.terminate();
  });
  return wss;
}
