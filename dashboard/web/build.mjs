// Builds the dashboard's page into dist/dashboard/web: type-checked by tsc (dashboard/web/tsconfig.json),
// bundled by esbuild into one ES module (app.js, with dagre), beside index.html and app.css.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', '..', 'dist', 'dashboard', 'web');
fs.mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(here, 'main.ts')],
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  outfile: path.join(out, 'app.js'),
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css']) fs.copyFileSync(path.join(here, f), path.join(out, f));
