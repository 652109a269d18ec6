/**
 * The web apps (docs/web.md): Profile, UsersAdmin and the Devices admin, built from
 * `src/adapters/web/apps` into static files in `dist/web`, which the server serves under
 * `/apps/` (src/adapters/web/routes.ts). `npm run build:web`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const apps = fileURLToPath(new URL('./src/adapters/web/apps/', import.meta.url));

export default defineConfig({
  root: apps,
  base: '/apps/',
  publicDir: false,
  logLevel: 'warn',
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
