// CustomResourceDefinitions at a real apiserver and etcd: a CRD is validated, gets NamesAccepted and
// Established, and its resource then appears in discovery (legacy and aggregated) and OpenAPI and is served
// by the same machinery as built-in kinds: CRUD, selectors, Table columns from additionalPrinterColumns,
// schema validation, pruning and defaults, status and scale subresources, several versions. A second
// apiserver on the same etcd learns it too. Deleting the CRD deletes its objects and its discovery entry.
import { ControlPlane, freePort, httpStatus, startControlPlane, startProcess, waitFor } from '../processes';
import type { Proc } from '../processes';
import { api } from './api';

let cp: ControlPlane;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const CRONTABS = '/apis/stable.example.com/v1/namespaces/default/crontabs';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
      },
      required: ['image'],
    },
    status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
  },
};

const crontabCRD = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: schema },
        subresources: {
          status: {},
          scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
        },
        additionalPrinterColumns: [
          { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: schema } },
    ],
    ...extra,
  },
});

const crontab = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>) => ({
  apiVersion: 'stable.example.com/v1',
  kind: 'CronTab',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});

async function established(name: string) {
  return waitFor(
    async () => {
      const crd = await api(cp.config, 'GET', `${CRDS}/${name}`);
      const conditions = crd.body.status?.conditions ?? [];
      return conditions.some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True') && crd.body;
    },
    { what: `${name} to be established`, timeoutMs: 10_000 },
  );
}

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp?.stop());

