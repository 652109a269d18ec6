/**
 * A small load balancer for tests of several nodes: HTTP requests go to the nodes in turn,
 * passing over a node whose connection is refused (a node that died is out at once);
 * WebSocket upgrades are piped through to the first node that takes the connection, or to
 * the node `sockets` names. Answers 502 when no node takes a request.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface Proxy {
  readonly url: string;
  /** HTTP requests each node answered */
  readonly served: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(nodes: readonly string[], options: { sockets?: number } = {}): Promise<Proxy> {
  const targets = nodes.map((n) => new URL(n));
  const served = targets.map(() => 0);
  let turn = 0;
  const open = new Set<Socket>();

  const forward = (req: IncomingMessage, res: import('node:http').ServerResponse, body: Buffer, tried: number): void => {
    if (tried >= targets.length) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no node took the request');
      return;
    }
    const index = turn++ % targets.length;
    const target = targets[index]!;
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' } },
      (answer) => {
        served[index]! += 1;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      // refused before anything was sent: the node is gone, the next one takes it
      if (error.code === 'ECONNREFUSED') forward(req, res, body, tried + 1);
      else if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`node ${index} failed: ${error.code ?? error.message}`);
      else res.destroy();
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), 0));
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });

  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const tryNode = (k: number): void => {
      if (k >= targets.length) {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        return;
      }
      const index = ((options.sockets ?? 0) + k) % targets.length;
      const target = targets[index]!;
      const upstream = connect(Number(target.port), target.hostname);
      open.add(upstream);
      upstream.once('close', () => open.delete(upstream));
      upstream.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED' && !upstream.bytesRead) tryNode(k + 1);
        else client.destroy();
      });
      upstream.once('connect', () => {
        const headers = Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.map((v) => `${name}: ${v}`) : [`${name}: ${value}`]));
        upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
        if (head.length) upstream.write(head);
        upstream.pipe(client).pipe(upstream);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
    };
    tryNode(0);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy did not listen');
  return {
    url: `http://127.0.0.1:${address.port}`,
    served,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
