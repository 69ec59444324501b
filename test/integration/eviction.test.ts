// PodDisruptionBudgets and pods/eviction at a real apiserver: the budget's schema, validation and
// columns, discovery of pods/eviction as policy/v1 Eviction (what kubectl drain looks for), 201 for an
// eviction the budget allows and 429 with the DisruptionBudget cause for one it does not, and who may
// evict (edit, not view). No controller-manager runs here: the test writes the budget's status itself.
import { loadKubeconfig } from '../../shared/kubeconfig';
import type { ClientConfig } from '../../shared/kubeconfig';
import { ControlPlane, startControlPlane } from '../processes';
import { api, pod } from './api';

let cp: ControlPlane;
let viewer: ClientConfig;
const NS = '/api/v1/namespaces/default';
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

const eviction = (name: string) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' } });

beforeAll(async () => {
  cp = await startControlPlane();
  viewer = loadKubeconfig(cp.viewerKubeconfig);
  for (const name of ['web-0', 'web-1', 'web-2']) {
    const created = await api(cp.config, 'POST', `${NS}/pods`, pod(name, { metadata: { name, labels: { app: 'web' } } }));
    expect(created.code).toBe(201);
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    expect((await api(cp.config, 'PUT', `${NS}/pods/${name}/status`, { ...created.body, status })).code).toBe(200);
  }
});
afterAll(() => cp?.stop());

describe('PodDisruptionBudgets', () => {
  it('are served as policy/v1 with the pdb short name, and pods/eviction as a policy/v1 Eviction', async () => {
    const v1 = (await api(cp.config, 'GET', '/api/v1')).body.resources;
    expect(v1.find((r: { name: string }) => r.name === 'pods/eviction')).toEqual({
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
    const policy = (await api(cp.config, 'GET', '/apis/policy/v1')).body.resources;
    expect(policy[0]).toMatchObject({ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'], namespaced: true });
  });

  it('start allowing nothing, print their columns, and refuse both bounds with 422', async () => {
    const body = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    };
    const created = await api(cp.config, 'POST', PDBS, body);
    expect(created).toMatchObject({
      code: 201,
      body: { status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } },
    });
    const table = await api(cp.config, 'GET', PDBS, undefined, 'application/json', TABLE);
    expect(table.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Min Available',
      'Max Unavailable',
      'Allowed Disruptions',
      'Age',
    ]);
    expect(table.body.rows[0].cells.slice(0, 4)).toEqual(['web', '2', 'N/A', 0]);
    const both = await api(cp.config, 'POST', PDBS, { ...body, metadata: { name: 'both' }, spec: { ...body.spec, maxUnavailable: 1 } });
    expect(both.body).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(both.body.message).toMatch(
      /^PodDisruptionBudget.policy "both" is invalid: spec: Invalid value: .*minAvailable and maxUnavailable cannot be both set$/,
    );
  });
});

describe('pods/eviction', () => {
  it('answers 429 with the DisruptionBudget cause while the controller has not counted the budget', async () => {
    const res = await api(cp.config, 'POST', `${NS}/pods/web-0/eviction`, eviction('web-0'));
    expect(res.code).toBe(429);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      reason: 'TooManyRequests',
      details: {
        retryAfterSeconds: 10,
        causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web is still being processed by the server.' }],
      },
      code: 429,
    });
  });

  it('evicts within the budget (201), spending it in the status, then refuses the next', async () => {
    const current = (await api(cp.config, 'GET', `${PDBS}/web`)).body;
    const status = { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 };
    expect((await api(cp.config, 'PUT', `${PDBS}/web/status`, { ...current, status })).code).toBe(200);

    const res = await api(cp.config, 'POST', `${NS}/pods/web-0/eviction`, eviction('web-0'));
    expect(res).toMatchObject({ code: 201, body: { kind: 'Status', status: 'Success' } });
    expect((await api(cp.config, 'GET', `${NS}/pods/web-0`)).code).toBe(404); // never bound: no grace period
    const spent = (await api(cp.config, 'GET', `${PDBS}/web`)).body.status;
    expect(spent).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { 'web-0': expect.any(String) } });

    const next = await api(cp.config, 'POST', `${NS}/pods/web-1/eviction`, eviction('web-1'));
    expect(next.body).toMatchObject({
      code: 429,
      details: { causes: [{ message: 'The disruption budget web needs 2 healthy pods and has 3 currently' }] },
    });
  });

  it('lets the edit role evict and keep budgets, and the viewer only read them', async () => {
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'dev-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'User', name: 'dev' }],
    };
    expect((await api(cp.config, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', binding)).code).toBe(201);
    const asDev = { 'Impersonate-User': 'dev' };
    const res = await api(cp.config, 'POST', `${NS}/pods/web-1/eviction`, eviction('web-1'), 'application/json', 'application/json', asDev);
    expect(res.code).toBe(429); // authorized, refused by the budget
    expect(
      (await api(cp.config, 'DELETE', `${PDBS}/web`, undefined, 'application/json', 'application/json', { 'Impersonate-User': 'nobody' }))
        .code,
    ).toBe(403);
    expect((await api(viewer, 'GET', PDBS)).code).toBe(200);
    const refused = await api(viewer, 'POST', `${NS}/pods/web-1/eviction`, eviction('web-1'));
    expect(refused.body).toMatchObject({
      code: 403,
      message: 'pods "web-1" is forbidden: User "viewer" cannot create resource "pods/eviction" in API group "" in the namespace "default"',
    });
  });
});
