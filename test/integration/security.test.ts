// Authentication and authorization at a real apiserver over HTTPS: 401 for a wrong token, the viewer's
// read-only role, each component's scoped identity (a kubelet may write only its own Node and its own
// pods' status), live RBAC changes, and the review APIs kubectl and kubelets use.
import http from 'node:http';
import https from 'node:https';
import { loadKubeconfig } from '../../shared/kubeconfig';
import type { ClientConfig } from '../../shared/kubeconfig';
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api, pod } from './api';

let cp: ControlPlane;
let anonymous: ClientConfig;
let viewer: ClientConfig;
let node1: ClientConfig;
let scheduler: ClientConfig;
const NS = '/api/v1/namespaces/default';

beforeAll(async () => {
  cp = await startControlPlane([], ['node-1', 'node-2']);
  anonymous = { ...cp.config, token: undefined };
  viewer = loadKubeconfig(cp.viewerKubeconfig);
  node1 = loadKubeconfig(cp.componentKubeconfig('kubelet-node-1'));
  scheduler = loadKubeconfig(cp.componentKubeconfig('scheduler'));
});
afterAll(() => cp?.stop());

describe('authentication', () => {
  it('answers 401 Unauthorized to a wrong token, 403 to anonymous requests, and health checks to anyone', async () => {
    const res = await api({ ...cp.config, token: 'not-a-token' }, 'GET', `${NS}/pods`);
    expect(res.code).toBe(401);
    expect(res.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await api(anonymous, 'GET', `${NS}/pods`)).code).toBe(403);
    expect((await api(anonymous, 'GET', '/healthz')).code).toBe(200);
    expect((await api(anonymous, 'GET', '/readyz')).code).toBe(200);
    expect((await api(anonymous, 'GET', '/metrics')).code).toBe(403);
  });

  it('serves no plain HTTP', async () => {
    const port = new URL(cp.url).port;
    const outcome = await new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/api/v1/pods', headers: { Authorization: `Bearer ${cp.config.token}` } }, (res) =>
          resolve(`HTTP ${res.statusCode}`),
        )
        .on('error', (err) => resolve(err.message));
    });
    expect(outcome).not.toBe('HTTP 200');
  });

  it('tells a user who they are', async () => {
    const res = await api(viewer, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(res.body.status.userInfo).toMatchObject({ username: 'viewer', groups: ['mini-kubernetes:viewers', 'system:authenticated'] });
    // kubectl 1.27's auth whoami asks v1beta1
    const beta = await api(viewer, 'POST', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1beta1',
      kind: 'SelfSubjectReview',
    });
    expect(beta.code).toBe(201);
    expect(beta.body).toMatchObject({ apiVersion: 'authentication.k8s.io/v1beta1', status: { userInfo: { username: 'viewer' } } });
  });

  it("lists a user's rules in a namespace (kubectl auth can-i --list)", async () => {
    const review = (who: ClientConfig) =>
      api(who, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        spec: { namespace: 'default' },
      });
    const admin = await review(cp.config);
    expect(admin.code).toBe(201);
    expect(admin.body.status.incomplete).toBe(false);
    expect(admin.body.status.resourceRules).toContainEqual({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] });
    expect(admin.body.status.nonResourceRules).toContainEqual({ verbs: ['*'], nonResourceURLs: ['*'] });
    const viewers = (await review(viewer)).body.status;
    expect(viewers.resourceRules).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    });
    expect(viewers.resourceRules.some((r: { verbs: string[] }) => r.verbs.includes('*'))).toBe(false);
    expect((await review(node1)).body.status.incomplete).toBe(true);
  });
});

describe('etcd', () => {
  const etcdVersion = (tls: { ca: Buffer; cert?: Buffer; key?: Buffer }) =>
    new Promise<string>((resolve) => {
      https.get(`${cp.etcdUrl}/version`, tls, (res) => resolve(`HTTP ${res.statusCode}`)).on('error', (err) => resolve(err.message));
    });

  it("admits only the apiserver's client certificate", async () => {
    expect(await etcdVersion(cp.etcdTLS)).toBe('HTTP 200');
    expect(await etcdVersion({ ca: cp.etcdTLS.ca })).not.toBe('HTTP 200'); // no client certificate: refused
  });
});

