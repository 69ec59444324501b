// The proxy subresources at a real apiserver: services/<name:port>/proxy reaches the pod behind a ready
// endpoint, pods/<name:port>/proxy the pod itself, with the caller's credentials kept back; edit may
// proxy and view may not; nodes/<name>/proxy goes to the kubelet's port and reports an unreachable one
// in Go's words. The "pod" is an HTTP server of this test on a non-loopback address of the machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { loadKubeconfig } from '../../shared/kubeconfig';
import type { ClientConfig } from '../../shared/kubeconfig';
import { ControlPlane, freePort, startControlPlane } from '../processes';
import { api, pod } from './api';

let cp: ControlPlane;
let viewer: ClientConfig;
let backend: http.Server;
let seen: http.IncomingMessage[] = [];
const NS = '/api/v1/namespaces/default';

/** An address of this machine that the apiserver may dial as a pod's: global unicast, not loopback. */
function hostAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.'));
  if (!address) throw new Error('this machine has no non-loopback IPv4 address for the test backend');
  return address.address;
}

beforeAll(async () => {
  cp = await startControlPlane();
  viewer = loadKubeconfig(cp.viewerKubeconfig);
  const ip = hostAddress();
  backend = http.createServer((req, res) => {
    seen.push(req);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`pod says ${req.method} ${req.url}`);
  });
  await new Promise<void>((resolve) => backend.listen(0, ip, resolve));
  const port = (backend.address() as AddressInfo).port;

  const created = await api(
    cp.config,
    'POST',
    `${NS}/pods`,
    pod('web', { spec: { containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: port }] }] } }),
  );
  expect(created.code).toBe(201);
  const status = { ...created.body, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } };
  expect((await api(cp.config, 'PUT', `${NS}/pods/web/status`, status)).code).toBe(200);
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'test' }, ports: [{ name: 'http', port: 80, targetPort: port }] },
  };
  expect((await api(cp.config, 'POST', `${NS}/services`, service)).code).toBe(201);
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web' },
    subsets: [{ addresses: [{ ip, targetRef: { kind: 'Pod', namespace: 'default', name: 'web' } }], ports: [{ name: 'http', port }] }],
  };
  expect((await api(cp.config, 'POST', `${NS}/endpoints`, endpoints)).code).toBe(201);
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'dev-edit' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [{ kind: 'User', name: 'dev' }],
  };
  expect((await api(cp.config, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', binding)).code).toBe(201);
});
afterAll(async () => {
  backend?.close();
  await cp?.stop();
});
beforeEach(() => {
  seen = [];
});

describe('services/<name:port>/proxy', () => {
  it("reaches the Service's endpoint by port number or name, with the path, query and body, but not the credentials", async () => {
    const res = await api(cp.config, 'GET', `${NS}/services/web:80/proxy/hello/?x=1`, undefined, 'application/json', '*/*');
    expect(res).toMatchObject({ code: 200, body: 'pod says GET /hello/?x=1' });
    expect(seen[0].headers.authorization).toBeUndefined();
    const posted = await api(cp.config, 'POST', `${NS}/services/web:http/proxy/form`, 'a=1', 'application/x-www-form-urlencoded');
    expect(posted).toMatchObject({ code: 200, body: 'pod says POST /form' });
  });

  it('redirects the bare proxy path to the one with a slash', async () => {
    const res = await api(cp.config, 'GET', `${NS}/services/web:80/proxy`);
    expect(res.code).toBe(301);
  });

  it('answers 503 for a port the Service does not have, as Kubernetes does', async () => {
    const res = await api(cp.config, 'GET', `${NS}/services/web:81/proxy/`);
    expect(res.body).toMatchObject({ code: 503, reason: 'ServiceUnavailable', message: 'no service port 81 found for service "web"' });
  });
});

describe('pods/<name:port>/proxy', () => {
  it("reaches the pod's IP on its first container port", async () => {
    const res = await api(cp.config, 'GET', `${NS}/pods/web/proxy/`, undefined, 'application/json', '*/*');
    expect(res).toMatchObject({ code: 200, body: 'pod says GET /' });
  });
});

describe('authorization', () => {
  const as = (user: string, path: string, method = 'GET') =>
    api(cp.config, method, path, method === 'GET' ? undefined : '{}', 'application/json', '*/*', { 'Impersonate-User': user });

  it('lets the edit role proxy to pods and Services, and keeps the impersonation headers back', async () => {
    expect(await as('dev', `${NS}/services/web:80/proxy/`)).toMatchObject({ code: 200 });
    expect(await as('dev', `${NS}/pods/web/proxy/x`, 'PUT')).toMatchObject({ code: 200, body: 'pod says PUT /x' });
    expect(seen.map((r) => r.headers['impersonate-user'])).toEqual([undefined, undefined]);
  });

  it('refuses the viewer and a user without a role, by the verb of the method', async () => {
    const res = await api(viewer, 'GET', `${NS}/services/web:80/proxy/`);
    expect(res.body).toMatchObject({
      code: 403,
      message:
        'services "web:80" is forbidden: User "viewer" cannot get resource "services/proxy" in API group "" in the namespace "default"',
    });
    expect((await as('stranger', `${NS}/pods/web/proxy/`, 'POST')).body).toMatchObject({
      code: 403,
      message: 'pods "web" is forbidden: User "stranger" cannot create resource "pods/proxy" in API group "" in the namespace "default"',
    });
    expect((await as('dev', '/api/v1/nodes/node-1/proxy/stats/summary')).code).toBe(403); // nodes/proxy: cluster-admin only
    expect(seen).toHaveLength(0);
  });
});

describe('nodes/<name>/proxy', () => {
  it("dials the kubelet's port and words an unreachable kubelet as Kubernetes does", async () => {
    const port = await freePort();
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
    };
    const created = await api(cp.config, 'POST', '/api/v1/nodes', node);
    expect(created.code).toBe(201);
    expect((await api(cp.config, 'PUT', '/api/v1/nodes/node-1/status', { ...created.body, status: node.status })).code).toBe(200);
    const res = await api(cp.config, 'GET', '/api/v1/nodes/node-1/proxy/stats/summary');
    expect(res.body).toMatchObject({
      code: 503,
      reason: 'ServiceUnavailable',
      message: `error trying to reach service: dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
    // Another port of a loopback node is never dialled (it would be this machine's own, etcd's say).
    expect((await api(cp.config, 'GET', '/api/v1/nodes/node-1:2379/proxy/version')).body).toMatchObject({
      code: 400,
      message: 'address not allowed',
    });
  });
});
