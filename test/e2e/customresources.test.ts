// CustomResourceDefinitions with kubectl 1.27, 1.30 and 1.33 run directly: a CRD applied and established
// (`kubectl wait`), its objects applied and listed with the printer columns, explained from the schema,
// refused with Kubernetes' message for a wrong type, scaled through the scale subresource, edited, and gone
// with the CRD: a kubectl that fetches discovery afresh no longer knows the resource type.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubectl, kubectlOk, uniqueNamespace } from './cluster';

const VERSIONS = [27, 30, 33];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-e2e-'));
const namespaces: string[] = [];

const crd = (group: string, shortName: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [${shortName}]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        description: A CronTab runs an image on a schedule.
        properties:
          spec:
            type: object
            description: What to run and when.
            required: [image]
            properties:
              cronSpec: {type: string, description: "When to run, in cron syntax."}
              image: {type: string, description: The image to run.}
              replicas: {type: integer, minimum: 0, default: 1, description: How many copies run at once.}
          status:
            type: object
            properties:
              replicas: {type: integer}
`;

const crontab = (group: string, name: string, replicas = '') => `apiVersion: ${group}/v1
kind: CronTab
metadata: {name: ${name}}
spec:
  cronSpec: "* * * * */5"
  image: my-cron-image
${replicas ? `  replicas: ${replicas}\n` : ''}`;

afterAll(() => {
  for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(VERSIONS)('kubectl 1.%i', (version) => {
  const group = `e2e${version}.stable.example.com`;
  const short = `ct${version}`;
  let ns: string;
  const cache = path.join(dir, `cache-${version}`);
  const file = (name: string, text: string) => {
    const p = path.join(dir, `${version}-${name}.yaml`);
    fs.writeFileSync(p, text);
    return p;
  };
  const run = (args: string[], env?: Record<string, string>) => kubectl(['-n', ns, `--cache-dir=${cache}`, ...args], { version, env });
  const ok = (...args: string[]) => kubectlOk(['-n', ns, `--cache-dir=${cache}`, ...args], { version });

  beforeAll(() => {
    ns = uniqueNamespace(`crd-${version}`);
    namespaces.push(ns);
  });

  it('applies a CRD, which becomes established', () => {
    expect(ok('apply', '-f', file('crd', crd(group, short))).trim()).toBe(
      `customresourcedefinition.apiextensions.k8s.io/crontabs.${group} created`,
    );
    expect(ok('wait', '--for=condition=established', '--timeout=30s', `crd/crontabs.${group}`).trim()).toBe(
      `customresourcedefinition.apiextensions.k8s.io/crontabs.${group} condition met`,
    );
    expect(ok('get', 'crd', `crontabs.${group}`)).toMatch(
      new RegExp(`^NAME +CREATED AT\\ncrontabs\\.${group.replace(/\./g, '\\.')} +\\d{4}-`),
    );
  });

  it('applies objects and lists them with the printer columns', () => {
    expect(ok('apply', '-f', file('nightly', crontab(group, 'nightly'))).trim()).toBe(`crontab.${group}/nightly created`);
    expect(ok('apply', '-f', file('hourly', crontab(group, 'hourly', '2'))).trim()).toBe(`crontab.${group}/hourly created`);
    const lines = ok('get', short).trim().split('\n');
    expect(lines[0]).toMatch(/^NAME +SPEC +REPLICAS +AGE$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(0, 3))).toEqual([
      ['hourly', '* * * * */5', '2'],
      ['nightly', '* * * * */5', '1'],
    ]);
    expect(ok('get', 'crontabs', 'nightly', '-o', 'jsonpath={.apiVersion} {.spec.replicas} {.metadata.generation}')).toBe(
      `${group}/v1 1 1`,
    );
  });

  it('explains the resource from its schema', () => {
    const out = ok('explain', 'crontab.spec');
    expect(out).toMatch(new RegExp(`^GROUP: +${group.replace(/\./g, '\\.')}\\nKIND: +CronTab\\nVERSION: +v1\\n\\nFIELD: spec <Object>\\n`));
    expect(out).toContain('What to run and when.');
    expect(out).toContain('  image\t<string> -required-\n    The image to run.\n');
    expect(out).toContain('  replicas\t<integer>\n    How many copies run at once.\n');
  });

  it("refuses a wrong type with Kubernetes' message", () => {
    const r = run(['apply', '-f', file('bad', crontab(group, 'bad', '"three"'))]);
    expect([r.code, r.stderr.trim()]).toEqual([
      1,
      'The CronTab "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ]);
  });

  it('scales through the scale subresource and edits with a merge patch', () => {
    expect(ok('scale', short, 'nightly', '--replicas=3').trim()).toBe(`crontab.${group}/nightly scaled`);
    expect(ok('get', short, 'nightly', '-o', 'jsonpath={.spec.replicas}')).toBe('3');
    const edited = run(['edit', short, 'nightly'], { KUBE_EDITOR: 'sed -i s/my-cron-image/edited-image/' });
    expect([edited.code, edited.stdout.trim()]).toEqual([0, `crontab.${group}/nightly edited`]);
    expect(ok('get', short, 'nightly', '-o', 'jsonpath={.spec.image} {.metadata.generation}')).toBe('edited-image 3');
  });

  it('deletes the objects with the CRD, after which the resource type is unknown', () => {
    expect(ok('delete', 'crd', `crontabs.${group}`).trim()).toBe(
      `customresourcedefinition.apiextensions.k8s.io "crontabs.${group}" deleted`,
    );
    // kubectl deletes and waits until the CRD is gone, which is after its objects are.
    const fresh = kubectl(['-n', ns, `--cache-dir=${path.join(dir, `fresh-${version}`)}`, 'get', 'crontabs'], { version });
    expect([fresh.code, fresh.stderr.trim()]).toEqual([1, 'error: the server doesn\'t have a resource type "crontabs"']);
    // Its objects are gone from storage too: the same CRD created again has none.
    ok('apply', '-f', file('crd', crd(group, short)));
    ok('wait', '--for=condition=established', '--timeout=30s', `crd/crontabs.${group}`);
    const after = run(['get', short]);
    expect([after.code, after.stderr.trim()]).toEqual([0, `No resources found in ${ns} namespace.`]);
    ok('delete', 'crd', `crontabs.${group}`);
  });
});
