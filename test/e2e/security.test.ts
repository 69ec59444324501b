// Security as a user meets it, with the real kubectl and curl: the read-only viewer kubeconfig, a wrong
// token (401), anonymous requests (403), the kubelet's port, RBAC escalation, NodeRestriction with a kubelet's
// own kubeconfig, Pod Security "baseline" and the request size limit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_DIR, KUBECONFIG, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const VIEWER = path.join(DATA_DIR, 'kubeconfig-viewer');
const KUBELET_NODE_1 = path.join(DATA_DIR, 'components', 'kubelet-node-1', 'kubeconfig');
const CA = path.join(DATA_DIR, 'pki', 'ca.crt');
const tokenOf = (kubeconfig: string) => /token: (\S+)/.exec(fs.readFileSync(kubeconfig, 'utf8'))![1];
const server = () => /server: (\S+)/.exec(fs.readFileSync(KUBECONFIG, 'utf8'))![1];

/** curl's status code and body. */
function curl(url: string, ...extra: string[]): { code: number; body: string } {
  const out = spawnSync('curl', ['-s', '-m', '5', '-w', '\n%{http_code}', ...extra, url], { encoding: 'utf8' }).stdout;
  const nl = out.lastIndexOf('\n');
  return { code: Number(out.slice(nl + 1)), body: out.slice(0, nl) };
}

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('security');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

