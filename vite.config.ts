/**
 * The web apps (docs/web.md): Profile, UsersAdmin and the Devices admin, built from
 * `src/adapters/web/apps` into static files in `dist/web`, which the server serves under
 * `/apps/` (src/adapters/web/routes.ts). `npm run build:web`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const apps = fileURLToPath(new URL('./src/adapters/web/apps/', import.meta.url));

/**
 * One document for every page: `shared/page.html` holds the doctype, the head all pages
 * share (charset, viewport, colour scheme), a marker line for the page's head, and the
 * body of an app (its mount point and its `main.ts`). A page's index.html holds only its
 * `<head>` (its title, a style sheet) and, where it is not an app, its `<body>`; they go
 * in at their place, indented to it, before Vite reads the page's scripts and links.
 */
function pageLayout(): Plugin {
  const layout = readFileSync(`${apps}shared/page.html`, 'utf8');
  /** the lines between `<tag>` and `</tag>` (each on a line of its own), indented two more */
  const part = (html: string, tag: 'head' | 'body'): string | undefined =>
    new RegExp(`^<${tag}>\\n([\\s\\S]*?)^</${tag}>$`, 'm').exec(html)?.[1]!.replace(/^(?=.)/gm, '  ');
  return {
    name: 'zerotouch:page-layout',
    transformIndexHtml: {
      order: 'pre',
      handler: (html, { filename }) => {
        const head = part(html, 'head');
        if (head === undefined) throw new Error(`${filename}: a page has a <head>, its tags on lines of their own (the rest is shared/page.html)`);
        const body = part(html, 'body');
        return layout
          .replace(/^.*<!-- the page's <head> -->\n/m, () => head)
          .replace(/^.*<!-- the page's <body>.*-->\n([\s\S]*?)(?=^ {2}<\/body>$)/m, (_, app: string) => body ?? app);
      },
    },
  };
}

export default defineConfig({
  root: apps,
  base: '/apps/',
  publicDir: false,
  logLevel: 'warn',
  plugins: [pageLayout()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsDir: 'assets',
    rolldownOptions: {
      input: {
        index: `${apps}index.html`,
        profile: `${apps}profile/index.html`,
        'users-admin': `${apps}users-admin/index.html`,
        devices: `${apps}devices/index.html`,
      },
    },
  },
});
