// kubectl 1.27, 1.30 and 1.33, run directly, read the cluster's OpenAPI: `explain` prints the schemas' field
// docs, and the default --validate=strict hands validation to the apiserver (fieldValidation=Strict), whose
// unknown-field error is Kubernetes' own; --validate=warn prints the warning, --validate=false drops the field.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubectl, kubectlOk, uniqueNamespace } from './cluster';

const VERSIONS = [27, 30, 33];
const namespaces: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-e2e-'));
const manifest = path.join(dir, 'x.yaml');

beforeAll(() => {
  fs.writeFileSync(
    manifest,
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  replicaz: 2',
      '  selector:',
      '    matchLabels: {app: web}',
      '  template:',
      '    metadata:',
      '      labels: {app: web}',
      '    spec:',
      '      containers:',
      '      - name: c',
      '        image: busybox:1.36',
      '        command: [sleep, "3600"]',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
  fs.rmSync(dir, { recursive: true, force: true });
});

const STRICT = `Error from server (BadRequest): error when creating "${manifest}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"`;

describe.each(VERSIONS)('kubectl 1.%i', (version) => {
  let ns: string;
  const run = (...args: string[]) => kubectl(['-n', ns, ...args], { version });
  const ok = (...args: string[]) => kubectlOk(['-n', ns, ...args], { version });
  beforeAll(() => {
    ns = uniqueNamespace(`openapi-${version}`);
    namespaces.push(ns);
  });

  it('explains deployment.spec.strategy with its fields, their types and the enum', () => {
    const out = ok('explain', 'deployment.spec.strategy');
    expect(out).toMatch(/^GROUP: +apps\nKIND: +Deployment\nVERSION: +v1\n\nFIELD: strategy <DeploymentStrategy>\n/);
    expect(out).toContain(
      'DESCRIPTION:\n    How running pods are replaced by pods of a new template.\n    How a Deployment replaces its pods when the template changes.\n',
    );
    expect(out).toContain(
      '  rollingUpdate\t<RollingUpdateDeployment>\n    Limits of a rolling update. Used only when type is RollingUpdate.\n',
    );
    expect(out).toContain('  type\t<string>\n');
    if (version >= 28) expect(out).toContain('  enum: Recreate, RollingUpdate\n'); // 1.27 does not print enums
  });

  it('explains pod.spec.containers.ports, marking required fields', () => {
    const out = ok('explain', 'pod.spec.containers.ports');
    expect(out).toMatch(/^KIND: +Pod\nVERSION: +v1\n\nFIELD: ports <\[\]ContainerPort>\n/);
    expect(out).toContain("  containerPort\t<integer> -required-\n    The port number in the pod's network namespace, from 1 to 65535.\n");
  });

  it("refuses an unknown field on create -f and apply -f with the apiserver's strict decoding error", () => {
    for (const verb of ['create', 'apply']) {
      const r = run(verb, '-f', manifest);
      expect([r.code, r.stderr.trim()]).toEqual([1, STRICT]);
    }
    expect(run('get', 'deployment', 'web').code).not.toBe(0);
  });

  it('warns with --validate=warn, and drops the field quietly with --validate=false', () => {
    const warned = run('create', '-f', manifest, '--validate=warn', '--dry-run=server');
    expect([warned.code, warned.stderr.trim(), warned.stdout.trim()]).toEqual([
      0,
      'Warning: unknown field "spec.replicaz"',
      'deployment.apps/web created (server dry run)',
    ]);
    const quiet = run('create', '-f', manifest, '--validate=false');
    expect([quiet.code, quiet.stderr, quiet.stdout.trim()]).toEqual([0, '', 'deployment.apps/web created']);
    expect(JSON.parse(ok('get', 'deployment', 'web', '-o', 'json')).spec).not.toHaveProperty('replicaz');
  });
});