describe('CustomResourceDefinitions', () => {
  it('are refused with Kubernetes messages when names, group, versions or schemas are wrong', async () => {
    const bad = crontabCRD({
      group: 'example',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } },
        },
      ],
    });
    const res = await api(cp.config, 'POST', CRDS, bad);
    expect(res.code).toBe(422);
    const causes = res.body.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`);
    expect(causes).toEqual(
      expect.arrayContaining([
        'metadata.name: Invalid value: "crontabs.stable.example.com": must be spec.names.plural+"."+spec.group',
        'spec.group: Invalid value: "example": should be a domain with at least one dot',
        expect.stringMatching(/^spec\.versions: Invalid value: .*: must have exactly one version marked as storage version$/),
        'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
      ]),
    );
    expect(res.body.message).toMatch(/^CustomResourceDefinition\.apiextensions\.k8s\.io "crontabs\.stable\.example\.com" is invalid: /);
  });

  it('are accepted, established, and their resource appears in discovery and OpenAPI', async () => {
    const created = await api(cp.config, 'POST', CRDS, crontabCRD());
    expect(created.code).toBe(201);
    expect(created.body.status.storedVersions).toEqual(['v1']);
    expect(created.body.metadata.finalizers).toBeUndefined();
    const crd = await established('crontabs.stable.example.com');
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'crontabs', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] });
    expect(crd.status.conditions.find((c: { type: string }) => c.type === 'NamesAccepted')).toMatchObject({
      status: 'True',
      reason: 'NoConflicts',
    });

    const table = await api(cp.config, 'GET', CRDS, undefined, 'application/json', TABLE);
    expect(table.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Created At']);

    const group = await waitFor(async () => {
      const g = await api(cp.config, 'GET', '/apis/stable.example.com/v1');
      return g.code === 200 && g.body;
    });
    expect(group.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'crontabs', singularName: 'crontab', namespaced: true, kind: 'CronTab', shortNames: ['ct'] }),
        expect.objectContaining({ name: 'crontabs/scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }),
        expect.objectContaining({ name: 'crontabs/status', kind: 'CronTab' }),
      ]),
    );
    const groups = (await api(cp.config, 'GET', '/apis')).body.groups;
    expect(groups.find((g: { name: string }) => g.name === 'stable.example.com')).toEqual({
      name: 'stable.example.com',
      versions: [
        { groupVersion: 'stable.example.com/v1', version: 'v1' },
        { groupVersion: 'stable.example.com/v1beta1', version: 'v1beta1' },
      ],
      preferredVersion: { groupVersion: 'stable.example.com/v1', version: 'v1' },
    });
    const aggregated = await api(cp.config, 'GET', '/apis', undefined, 'application/json', AGGREGATED);
    const item = aggregated.body.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'stable.example.com');
    expect(item.versions[0].resources[0]).toMatchObject({ resource: 'crontabs', scope: 'Namespaced', responseKind: { kind: 'CronTab' } });

    const index = (await api(cp.config, 'GET', '/openapi/v3')).body.paths;
    expect(index['apis/stable.example.com/v1']).toBeDefined();
    const doc = (await api(cp.config, 'GET', index['apis/stable.example.com/v1'].serverRelativeURL)).body;
    const def = doc.components.schemas['com.example.stable.v1.CronTab'];
    expect(def['x-kubernetes-group-version-kind']).toEqual([{ group: 'stable.example.com', version: 'v1', kind: 'CronTab' }]);
    expect(def.properties.spec.properties.replicas).toMatchObject({ type: 'integer', default: 1 });
    const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  });

  it('serves objects: defaults, pruning, schema validation in Kubernetes words, columns, selectors', async () => {
    const created = await api(cp.config, 'POST', `${CRONTABS}?fieldValidation=Warn`, {
      ...crontab(
        'nightly',
        { cronSpec: '* * * * */5', image: 'busybox', extra: 'x', config: { anything: { goes: 1 } }, port: 'http' },
        { app: 'a' },
      ),
      status: { replicas: 7 },
    });
    expect(created.code).toBe(201);
    expect(created.body.spec).toEqual({
      cronSpec: '* * * * */5',
      image: 'busybox',
      replicas: 1,
      config: { anything: { goes: 1 } },
      port: 'http',
    });
    expect(created.body.status).toBeUndefined();
    expect(created.body.metadata.generation).toBe(1);

    const wrong = await api(cp.config, 'POST', CRONTABS, crontab('x', { image: 'busybox', replicas: 'three' }));
    expect(wrong.code).toBe(422);
    expect(wrong.body.message).toBe(
      'CronTab.stable.example.com "x" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    );
    const many = await api(cp.config, 'POST', CRONTABS, crontab('y', { cronSpec: 'often', replicas: 20 }));
    expect(many.body.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`)).toEqual([
      'spec.image: Required value',
      `spec.cronSpec: Invalid value: "often": spec.cronSpec in body should match '${schema.properties.spec.properties.cronSpec.pattern}'`,
      'spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
    ]);
    const strict = await api(cp.config, 'POST', `${CRONTABS}?fieldValidation=Strict`, crontab('z', { image: 'i', bogus: true }));
    expect(strict.code).toBe(400);
    expect(strict.body.message).toBe(
      'CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.bogus"',
    );

    expect((await api(cp.config, 'POST', CRONTABS, crontab('hourly', { cronSpec: '0 * * * *', image: 'nginx', replicas: 3 }))).code).toBe(
      201,
    );
    const table = await api(cp.config, 'GET', CRONTABS, undefined, 'application/json', TABLE);
    expect(table.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Spec', 'Replicas', 'Age']);
    expect(table.body.rows.map((r: { cells: unknown[] }) => r.cells.slice(0, 3))).toEqual([
      ['hourly', '0 * * * *', 3],
      ['nightly', '* * * * */5', 1],
    ]);
    const selected = await api(cp.config, 'GET', `${CRONTABS}?labelSelector=app%3Da`);
    expect(selected.body).toMatchObject({ kind: 'CronTabList', apiVersion: 'stable.example.com/v1' });
    expect(selected.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['nightly']);
    const byName = await api(cp.config, 'GET', `/apis/stable.example.com/v1/crontabs?fieldSelector=metadata.name%3Dhourly`);
    expect(byName.body.items.map((i: { metadata: { namespace: string } }) => i.metadata.namespace)).toEqual(['default']);

    const patched = await api(
      cp.config,
      'PATCH',
      `${CRONTABS}/nightly`,
      { spec: { image: 'busybox:1.36' } },
      'application/merge-patch+json',
    );
    expect(patched.body.metadata.generation).toBe(2);
    const smp = await api(cp.config, 'PATCH', `${CRONTABS}/nightly`, { spec: { image: 'x' } }, 'application/strategic-merge-patch+json');
    expect(smp.code).toBe(415);
  });

  it('serve the status and scale subresources', async () => {
    const current = (await api(cp.config, 'GET', `${CRONTABS}/hourly`)).body;
    const status = await api(cp.config, 'PUT', `${CRONTABS}/hourly/status`, {
      ...current,
      status: { replicas: 3, selector: 'app=hourly' },
    });
    expect(status.code).toBe(200);
    expect(status.body.metadata.generation).toBe(1);
    const scale = await api(cp.config, 'GET', `${CRONTABS}/hourly/scale`);
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 3 },
      status: { replicas: 3, selector: 'app=hourly' },
    });
    const scaled = await api(cp.config, 'PATCH', `${CRONTABS}/hourly/scale`, { spec: { replicas: 5 } }, 'application/merge-patch+json');
    expect(scaled.body.spec.replicas).toBe(5);
    const after = (await api(cp.config, 'GET', `${CRONTABS}/hourly`)).body;
    expect(after.spec.replicas).toBe(5);
    expect(after.status.replicas).toBe(3);
  });

  it('serve every served version from one storage, with apiVersion rewritten', async () => {
    const beta = await api(cp.config, 'GET', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs/hourly');
    expect(beta.body).toMatchObject({ apiVersion: 'stable.example.com/v1beta1', kind: 'CronTab', spec: { replicas: 5 } });
    const created = await api(cp.config, 'POST', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs', {
      ...crontab('beta', { image: 'i' }),
      apiVersion: 'stable.example.com/v1beta1',
    });
    expect(created.code).toBe(201);
    expect((await api(cp.config, 'GET', `${CRONTABS}/beta`)).body.apiVersion).toBe('stable.example.com/v1');
  });

  it('are learnt by a second apiserver on the same etcd', async () => {
    const port = await freePort();
    // The first apiserver's command line (node's options, its script, its flags) on another port.
    const args = (cp.apiserver.child.spawnargs.slice(1) as string[]).map((a) =>
      a.startsWith('--secure-port=') ? `--secure-port=${port}` : a,
    );
    const second: Proc = startProcess(process.execPath, args, `${cp.dir}/apiserver-2.log`);
    try {
      const url = `https://127.0.0.1:${port}`;
      await waitFor(async () => (await httpStatus(`${url}/readyz`)) === 200, { what: 'the second apiserver' });
      const other = { ...cp.config, server: url };
      const list = await waitFor(async () => {
        const r = await api(other, 'GET', CRONTABS);
        return r.code === 200 && r.body;
      });
      expect(list.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['beta', 'hourly', 'nightly']);
    } finally {
      await second.stop();
    }
  });

  it('when deleted, delete their objects first and leave discovery', async () => {
    const deleted = await api(cp.config, 'DELETE', `${CRDS}/crontabs.stable.example.com`);
    expect(deleted.code).toBe(200);
    expect(deleted.body.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    expect(deleted.body.status.conditions.find((c: { type: string }) => c.type === 'Terminating')).toMatchObject({ status: 'True' });
    await waitFor(async () => (await api(cp.config, 'GET', `${CRDS}/crontabs.stable.example.com`)).code === 404, {
      what: 'the CRD to be gone',
      timeoutMs: 15_000,
    });
    await waitFor(async () => (await api(cp.config, 'GET', '/apis/stable.example.com/v1')).code === 404, {
      what: 'discovery to forget it',
    });
    expect((await api(cp.config, 'GET', CRONTABS)).code).toBe(404);
    const groups = (await api(cp.config, 'GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    expect(groups).not.toContain('stable.example.com');

    // Created again, it starts empty: the objects went with it.
    expect((await api(cp.config, 'POST', CRDS, crontabCRD())).code).toBe(201);
    await established('crontabs.stable.example.com');
    const list = await waitFor(async () => {
      const r = await api(cp.config, 'GET', CRONTABS);
      return r.code === 200 && r.body;
    });
    expect(list.items).toEqual([]);
  });
});