describe('the viewer', () => {
  it('reads workloads and nodes but no secrets, and writes nothing', async () => {
    expect((await api(viewer, 'GET', `${NS}/pods`)).code).toBe(200);
    expect((await api(viewer, 'GET', '/api/v1/nodes')).code).toBe(200);
    expect((await api(viewer, 'GET', '/apis/apps/v1')).code).toBe(200);
    const secrets = await api(viewer, 'GET', `${NS}/secrets`);
    expect(secrets.body).toMatchObject({
      kind: 'Status',
      code: 403,
      reason: 'Forbidden',
      message: 'secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "default"',
    });
    const create = await api(viewer, 'POST', `${NS}/configmaps`, { metadata: { name: 'nope' } });
    expect(create.body).toMatchObject({ code: 403, details: { kind: 'configmaps' } });
    expect((await api(cp.config, 'GET', `${NS}/configmaps/nope`)).code).toBe(404);
  });

  it('gains rights as soon as a RoleBinding grants them, in that namespace only', async () => {
    await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'viewer-edits' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'viewer' }],
    };
    expect((await api(cp.config, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', binding)).code).toBe(201);
    await waitFor(
      async () => (await api(viewer, 'POST', '/api/v1/namespaces/team/configmaps', { metadata: { name: 'ok' } })).code === 201,
      { what: 'the binding to take effect' },
    );
    expect((await api(viewer, 'POST', `${NS}/configmaps`, { metadata: { name: 'still-no' } })).code).toBe(403);
  });

  it('is answered by access reviews as kubectl auth can-i asks', async () => {
    const review = (verb: string, resource: string) =>
      api(viewer, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: 'default', verb, resource } },
      });
    expect((await review('list', 'pods')).body.status).toEqual({ allowed: true });
    expect((await review('create', 'pods')).body.status).toEqual({ allowed: false });
  });
});

describe('granting RBAC permissions', () => {
  const RBAC = '/apis/rbac.authorization.k8s.io/v1';
  const TEAM = `${RBAC}/namespaces/team-admin`;
  const binding = (name: string, kind: string, role: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'viewer' }],
  });
  const role = (name: string, rules: unknown[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name },
    rules,
  });
  // What a namespace admin does not hold (pods/exec it does, as in Kubernetes): running things through the kubelets.
  const NODE_PROXY = { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['create', 'get'] };
  const HELD =
    'user "viewer" (groups=["mini-kubernetes:viewers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n';

  beforeAll(async () => {
    await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: 'team-admin' } });
    await api(cp.config, 'POST', `${TEAM}/rolebindings`, binding('viewer-admin', 'ClusterRole', 'admin'));
    await api(cp.config, 'POST', `${TEAM}/roles`, role('small', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]));
    // The viewer is a namespace admin once it may grant what admin holds.
    await waitFor(
      async () => (await api(viewer, 'POST', `${TEAM}/rolebindings`, binding('viewer-view', 'ClusterRole', 'view'))).code === 201,
      {
        what: 'the admin binding to take effect',
      },
    );
  });

  it('refuses a namespace admin binding cluster-admin, or writing a Role with rules it lacks', async () => {
    const bind = await api(viewer, 'POST', `${TEAM}/rolebindings`, binding('root', 'ClusterRole', 'cluster-admin'));
    expect(bind.body).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      details: { name: 'root', group: 'rbac.authorization.k8s.io', kind: 'rolebindings' },
      message: `rolebindings.rbac.authorization.k8s.io "root" is forbidden: ${HELD}{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`,
    });
    const create = await api(viewer, 'POST', `${TEAM}/roles`, role('node-proxy', [NODE_PROXY]));
    expect(create.body.message).toBe(
      `roles.rbac.authorization.k8s.io "node-proxy" is forbidden: ${HELD}{APIGroups:[""], Resources:["nodes/proxy"], Verbs:["create" "get"]}`,
    );
    const widen = await api(viewer, 'PATCH', `${TEAM}/roles/small`, { rules: [NODE_PROXY] }, 'application/merge-patch+json');
    expect(widen.code).toBe(403);
    expect(
      (await api(viewer, 'POST', `${RBAC}/clusterrolebindings`, { ...binding('x', 'ClusterRole', 'view'), kind: 'ClusterRoleBinding' }))
        .code,
    ).toBe(403);
    expect((await api(cp.config, 'GET', `${TEAM}/rolebindings/root`)).code).toBe(404);
    expect((await api(viewer, 'DELETE', `${TEAM}/roles/small`)).code).toBe(200); // taking away is never an escalation
  });

  it('lets it grant more once it may escalate roles, or bind that role', async () => {
    const clusterRole = (name: string, rule: unknown) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [rule],
    });
    await api(
      cp.config,
      'POST',
      `${RBAC}/clusterroles`,
      clusterRole('escalator', { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }),
    );
    await api(cp.config, 'POST', `${TEAM}/rolebindings`, binding('viewer-escalator', 'ClusterRole', 'escalator'));
    await waitFor(async () => (await api(viewer, 'POST', `${TEAM}/roles`, role('node-proxy', [NODE_PROXY]))).code === 201, {
      what: 'the escalate permission to take effect',
    });
    expect((await api(viewer, 'POST', `${TEAM}/rolebindings`, binding('root', 'ClusterRole', 'cluster-admin'))).code).toBe(403);

    const binder = {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles'],
      resourceNames: ['cluster-admin'],
      verbs: ['bind'],
    };
    await api(cp.config, 'POST', `${RBAC}/clusterroles`, clusterRole('binder', binder));
    await api(cp.config, 'POST', `${TEAM}/rolebindings`, binding('viewer-binder', 'ClusterRole', 'binder'));
    await waitFor(
      async () => (await api(viewer, 'POST', `${TEAM}/rolebindings`, binding('root', 'ClusterRole', 'cluster-admin'))).code === 201,
      {
        what: 'the bind permission to take effect',
      },
    );
  });
});

