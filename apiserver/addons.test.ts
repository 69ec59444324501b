import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAddons, resourceOfObject } from './addons';

describe('add-on manifests', () => {
  it('reads the dashboard add-on in order, each object a kind this apiserver serves', () => {
    const addons = readAddons(path.join(__dirname, '..', 'deploy', 'addons'));
    const dashboard = addons.filter((a) => a.file === 'dashboard.yaml').map((a) => `${a.object.kind} ${a.object.metadata.name}`);
    expect(dashboard).toEqual([
      'ServiceAccount dashboard',
      'ClusterRoleBinding dashboard-view',
      'ClusterRoleBinding dashboard-cluster-reader',
      'Deployment dashboard',
      'Service dashboard',
    ]);
    for (const a of addons) expect(resourceOfObject(a.object)).toBeDefined();
    const service = addons.find((a) => a.object.kind === 'Service')!.object as unknown as { spec: { ports: { name?: string }[] } };
    // kubectl proxy's URL .../services/http:dashboard:/proxy/ is scheme http, no port: the Service's unnamed port.
    expect(service.spec.ports).toHaveLength(1);
    expect(service.spec.ports[0].name).toBeUndefined();
  });

  it('skips empty documents and files of other types, and names the file of a document without a kind or of invalid YAML', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'addons-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one, namespace: kube-system}\n---\n');
      fs.writeFileSync(path.join(dir, 'README.md'), '# not a manifest');
      expect(readAddons(dir).map((a) => a.object.metadata.name)).toEqual(['one']);
      fs.writeFileSync(path.join(dir, 'b.yml'), 'metadata: {name: two}\n');
      expect(() => readAddons(dir)).toThrow('b.yml: every document needs apiVersion, kind and metadata.name');
      fs.writeFileSync(path.join(dir, 'b.yml'), 'kind: [ConfigMap\n');
      expect(() => readAddons(dir)).toThrow(/^b\.yml: deficient indentation/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the resource of an apiVersion and kind, and none for a kind not served', () => {
    expect(resourceOfObject({ apiVersion: 'apps/v1', kind: 'Deployment' })?.plural).toBe('deployments');
    expect(resourceOfObject({ apiVersion: 'v1', kind: 'Service' })?.plural).toBe('services');
    expect(resourceOfObject({ apiVersion: 'example.com/v1', kind: 'Website' })).toBeUndefined();
  });
});
