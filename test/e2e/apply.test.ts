// Server-side apply and kubectl diff with kubectl 1.27, 1.30 and 1.33 run directly: `apply --server-side`
// records kubectl as the Apply manager (shown by --show-managed-fields, hidden otherwise), a field another
// manager owns is a conflict kubectl explains, --force-conflicts takes it over, and `diff` prints a unified
// diff and exits 1 when the manifest would change the object, 0 when not (client-side and --server-side).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubectl, kubectlOk, uniqueNamespace } from './cluster';

const VERSIONS = [27, 30, 33];
const namespaces: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apply-e2e-'));

function manifest(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const configMap = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: "${value}"
`;

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: busybox:1.36
        command: [sleep, "3600"]
`;

let cm1: string;
let cm2: string;
let web0: string;
let web1: string;
let web2: string;

beforeAll(() => {
  cm1 = manifest('cm1.yaml', configMap('1'));
  cm2 = manifest('cm2.yaml', configMap('2'));
  web0 = manifest('web0.yaml', deployment(0));
  web1 = manifest('web1.yaml', deployment(1));
  web2 = manifest('web2.yaml', deployment(2));
});

afterAll(() => {
  for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(VERSIONS)('kubectl 1.%i', (version) => {
  let ns: string;
  const run = (...args: string[]) => kubectl(['-n', ns, ...args], { version });
  const ok = (...args: string[]) => kubectlOk(['-n', ns, ...args], { version });
  beforeAll(() => {
    ns = uniqueNamespace(`apply-${version}`);
    namespaces.push(ns);
  });

  it('apply --server-side creates the object with kubectl as its Apply manager', () => {
    expect(ok('apply', '--server-side', '-f', cm1)).toBe('configmap/settings serverside-applied\n');
    const shown = ok('get', 'configmap', 'settings', '-o', 'yaml', '--show-managed-fields');
    expect(shown).toContain(
      '  managedFields:\n  - apiVersion: v1\n    fieldsType: FieldsV1\n    fieldsV1:\n      f:data:\n        f:a: {}\n',
    );
    expect(shown).toContain('    manager: kubectl\n    operation: Apply\n');
    expect(ok('get', 'configmap', 'settings', '-o', 'yaml')).not.toContain('managedFields');
    expect(ok('apply', '--server-side', '-f', cm1)).toBe('configmap/settings serverside-applied\n');
  });

  it('diff exits 0 when the manifest changes nothing and 1 with a unified diff when it does', () => {
    for (const mode of [[], ['--server-side']]) {
      const same = run('diff', ...mode, '-f', cm1);
      expect(same).toMatchObject({ code: 0, stdout: '' });
      const changed = run('diff', ...mode, '-f', cm2);
      expect(changed.code).toBe(1);
      expect(changed.stdout).toMatch(/^diff -u -N \S+\/v1\.ConfigMap\.\S+\.settings \S+\/v1\.ConfigMap\.\S+\.settings\n--- /);
      expect(changed.stdout).toContain('\n-  a: "1"\n+  a: "2"\n');
    }
    expect(ok('get', 'configmap', 'settings', '-o', 'jsonpath={.data.a}')).toBe('1'); // diff changed nothing
  });

  it('a field another manager owns is a conflict; --force-conflicts takes it over', () => {
    expect(ok('apply', '-f', web0)).toBe('deployment.apps/web created\n');
    const conflict = run('apply', '--server-side', '--field-manager=ci', '-f', web1);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain(
      'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas\n' +
        'Please review the fields above--they currently have other managers.',
    );
    expect(ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}')).toBe('0');

    expect(ok('apply', '--server-side', '--field-manager=ci', '--force-conflicts', '-f', web1)).toBe(
      'deployment.apps/web serverside-applied\n',
    );
    expect(ok('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}')).toBe('1');
    const managers = ok('get', 'deployment', 'web', '-o', 'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}');
    expect(managers).toContain('ci/Apply');

    // The object now matches web1: no diff; web2 would change replicas.
    expect(run('diff', '-f', web1)).toMatchObject({ code: 0, stdout: '' });
    const diff = run('diff', '-f', web2);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('\n-  replicas: 1\n+  replicas: 2\n');
  });
});
