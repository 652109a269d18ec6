/**
 * The web apps (docs/web.md) as static files under `/apps/`: the pages built by
 * `npm run build:web` into `dist/web`, served by the same process as the protocols they
 * speak. `/apps/profile` and `/apps/users-admin` where Users runs, `/apps/devices` where
 * Devices runs. Pages are revalidated on every load (`no-cache`, ETag); assets carry a
 * content hash in their names and are cached for a year. Without a build, every
 * `/apps/` route answers 503 saying how to make one.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import type { PartName } from '../config';
import type { Responses } from '../http/openapi-responses';
import { HttpProblem } from '../http/problem';
import { route } from '../http/route';

export type WebPage = 'profile' | 'users-admin' | 'devices';

/** the checkout this code runs from (the sources under src/, or the bundle in dist/) */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** where `npm run build:web` puts the pages */
export const WEB_ROOT = join(packageRoot(), 'dist', 'web');

/** whether `npm run build:web` has run */
export const webBuilt = (root = WEB_ROOT): boolean => existsSync(join(root, 'index.html'));

/** the pages of the parts a process runs */
export const pagesFor = (parts: ReadonlySet<PartName>): WebPage[] => [
  ...(parts.has('users') ? (['profile', 'users-admin'] as const) : []),
  ...(parts.has('devices') ? (['devices'] as const) : []),
];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** the pages load their own scripts and styles, draw QR codes as data: images and talk to this origin only */
const PAGE_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

const ASSET_HEADERS = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
};

/** an asset's file name as the build writes it: no directories, no dot files */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;

const TAGS = ['web apps'];

export interface WebRoutesOptions {
  readonly pages: readonly WebPage[];
  /** the built files (default `dist/web`) */
  readonly root?: string;
}

export const webRoutes = (options: WebRoutesOptions) => async (app: FastifyInstance) => {
  const root = options.root ?? WEB_ROOT;

  const ensureBuilt = async (): Promise<void> => {
    const index = await stat(join(root, 'index.html')).catch(() => undefined);
    if (!index?.isFile()) throw new HttpProblem('unavailable', `the web apps are not built (no ${join(root, 'index.html')}): run npm run build:web, then reload`);
  };

  /** a built file, or undefined when there is no such file (503 when nothing is built) */
  const load = async (file: string): Promise<{ body: Buffer; etag: string } | undefined> => {
    await ensureBuilt();
    const path = join(root, file);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { body: await readFile(path), etag: `W/"${info.size.toString(16)}-${Math.trunc(info.mtimeMs).toString(16)}"` };
  };

  const sendPage = async (file: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const page = await load(file);
    if (!page) throw new HttpProblem('unavailable', `the web app ${file} is missing from ${root}: run npm run build:web, then reload`);
    reply.headers({ ...PAGE_HEADERS, etag: page.etag });
    if (request.headers['if-none-match'] === page.etag) return reply.code(304).send();
    return reply.type(CONTENT_TYPES['.html']!).send(page.body);
  };

  const PAGE: Responses = {
    200: { description: 'the page', jsonSchema: { type: 'string' }, contentType: 'text/html' },
    304: { description: 'not modified (If-None-Match matched the ETag)' },
    503: { description: 'unavailable: the web apps are not built (npm run build:web)' },
  };
  for (const url of ['/apps', '/apps/']) {
    route(app, { method: 'GET', url, summary: 'The list of web apps', tags: TAGS, responses: PAGE }, ({ request, reply }) => sendPage('index.html', request, reply));
  }
  for (const page of options.pages) {
    for (const url of [`/apps/${page}`, `/apps/${page}/`]) {
      route(app, { method: 'GET', url, summary: `The ${page} web app`, tags: TAGS, responses: PAGE }, ({ request, reply }) => sendPage(`${page}/index.html`, request, reply));
    }
  }

  route(
    app,
    {
      method: 'GET',
      url: '/apps/assets/:file',
      summary: 'A script or style sheet of the web apps (content-hashed name, cached for a year)',
      tags: TAGS,
      params: t.type({ file: t.string }),
      responses: {
        200: { description: 'the file', jsonSchema: { type: 'string' }, contentType: [...new Set(Object.values(CONTENT_TYPES).map((type) => type.split(';')[0]!))] },
        404: { description: 'not-found: no such asset (a newer build may have replaced it)' },
        503: { description: 'unavailable: the web apps are not built (npm run build:web)' },
      },
    },
    async ({ params: { file }, reply }) => {
      const type = CONTENT_TYPES[extname(file)];
      const asset = ASSET_NAME.test(file) && type !== undefined ? await load(join('assets', file)) : await ensureBuilt();
      if (!asset || type === undefined) throw new HttpProblem('not-found', `no web asset ${file}; reload the page (a newer build may have replaced it)`);
      return reply.headers({ ...ASSET_HEADERS, etag: asset.etag }).type(type).send(asset.body);
    },
  );
};