describe('component identities', () => {
  it('lets a kubelet register and update only its own Node', async () => {
    const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    expect((await api(node1, 'POST', '/api/v1/nodes', node('node-1'))).code).toBe(201);
    const other = await api(node1, 'POST', '/api/v1/nodes', node('node-2'));
    expect(other.code).toBe(403);
    expect(other.body.message).toContain('node "node-1" is not allowed to modify node "node-2"');
    await api(cp.config, 'POST', '/api/v1/nodes', node('node-2'));
    expect(
      (await api(node1, 'PATCH', '/api/v1/nodes/node-2/status', { status: { phase: 'Running' } }, 'application/merge-patch+json')).code,
    ).toBe(403);
    expect(
      (await api(node1, 'PATCH', '/api/v1/nodes/node-1/status', { status: { phase: 'Running' } }, 'application/merge-patch+json')).code,
    ).toBe(200);
  });

  it('keeps a kubelet from relabelling, retainting or re-addressing its own Node (NodeRestriction)', async () => {
    const patch = (who: ClientConfig, body: unknown, sub = '') =>
      api(who, 'PATCH', `/api/v1/nodes/node-1${sub}`, body, 'application/merge-patch+json');
    const master = await patch(node1, { metadata: { labels: { 'node-role.kubernetes.io/master': '' } } });
    expect(master.body).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'nodes "node-1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/master',
    });
    expect((await patch(node1, { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } })).body.message).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints',
    );
    expect((await patch(node1, { spec: { podCIDR: '10.244.9.0/24' } })).body.message).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify spec.podCIDR: the controller-manager assigns it',
    );
    expect((await patch(node1, { metadata: { labels: { 'topology.kubernetes.io/zone': 'a' } } })).code).toBe(200);
    expect((await patch(node1, { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } }, '/status')).code).toBe(200);

    // Registering again: kubelet labels and taints, nothing else.
    expect((await api(node1, 'DELETE', '/api/v1/nodes/node-1')).code).toBe(200);
    const register = (labels: Record<string, string>, spec = {}) =>
      api(node1, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels }, spec });
    expect((await register({ 'node-restriction.kubernetes.io/trusted': 'yes' })).body.message).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to set the following labels: node-restriction.kubernetes.io/trusted',
    );
    expect((await register({}, { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'] })).code).toBe(403);
    expect((await register({ 'kubernetes.io/hostname': 'node-1' }, { taints: [{ key: 'k', effect: 'NoSchedule' }] })).code).toBe(201);

    // The controller-manager assigns the podCIDR, once.
    const controllerManager = loadKubeconfig(cp.componentKubeconfig('controller-manager'));
    expect((await patch(controllerManager, { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] } })).code).toBe(200);
    const moved = await patch(controllerManager, { spec: { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] } });
    expect(moved.body).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(moved.body.message).toContain('spec.podCIDR: Forbidden: node updates may not change podCIDR except from "" to valid');
  });

  it('lets a kubelet write the status only of pods bound to it, and read only the secrets they use', async () => {
    await api(cp.config, 'POST', `${NS}/secrets`, { metadata: { name: 'used' }, data: { k: 'dg==' } });
    await api(cp.config, 'POST', `${NS}/secrets`, { metadata: { name: 'unused' }, data: { k: 'dg==' } });
    const withSecret = (name: string) =>
      pod(name, {
        spec: {
          containers: [{ name: 'main', image: 'busybox', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'used', key: 'k' } } }] }],
        },
      });
    for (const [name, target] of [
      ['mine', 'node-1'],
      ['theirs', 'node-2'],
    ]) {
      await api(cp.config, 'POST', `${NS}/pods`, withSecret(name));
      expect(
        (
          await api(scheduler, 'POST', `${NS}/pods/${name}/binding`, {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name },
            target: { kind: 'Node', name: target },
          })
        ).code,
      ).toBe(201);
    }
    const status = { status: { phase: 'Running' } };
    expect((await api(node1, 'PATCH', `${NS}/pods/mine/status`, status, 'application/merge-patch+json')).code).toBe(200);
    const refused = await api(node1, 'PATCH', `${NS}/pods/theirs/status`, status, 'application/merge-patch+json');
    expect(refused.code).toBe(403);
    expect(refused.body.message).toContain('can only update pod status for pods with spec.nodeName set to itself');
    expect((await api(node1, 'GET', `${NS}/secrets/used`)).code).toBe(200);
    expect((await api(node1, 'GET', `${NS}/secrets/unused`)).code).toBe(403);
    expect((await api(node1, 'GET', `${NS}/secrets`)).code).toBe(403);

    const deleteOther = await api(node1, 'DELETE', `${NS}/pods/theirs`);
    expect(deleteOther.body).toMatchObject({
      code: 403,
      message: 'pods "theirs" is forbidden: node "node-1" can only delete pods with spec.nodeName set to itself',
    });
    // A pod that is already gone is a 404, as a kubelet finishing a delete expects.
    expect((await api(node1, 'DELETE', `${NS}/pods/gone`)).code).toBe(404);
    expect((await api(node1, 'PATCH', `${NS}/pods/gone/status`, status, 'application/merge-patch+json')).code).toBe(404);
  });

  it('keeps the scheduler to scheduling', async () => {
    expect((await api(scheduler, 'POST', `${NS}/configmaps`, { metadata: { name: 'x' } })).code).toBe(403);
    expect((await api(scheduler, 'DELETE', `${NS}/pods/mine`)).code).toBe(403);
  });

  it("answers a kubelet's token and access reviews", async () => {
    const token = await api(node1, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: viewer.token },
    });
    expect(token.body.status).toMatchObject({ authenticated: true, user: { username: 'viewer' } });
    const bogus = await api(node1, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: 'bogus' },
    });
    expect(bogus.body.status.authenticated).toBe(false);
    const access = (user: string, groups: string[]) =>
      api(node1, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user, groups, resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'proxy', name: 'node-1' } },
      });
    expect((await access('admin', ['system:masters'])).body.status.allowed).toBe(true);
    expect((await access('viewer', ['mini-kubernetes:viewers'])).body.status.allowed).toBe(false);
    expect((await api(viewer, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { spec: { token: 'x' } })).code).toBe(403);
  });
});