describe('the viewer kubeconfig', () => {
  it('reads but cannot change anything, and kubectl auth says so', () => {
    kubectlOk(['-n', ns, 'create', 'configmap', 'settings', '--from-literal=a=b']);
    expect(kubectlOk(['--kubeconfig', VIEWER, '-n', ns, 'get', 'configmaps', 'settings', '-o', 'name']).trim()).toBe('configmap/settings');
    expect(kubectlOk(['--kubeconfig', VIEWER, 'get', 'nodes', '-o', 'name'])).toContain('node/node-1');

    const del = kubectl(['--kubeconfig', VIEWER, '-n', ns, 'delete', 'configmap', 'settings']);
    expect(del.code).not.toBe(0);
    expect(del.stderr.trim()).toBe(
      `Error from server (Forbidden): configmaps "settings" is forbidden: User "viewer" cannot delete resource "configmaps" in API group "" in the namespace "${ns}"`,
    );
    expect(kubectl(['--kubeconfig', VIEWER, '-n', ns, 'get', 'secrets']).stderr).toContain(
      'Error from server (Forbidden): secrets is forbidden: User "viewer" cannot list resource "secrets"',
    );

    expect(kubectl(['--kubeconfig', VIEWER, '-n', ns, 'auth', 'can-i', 'create', 'pods'])).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(kubectl(['--kubeconfig', VIEWER, '-n', ns, 'auth', 'can-i', 'list', 'pods'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(kubectl(['-n', ns, 'auth', 'can-i', 'delete', 'secrets'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(kubectlOk(['--kubeconfig', VIEWER, 'auth', 'whoami'])).toMatch(/Username\s+viewer/);
  });
});

describe('credentials', () => {
  it('turns away a wrong token with 401 and anonymous requests with 403, but answers health checks', () => {
    const bad = path.join(os.tmpdir(), `bad-kubeconfig-${process.pid}`);
    fs.writeFileSync(bad, fs.readFileSync(KUBECONFIG, 'utf8').replace(/token: \S+/, 'token: wrong'));
    try {
      expect(kubectl(['--kubeconfig', bad, 'get', 'pods']).stderr.trim()).toBe('error: You must be logged in to the server (Unauthorized)');
    } finally {
      fs.rmSync(bad);
    }
    const anonymous = curl(`${server()}/api/v1/namespaces/default/pods`, '--cacert', CA);
    expect(anonymous.code).toBe(403);
    expect(JSON.parse(anonymous.body)).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message: 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    });
    expect(curl(`${server()}/readyz`, '--cacert', CA)).toEqual({ code: 200, body: 'ok' });
    expect(curl(`${server()}/api`, '--cacert', CA, '-H', `Authorization: Bearer ${tokenOf(KUBECONFIG)}`).code).toBe(200);
  });

  it('lets only authorized callers at the kubelet port', () => {
    const node = JSON.parse(kubectlOk(['get', 'node', 'node-1', '-o', 'json']));
    const port = node.status.daemonEndpoints.kubeletEndpoint.Port;
    const url = `https://127.0.0.1:${port}/stats/summary`;
    expect(curl(url, '-k')).toEqual({ code: 401, body: 'Unauthorized' });
    expect(curl(url, '-k', '-H', `Authorization: Bearer ${tokenOf(VIEWER)}`).code).toBe(403);
    const admin = curl(url, '-k', '-H', `Authorization: Bearer ${tokenOf(KUBECONFIG)}`);
    expect(admin.code).toBe(200);
    expect(JSON.parse(admin.body).node.nodeName).toBe('node-1');
  });
});

describe('granting RBAC permissions', () => {
  const createRoleBinding = (name: string, clusterRole: string, kubeconfig = KUBECONFIG) =>
    kubectl(['--kubeconfig', kubeconfig, '-n', ns, 'create', 'rolebinding', name, `--clusterrole=${clusterRole}`, '--user=viewer'], {
      version: 33,
    });

  it('refuses a namespace admin binding cluster-admin', async () => {
    expect(createRoleBinding('viewer-admin', 'admin').code).toBe(0);
    await waitFor(() => kubectl(['--kubeconfig', VIEWER, '-n', ns, 'auth', 'can-i', 'create', 'rolebindings']).stdout === 'yes\n', {
      what: 'the viewer to be admin of the namespace',
    });
    expect(createRoleBinding('viewer-edit', 'edit', VIEWER)).toMatchObject({
      code: 0,
      stdout: 'rolebinding.rbac.authorization.k8s.io/viewer-edit created\n',
    });
    const root = createRoleBinding('root', 'cluster-admin', VIEWER);
    expect(root.code).not.toBe(0);
    expect(root.stderr.trim()).toBe(
      'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "root" is forbidden: user "viewer" ' +
        '(groups=["mini-kubernetes:viewers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
  });
});

describe('NodeRestriction', () => {
  const asKubelet = (...args: string[]) => kubectl(['--kubeconfig', KUBELET_NODE_1, ...args], { version: 33 });

  it("refuses a kubelet relabelling or retainting its own Node, or touching another's", () => {
    const master = asKubelet('label', 'node', 'node-1', 'node-role.kubernetes.io/master=');
    expect(master.code).not.toBe(0);
    expect(master.stderr.trim()).toBe(
      'Error from server (Forbidden): nodes "node-1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/master',
    );
    expect(asKubelet('taint', 'node', 'node-1', 'dedicated=me:NoSchedule').stderr.trim()).toBe(
      'Error from server (Forbidden): nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints',
    );
    expect(asKubelet('label', 'node', 'node-2', 'a=b').stderr).toContain('node "node-1" is not allowed to modify node "node-2"');
    expect(asKubelet('label', 'node', 'node-1', 'topology.kubernetes.io/zone=z1')).toMatchObject({
      code: 0,
      stdout: 'node/node-1 labeled\n',
    });
    expect(asKubelet('label', 'node', 'node-1', 'topology.kubernetes.io/zone-')).toMatchObject({
      code: 0,
      stdout: 'node/node-1 unlabeled\n',
    });
    expect(kubectlOk(['get', 'node', 'node-1', '-o', 'jsonpath={.metadata.labels}'])).not.toContain('node-role');
  });
});

describe('Pod Security baseline', () => {
  const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
${spec}
`;
  const container = '  containers: [{name: main, image: busybox, command: [sleep, "3600"]';

  it('refuses privileged, hostPath and hostNetwork pods with the field named, unless the namespace is privileged', () => {
    const cases = [
      [
        pod('priv', `${container}, securityContext: {privileged: true}}]`),
        'privileged (container "main" must not set securityContext.privileged=true)',
      ],
      [pod('hostpath', `${container}}]\n  volumes: [{name: root, hostPath: {path: /}}]`), 'hostPath volumes (volume "root")'],
      [pod('hostnet', `  hostNetwork: true\n${container}}]`), 'host namespaces (hostNetwork=true)'],
    ];
    for (const [manifest, detail] of cases) {
      const r = kubectl(['-n', ns, 'apply', '-f', '-'], { input: manifest });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('is forbidden: violates PodSecurity "baseline:latest": ');
      expect(r.stderr).toContain(detail);
    }
    kubectlOk(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=privileged']);
    expect(kubectlOk(['-n', ns, 'apply', '--dry-run=server', '-f', '-'], { input: cases[0][0] })).toContain(
      'pod/priv created (server dry run)',
    );
  });

  it('refuses a request body over 3 MiB', () => {
    const file = path.join(os.tmpdir(), `big-${process.pid}`);
    fs.writeFileSync(file, 'x'.repeat(4 * 1024 * 1024));
    try {
      const r = kubectl(['-n', ns, 'create', 'configmap', 'big', `--from-file=data=${file}`]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('Request entity too large: limit is 3145728');
    } finally {
      fs.rmSync(file);
    }
  });
});
