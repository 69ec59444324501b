// The dashboard as its container image holds it (deploy/images/dashboard.Dockerfile): the server and
// everything it imports bundled by esbuild into one file, dist/dashboard-image/main.js, beside the built
// page (web/), so the image needs Node.js and nothing from node_modules. Run by `npm run build`, after the
// page is built.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');
const out = path.join(dist, 'dashboard-image');
fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [path.join(here, 'main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  outfile: path.join(out, 'main.js'),
  logLevel: 'warning',
});
fs.cpSync(path.join(dist, 'dashboard', 'web'), path.join(out, 'web'), { recursive: true });
