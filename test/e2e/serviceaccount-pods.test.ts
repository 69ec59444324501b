// ServiceAccount tokens inside pods, end to end with kubectl 1.33: the ServiceAccount admission gives a
// pod the kube-api-access projected volume, the kubelet fills it (a token bound to the pod, the cluster
// CA from kube-root-ca.crt, the namespace), and a program in the pod calls https://kubernetes.default.svc
// with them, verifying the apiserver's certificate with that CA, as client-go's in-cluster config does.
// RBAC decides what the token may do: nothing until a RoleBinding grants `view`.
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
let ns: string;

/** Lists the pods of the pod's namespace at `host` with the mounted token and CA; prints the status code and the body. */
const listPods = (host: string) => `
const fs = require('fs');
const read = (f) => fs.readFileSync('${MOUNT}/' + f, 'utf8');
const ns = read('namespace');
require('https')
  .get({ host: '${host}', path: '/api/v1/namespaces/' + ns + '/pods', ca: read('ca.crt'), headers: { Authorization: 'Bearer ' + read('token') } }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => console.log(JSON.stringify({ code: res.statusCode, body: JSON.parse(body) })));
  })
  .on('error', (err) => { console.error(err.message); process.exit(1); });
`;

const callFromPod = (host = 'kubernetes.default.svc') => {
  const r = kubectl(['-n', ns, 'exec', 'client', '--', 'node', '-e', listPods(host)]);
  return r.code === 0 ? (JSON.parse(r.stdout) as { code: number; body: any }) : undefined;
};

beforeAll(async () => {
  ns = uniqueNamespace('sa-pods');
  kubectlOk(['-n', ns, 'apply', '-f', '-'], {
    input: `apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: mini-k8s/node:20, imagePullPolicy: Never, command: ["sleep", "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: no-token}
spec:
  terminationGracePeriodSeconds: 1
  automountServiceAccountToken: false
  containers:
  - {name: main, image: busybox, command: ["sleep", "3600"]}
`,
  });
  kubectlOk(['-n', ns, 'wait', '--for=condition=Ready', 'pod/client', 'pod/no-token', '--timeout=90s']);
}, 120_000);
afterAll(() => kubectl(['delete', 'namespace', ns, '--wait=false']));

describe('a pod running as its namespace default ServiceAccount', () => {
  it('shows the kube-api-access projected volume mounted read-only, and none when automountServiceAccountToken is false', () => {
    const pod = JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', 'client', '-o', 'json']));
    expect(pod.spec.serviceAccountName).toBe('default');
    const volume = pod.spec.volumes.find((v: any) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name));
    expect(volume.projected.sources).toEqual([
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: volume.name, readOnly: true, mountPath: MOUNT });
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'client', '-o', 'yaml'])).toMatch(/- name: kube-api-access-[a-z0-9]{5}\n\s+projected:/);
    const bare = JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', 'no-token', '-o', 'json']));
    expect(bare.spec.volumes ?? []).toEqual([]);
    const ls = kubectl(['-n', ns, 'exec', 'no-token', '--', 'ls', MOUNT]);
    expect(ls.code).not.toBe(0);
    expect(ls.stderr).toMatch(/No such file or directory/);
  });

  it('reads its namespace and a token bound to it from the volume', () => {
    expect(kubectlOk(['-n', ns, 'exec', 'client', '--', 'cat', `${MOUNT}/namespace`])).toBe(ns);
    const token = kubectlOk(['-n', ns, 'exec', 'client', '--', 'cat', `${MOUNT}/token`]);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({
      sub: `system:serviceaccount:${ns}:default`,
      'kubernetes.io': { namespace: ns, pod: { name: 'client' } },
    });
  });

  it('calls https://kubernetes.default.svc with the token and the CA: 403 until a RoleBinding grants view, then 200', async () => {
    const denied = await waitFor(() => callFromPod(), { timeoutMs: 30_000, what: 'an answer from kubernetes.default.svc' });
    expect(denied).toMatchObject({
      code: 403,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `pods is forbidden: User "system:serviceaccount:${ns}:default" cannot list resource "pods" in API group "" in the namespace "${ns}"`,
        reason: 'Forbidden',
        code: 403,
      },
    });
    expect(
      kubectlOk(['-n', ns, 'create', 'rolebinding', 'default-view', '--clusterrole=view', `--serviceaccount=${ns}:default`]).trim(),
    ).toBe('rolebinding.rbac.authorization.k8s.io/default-view created');
    const allowed = await waitFor(() => (callFromPod()?.code === 200 ? callFromPod() : undefined), { what: 'the RoleBinding' });
    expect(allowed!.body.kind).toBe('PodList');
    expect(allowed!.body.items.map((p: any) => p.metadata.name).sort()).toEqual(['client', 'no-token']);
    // client-go's in-cluster config dials KUBERNETES_SERVICE_HOST, the ClusterIP, which the certificate names too.
    const host = kubectlOk(['-n', ns, 'exec', 'client', '--', 'node', '-p', 'process.env.KUBERNETES_SERVICE_HOST']).trim();
    expect(host).toBe('10.96.0.1');
    expect(callFromPod(host)?.code).toBe(200);
  });
});
