// Bundles the server and CLI into dist/zerotouch.mjs: one file, started by plain node
// (no TypeScript loader at run time: faster start, about 40 MB less memory). Native and
// optional drivers stay outside the bundle and load from node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/zerotouch.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'pg', '@eventstore/db-client'],
  // CommonJS packages inside an ES module bundle still call require()
  banner: { js: "import { createRequire as __zerotouchRequire } from 'node:module'; const require = __zerotouchRequire(import.meta.url);" },
  logLevel: 'warning',
});
