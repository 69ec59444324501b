// ServiceAccount tokens at a real apiserver over a real etcd: POST serviceaccounts/<name>/token answers a
// signed JWT that authenticates as system:serviceaccount:<ns>:<name>, which RBAC then governs; a token
// bound to a pod dies with the pod; a kubelet may ask only for tokens bound to its own pods (Node
// authorizer and NodeRestriction); TokenReview answers for these tokens with their audiences.
import type { ClientConfig } from '../../shared/kubeconfig';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { ControlPlane, startControlPlane, waitFor } from '../processes';
import { api } from './api';

const NS = 'tokens';
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
let cp: ControlPlane;
let kubelet: ClientConfig;

const tokenPath = (name: string) => `/api/v1/namespaces/${NS}/serviceaccounts/${name}/token`;
const requestToken = (who: ClientConfig, name: string, spec: object = {}) =>
  api(who, 'POST', tokenPath(name), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
const as = (token: string): ClientConfig => ({ ...cp.config, token });
const whoami = async (who: ClientConfig) => {
  const res = await api(who, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  });
  return res.code === 201 ? res.body.status.userInfo : res.code;
};
const createPod = async (name: string, spec: object) => {
  const res = await api(cp.config, 'POST', `/api/v1/namespaces/${NS}/pods`, {
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  });
  expect(res.code).toBe(201);
  return res.body.metadata.uid as string;
};

beforeAll(async () => {
  cp = await startControlPlane([], ['node-1', 'node-2']);
  kubelet = loadKubeconfig(cp.componentKubeconfig('kubelet-node-1'));
  expect((await api(cp.config, 'POST', '/api/v1/namespaces', { metadata: { name: NS } })).code).toBe(201);
  for (const name of ['builder', 'runner'])
    expect((await api(cp.config, 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name } })).code).toBe(201);
}, 60_000);
afterAll(() => cp?.stop());

describe('TokenRequest and the ServiceAccount token authenticator', () => {
  it('lists serviceaccounts/token in discovery as a TokenRequest create', async () => {
    const { body } = await api(cp.config, 'GET', '/api/v1');
    expect(body.resources).toContainEqual({
      name: 'serviceaccounts/token',
      singularName: '',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      verbs: ['create'],
    });
  });

  it('answers a token that signs in as the ServiceAccount, which RBAC forbids until a RoleBinding allows', async () => {
    const res = await requestToken(cp.config, 'builder');
    expect(res.code).toBe(201);
    expect(res.body).toMatchObject({ kind: 'TokenRequest', spec: { audiences: [ISSUER], expirationSeconds: 3600 } });
    const token = res.body.status.token as string;
    const sa = (await api(cp.config, 'GET', `/api/v1/namespaces/${NS}/serviceaccounts/builder`)).body;
    expect(await whoami(as(token))).toMatchObject({
      username: `system:serviceaccount:${NS}:builder`,
      uid: sa.metadata.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^JTI=/)] },
    });
    const list = await api(as(token), 'GET', `/api/v1/namespaces/${NS}/pods`);
    expect(list.code).toBe(403);
    expect(list.body.message).toBe(
      `pods is forbidden: User "system:serviceaccount:${NS}:builder" cannot list resource "pods" in API group "" in the namespace "${NS}"`,
    );
    const binding = {
      metadata: { name: 'builder-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: NS }],
    };
    expect((await api(cp.config, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, binding)).code).toBe(201);
    await waitFor(async () => (await api(as(token), 'GET', `/api/v1/namespaces/${NS}/pods`)).code === 200, { what: 'the RoleBinding' });
    // A token of another issuer's shape, or tampered with, is a 401.
    expect(await whoami(as(`${token.slice(0, -4)}AAAA`))).toBe(401);
  });

  it('refuses a token once its ServiceAccount is deleted and made again', async () => {
    const token = (await requestToken(cp.config, 'runner')).body.status.token as string;
    expect(await whoami(as(token))).toMatchObject({ username: `system:serviceaccount:${NS}:runner` });
    expect((await api(cp.config, 'DELETE', `/api/v1/namespaces/${NS}/serviceaccounts/runner`)).code).toBe(200);
    expect((await api(cp.config, 'POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: 'runner' } })).code).toBe(201);
    expect(await whoami(as(token))).toBe(401);
  });

  it('binds a token to a pod: it names the pod, and deleting the pod ends it', async () => {
    const uid = await createPod('bound', { serviceAccountName: 'builder' });
    const res = await requestToken(cp.config, 'builder', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid } });
    expect(res.code).toBe(201);
    const token = res.body.status.token as string;
    expect(await whoami(as(token))).toMatchObject({
      extra: { 'authentication.kubernetes.io/pod-name': ['bound'], 'authentication.kubernetes.io/pod-uid': [uid] },
    });
    expect((await api(cp.config, 'DELETE', `/api/v1/namespaces/${NS}/pods/bound`)).code).toBe(200);
    expect(await whoami(as(token))).toBe(401);
  });

  it('answers TokenReviews for the token, for the audiences it was made for', async () => {
    const token = (await requestToken(cp.config, 'builder', { audiences: ['vault'] })).body.status.token as string;
    const review = (audiences?: string[]) =>
      api(cp.config, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, ...(audiences ? { audiences } : {}) },
      });
    expect((await review(['vault'])).body.status).toMatchObject({
      authenticated: true,
      user: { username: `system:serviceaccount:${NS}:builder` },
    });
    expect((await review()).body.status).toEqual({ authenticated: false, error: 'invalid bearer token' });
    expect(await whoami(as(token))).toBe(401); // not for the apiserver
  });
});

describe('a kubelet asking for tokens (Node authorizer, NodeRestriction)', () => {
  let uid: string;
  beforeAll(async () => {
    uid = await createPod('on-node-1', { serviceAccountName: 'builder', nodeName: 'node-1' });
    await createPod('on-node-2', { serviceAccountName: 'runner', nodeName: 'node-2' });
  });

  it('gets a token bound to a pod of its node, and the token names the node', async () => {
    const res = await requestToken(kubelet, 'builder', {
      audiences: [ISSUER],
      expirationSeconds: 3607,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'on-node-1', uid },
    });
    expect(res.code).toBe(201);
    expect(await whoami(as(res.body.status.token))).toMatchObject({
      extra: { 'authentication.kubernetes.io/node-name': ['node-1'], 'authentication.kubernetes.io/pod-name': ['on-node-1'] },
    });
  });

  it('is refused an unbound token, and the token of a ServiceAccount only another node runs', async () => {
    const unbound = await requestToken(kubelet, 'builder');
    expect(unbound.code).toBe(403);
    expect(unbound.body.message).toBe('serviceaccounts "builder" is forbidden: node requested token not bound to a pod');
    const other = await requestToken(kubelet, 'runner', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'on-node-2' } });
    expect(other.code).toBe(403);
    expect(other.body.message).toMatch(/no relationship found between node 'node-1' and this object/);
  });
});
