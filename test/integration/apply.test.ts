// Server-side apply and managedFields at a real apiserver and etcd: PATCH application/apply-patch+yaml
// creates, merges and records who owns which field; every other write records its manager (the
// ?fieldManager= or the user agent's first word); conflicts are Kubernetes' 409; force takes fields over;
// dropped fields go when no one else owns them; dryRun=All applies without storing.
import { ControlPlane, startControlPlane } from '../processes';
import { api } from './api';

let cp: ControlPlane;
const APPS = '/apis/apps/v1/namespaces/default/deployments';
const CM = '/api/v1/namespaces/default/configmaps';
const APPLY = 'application/apply-patch+yaml';

const deployment = (name: string, replicas: number, labels: Record<string, string> = { app: name }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } },
  },
});

const managers = (obj: any) =>
  (obj.metadata.managedFields ?? []).map((e: any) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);
const entry = (obj: any, manager: string, operation = 'Apply') =>
  obj.metadata.managedFields.find((e: any) => e.manager === manager && e.operation === operation && !e.subresource);

const apply = (path: string, body: unknown, query: string) => api(cp.config, 'PATCH', `${path}?${query}`, JSON.stringify(body), APPLY);

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

describe('server-side apply', () => {
  it('creates a missing object (201) owned by the applier, then answers 200', async () => {
    const created = await apply(`${APPS}/web`, deployment('web', 2), 'fieldManager=kubectl&fieldValidation=Strict&force=false');
    expect(created.code).toBe(201);
    expect(created.body.spec).toMatchObject({ replicas: 2, strategy: { type: 'RollingUpdate' } });
    expect(managers(created.body)).toEqual(['kubectl/Apply']);
    expect(entry(created.body, 'kubectl')).toMatchObject({
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {} } } } } } },
    });
    expect(entry(created.body, 'kubectl').fieldsV1['f:spec']).not.toHaveProperty('f:strategy'); // defaults are no one's

    const again = await apply(`${APPS}/web`, deployment('web', 2), 'fieldManager=kubectl');
    expect(again.code).toBe(200);
    expect(again.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion); // nothing changed, nothing written
  });

  it('needs a field manager, and force only for apply', async () => {
    const missing = await apply(`${APPS}/web`, deployment('web', 2), 'force=false');
    expect(missing.body).toMatchObject({
      code: 422,
      message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    });
    const forced = await api(cp.config, 'PATCH', `${CM}/none?force=true`, {}, 'application/merge-patch+json');
    expect(forced.body.message).toBe('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  });

  it('records the manager of every other write, from ?fieldManager= or the user agent', async () => {
    const ua = { 'User-Agent': 'kubectl.1.33/v1.33.1 (linux/amd64) kubernetes/8adc0f0' };
    const created = await api(cp.config, 'POST', `${CM}?fieldManager=kubectl-create`, { metadata: { name: 'cm' }, data: { a: '1' } });
    expect(created.body.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } },
      },
    ]);
    const patched = await api(cp.config, 'PATCH', `${CM}/cm`, { data: { b: '2' } }, 'application/merge-patch+json', 'application/json', ua);
    expect(managers(patched.body)).toEqual(['kubectl-create/Update', 'kubectl.1.33/Update']);
    expect(entry(patched.body, 'kubectl.1.33', 'Update').fieldsV1).toEqual({ 'f:data': { 'f:b': {} } });
  });

  it('reports a conflict with the manager that owns the field, and force takes it over', async () => {
    const csa = await api(
      cp.config,
      'POST',
      `${APPS.replace('/deployments', '')}/deployments?fieldManager=kubectl-client-side-apply`,
      deployment('csa', 1),
    );
    expect(csa.code).toBe(201);
    const conflict = await apply(`${APPS}/csa`, deployment('csa', 3), 'fieldManager=ci&force=false');
    expect(conflict.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
        ],
      },
      code: 409,
    });
    expect((await api(cp.config, 'GET', `${APPS}/csa`)).body.spec.replicas).toBe(1);

    const forced = await apply(`${APPS}/csa`, deployment('csa', 3), 'fieldManager=ci&force=true');
    expect(forced.code).toBe(200);
    expect(forced.body.spec.replicas).toBe(3);
    expect(entry(forced.body, 'ci').fieldsV1['f:spec']).toHaveProperty('f:replicas');
    expect(entry(forced.body, 'kubectl-client-side-apply', 'Update').fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
  });

  it('removes a field the applier drops when it was its only owner', async () => {
    await apply(`${APPS}/labels`, deployment('labels', 1, { app: 'labels', tier: 'front', team: 'a' }), 'fieldManager=kubectl');
    // Someone else sets team too; then the applier drops tier and team.
    await api(
      cp.config,
      'PATCH',
      `${APPS}/labels?fieldManager=kubectl-label`,
      { metadata: { labels: { team: 'b' } } },
      'application/merge-patch+json',
    );
    const dropped = await apply(`${APPS}/labels`, deployment('labels', 1, { app: 'labels' }), 'fieldManager=kubectl');
    expect(dropped.body.metadata.labels).toEqual({ app: 'labels', team: 'b' });
  });

  it('takes the scale from the applier: kubectl scale is a manager of .spec.replicas', async () => {
    await apply(`${APPS}/scaled`, deployment('scaled', 1), 'fieldManager=kubectl');
    const scaled = await api(
      cp.config,
      'PATCH',
      `${APPS}/scaled/scale`,
      { spec: { replicas: 4 } },
      'application/merge-patch+json',
      'application/json',
      {
        'User-Agent': 'kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0',
      },
    );
    expect(scaled.code).toBe(200);
    const live = (await api(cp.config, 'GET', `${APPS}/scaled`)).body;
    expect(managers(live)).toEqual(['kubectl/Apply', 'kubectl/Update/scale']);
    const conflict = await apply(`${APPS}/scaled`, deployment('scaled', 1), 'fieldManager=kubectl');
    expect(conflict.body.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas',
    );
  });

  it('with dryRun=All answers the applied object and stores nothing', async () => {
    const before = (await api(cp.config, 'GET', `${APPS}/web`)).body;
    const dry = await apply(`${APPS}/web`, deployment('web', 5), 'fieldManager=kubectl&dryRun=All');
    expect(dry.code).toBe(200);
    expect(dry.body.spec.replicas).toBe(5);
    expect(dry.body.metadata.generation).toBe(before.metadata.generation + 1);
    expect((await api(cp.config, 'GET', `${APPS}/web`)).body).toEqual(before);
    const dryCreate = await apply(`${APPS}/nothing`, deployment('nothing', 1), 'fieldManager=kubectl&dryRun=All');
    expect(dryCreate.code).toBe(201);
    expect((await api(cp.config, 'GET', `${APPS}/nothing`)).code).toBe(404);
  });

  it('refuses an applied list item without its key as a bad request, in Kubernetes words', async () => {
    const bad = deployment('bad', 1);
    delete (bad.spec.template.spec.containers[0] as { name?: string }).name;
    const res = await apply(`${APPS}/bad`, bad, 'fieldManager=kubectl');
    expect(res.code).toBe(400);
    expect(res.body.reason).toBe('BadRequest');
    expect(res.body.message).toBe(
      'failed to create typed patch object (/bad; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
  });

  it('keeps managedFields a write sets, so kubectl can hand client-side apply fields to its applier', async () => {
    const live = (await api(cp.config, 'GET', `${APPS}/csa`)).body;
    const renamed = live.metadata.managedFields.map((e: any) =>
      e.manager === 'kubectl-client-side-apply' ? { ...e, manager: 'kubectl', operation: 'Apply' } : e,
    );
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: live.metadata.resourceVersion },
      { op: 'replace', path: '/metadata/managedFields', value: renamed },
    ];
    const res = await api(cp.config, 'PATCH', `${APPS}/csa`, patch, 'application/json-patch+json');
    expect(res.code).toBe(200);
    expect(managers(res.body).sort()).toEqual(['ci/Apply', 'kubectl/Apply']);
  });
});