describe('impersonation', () => {
  const whoami = (config: ClientConfig, headers: Record<string, string>) =>
    api(
      config,
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      undefined,
      undefined,
      headers,
    );
  const as = (config: ClientConfig, path: string, headers: Record<string, string>) =>
    api(config, 'GET', path, undefined, undefined, undefined, headers);

  it('lets a user allowed to impersonate act as another user, with the groups asked for', async () => {
    const res = await whoami(cp.config, { 'Impersonate-User': 'jane', 'Impersonate-Group': 'devs' });
    expect(res.code).toBe(201);
    expect(res.body.status.userInfo).toEqual({ username: 'jane', groups: ['devs', 'system:authenticated'] });
    // ... and the request is authorized as jane, who may do nothing here.
    const list = await as(cp.config, `${NS}/pods`, { 'Impersonate-User': 'jane' });
    expect(list.code).toBe(403);
    expect(list.body.message).toBe('pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  it('gives an impersonated service account its service account groups', async () => {
    const res = await whoami(cp.config, { 'Impersonate-User': 'system:serviceaccount:team:builder' });
    expect(res.body.status.userInfo.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);
  });

  it('refuses a user without the impersonate verb, as Kubernetes words it', async () => {
    const res = await as(viewer, `${NS}/pods`, { 'Impersonate-User': 'admin' });
    expect(res.code).toBe(403);
    expect(res.body.message).toBe(
      'users "admin" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    const group = await as(viewer, `${NS}/pods`, {
      'Impersonate-User': 'viewer',
      'Impersonate-Group': 'system:masters',
    });
    expect(group.code).toBe(403);
  });

  it('refuses groups without a user', async () => {
    expect((await as(cp.config, `${NS}/pods`, { 'Impersonate-Group': 'system:masters' })).code).toBe(400);
  });
});
