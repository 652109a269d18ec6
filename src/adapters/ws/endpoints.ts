/**
 * WebSocket endpoints on the fastify server's port, routed by path (`/devices/v1/apps`,
 * `/users/v1/profile`, …). One `ws` server in noServer mode takes the upgrades.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

export type WebSocketEndpoint = (socket: WebSocket, request: IncomingMessage) => void;

/** frames larger than this are cut off by the protocol layer; smaller over-limit messages get an error result */
const MAX_FRAME = 1024 * 1024;

export function attachWebSocketEndpoints(app: FastifyInstance, endpoints: ReadonlyMap<string, WebSocketEndpoint>): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const endpoint = endpoints.get(path);
    if (!endpoint) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: application/problem+json\r\n\r\n' +
        JSON.stringify({ type: 'https://zerotouch.dev/problems/not-found', title: 'Not found', status: 404, code: 'not-found', detail: `no WebSocket endpoint ${path}` }));
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => endpoint(ws, request));
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
