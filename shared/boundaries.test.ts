// The design's hard boundaries: etcd3 is imported by the apiserver's storage file only, dockerode by the
// kubelet's Docker runtime only, and no other process, nor the installers in deploy/, imports the
// apiserver's code: everything else talks to the apiserver over HTTP, and file formats both sides read
// (the token file) live in shared/.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const DIRS = ['apiserver', 'scheduler', 'controller-manager', 'kubelet', 'kube-proxy', 'shared', 'deploy', 'test'];

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function importers(module: string): string[] {
  const pattern = new RegExp(`from '${module}'|require\\('${module}'\\)`);
  return DIRS.flatMap((d) => sources(path.join(ROOT, d)))
    .filter((f) => pattern.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));
}

/** Files under `dir` that import anything from apiserver/. */
function apiserverImporters(dir: string): string[] {
  return sources(path.join(ROOT, dir))
    .filter((f) => /from '(\.\.\/)+apiserver\//.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));
}

describe('import boundaries', () => {
  it('imports etcd3 in apiserver/storage/etcd.ts only', () => {
    expect(importers('etcd3')).toEqual(['apiserver/storage/etcd.ts']);
  });

  it('imports dockerode in kubelet/runtime/docker.ts only', () => {
    expect(importers('dockerode')).toEqual(['kubelet/runtime/docker.ts']);
  });

  it.each(['scheduler', 'controller-manager', 'kubelet', 'kube-proxy', 'shared', 'deploy'])(
    'keeps %s/ free of apiserver imports',
    (dir) => {
      expect(apiserverImporters(dir)).toEqual([]);
    },
  );
});
