// Joining with a bootstrap token at a real apiserver and a real controller-manager: anonymous callers
// may read kube-public/cluster-info and nothing else, the bootstrapsigner signs it with the token, a
// worker's join (discovery, then a CSR sent with the token, auto-approved and signed) yields a client
// certificate that authenticates as system:node:<name>, and kubectl lists, approves and denies CSRs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setUpBootstrapTokenAccess } from '../../deploy/install/clusterinfo';
import { caCertHash, join } from '../../deploy/install/join';
import { createToken, defaultTokenOptions, deleteToken, listTokens } from '../../deploy/install/tokens';
import { Client } from '../../shared/client';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { newCertificateRequest } from '../../shared/pki';
import { ControlPlane, DIST, Proc, startControlPlane, startProcess, waitFor } from '../processes';
import { api } from './api';

let cp: ControlPlane;
let controllerManager: Proc;
let admin: Client;
const CLUSTER_INFO = '/api/v1/namespaces/kube-public/configmaps/cluster-info';
const kubectl = (version: string, args: string[]) =>
  spawnSync(`/usr/lib/google-cloud-sdk/bin/kubectl.${version}`, ['--kubeconfig', cp.kubeconfig, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  cp = await startControlPlane(['--enable-bootstrap-token-auth=true'], []);
  controllerManager = startProcess(
    process.execPath,
    [
      path.join(DIST, 'controller-manager', 'main.js'),
      `--kubeconfig=${cp.componentKubeconfig('controller-manager')}`,
      '--leader-elect=false',
      '--secure-port=0',
      '--controllers=csrapproving,csrsigning,bootstrapsigner,tokencleaner',
      `--cluster-signing-cert-file=${cp.caFile}`,
      `--cluster-signing-key-file=${path.join(cp.dir, 'pki', 'ca.key')}`,
    ],
    `${cp.dir}/controller-manager.log`,
  );
  admin = new Client(cp.config);
  await setUpBootstrapTokenAccess(admin, cp.url, fs.readFileSync(cp.caFile, 'utf8'));
});
afterAll(async () => {
  await controllerManager?.stop();
  await cp?.stop();
});

describe('cluster-info', () => {
  it('is readable without credentials, and nothing else of kube-public is', async () => {
    const anonymous = { ...cp.config, token: undefined };
    expect((await api(anonymous, 'GET', CLUSTER_INFO)).code).toBe(200);
    expect((await api(anonymous, 'GET', '/api/v1/namespaces/kube-public/configmaps')).code).toBe(403);
    expect((await api(anonymous, 'GET', '/api/v1/namespaces/kube-system/secrets')).code).toBe(403);
  });

  it("carries the bootstrapsigner's signature for each token, until the token is deleted", async () => {
    const token = await createToken(admin, defaultTokenOptions());
    const key = `jws-kubeconfig-${token.split('.')[0]}`;
    await waitFor(async () => (await api(cp.config, 'GET', CLUSTER_INFO)).body.data[key], { what: 'the signature' });
    expect(await listTokens(admin)).toContain(token);
    expect(await deleteToken(admin, token.split('.')[0])).toBe(`bootstrap token "${token.split('.')[0]}" deleted`);
    await waitFor(async () => !(await api(cp.config, 'GET', CLUSTER_INFO)).body.data[key], { what: 'the signature gone' });
  });
});

describe('TLS bootstrapping', () => {
  it('turns a bootstrap token into a client certificate of system:node:<name>', async () => {
    const token = await createToken(admin, defaultTokenOptions());
    const kubeconfig = path.join(cp.dir, 'x', 'node.kubeconfig');
    await waitFor(async () => (await api(cp.config, 'GET', CLUSTER_INFO)).body.data[`jws-kubeconfig-${token.split('.')[0]}`], {
      what: 'cluster-info signed',
    });
    const hash = await join(
      {
        server: cp.url,
        token,
        caCertHashes: [caCertHash(fs.readFileSync(cp.caFile))],
        skipCAVerification: false,
        nodeName: 'x',
        dataDir: path.join(cp.dir, 'x'),
      },
      kubeconfig,
    );
    expect(hash).toBe(caCertHash(fs.readFileSync(cp.caFile)));
    const node = loadKubeconfig(kubeconfig);
    expect(node.token).toBeUndefined();
    const who = await api(node, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(who.body.status.userInfo).toEqual({ username: 'system:node:x', groups: ['system:nodes', 'system:authenticated'] });

    const out = kubectl('1.33', ['get', 'csr']);
    expect(out.stdout).toMatch(/^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    expect(out.stdout).toMatch(
      new RegExp(
        `csr-\\w+\\s+\\d+s\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:${token.split('.')[0]}\\s+<none>\\s+Approved,Issued`,
      ),
    );
  });

  it.each(['1.31', '1.33'])('lets kubectl %s approve and deny requests that wait for a person', async (version) => {
    const user = (name: string) => ({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: Buffer.from(newCertificateRequest('jane', ['developers']).csr).toString('base64'),
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth'],
      },
    });
    const [ok, no] = [`jane-${version}`, `jim-${version}`];
    for (const name of [ok, no])
      expect((await api(cp.config, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', user(name))).code).toBe(201);
    expect(kubectl(version, ['get', 'csr', ok, '--no-headers']).stdout).toMatch(/Pending\n$/);
    expect(kubectl(version, ['certificate', 'approve', ok])).toMatchObject({
      status: 0,
      stdout: `certificatesigningrequest.certificates.k8s.io/${ok} approved\n`,
    });
    expect(kubectl(version, ['certificate', 'deny', no])).toMatchObject({
      status: 0,
      stdout: `certificatesigningrequest.certificates.k8s.io/${no} denied\n`,
    });
    await waitFor(() => /Approved,Issued\n$/.test(kubectl(version, ['get', 'csr', ok, '--no-headers']).stdout), { what: 'issued' });
    expect(kubectl(version, ['get', 'csr', no, '--no-headers']).stdout).toMatch(/Denied\n$/);
    const csr = (await api(cp.config, 'GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${ok}`)).body;
    expect(csr.spec.username).toBe('admin'); // the apiserver records who asked
    expect(csr.status.conditions[0]).toMatchObject({
      type: 'Approved',
      reason: 'KubectlApprove',
      message: 'This CSR was approved by kubectl certificate approve.',
    });
  });
});

describe('CertificateSigningRequest admission', () => {
  const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
  const request = (name: string, organizations: string[]) => ({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(newCertificateRequest(name, organizations).csr).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth'],
    },
  });
  const rbac = (kind: string, body: object) => api(cp.config, 'POST', `/apis/rbac.authorization.k8s.io/v1/${kind}`, body);

  it('refuses a kube-apiserver-client certificate for system:masters, even to the admin', async () => {
    const res = await api(cp.config, 'POST', CSRS, request('sneaky', ['system:masters']));
    expect(res.code).toBe(403);
    expect(res.body.message).toBe(
      'certificatesigningrequests.certificates.k8s.io "sneaky" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
    );
  });

  it('lets only those with approve on the signer approve, whatever they may update', async () => {
    expect((await api(cp.config, 'POST', CSRS, request('for-review', ['devs']))).code).toBe(201);
    const approver = loadKubeconfig(cp.viewerKubeconfig); // the viewer, given the approval subresource below
    await rbac('clusterroles', {
      metadata: { name: 'csr-approval-updater' },
      rules: [
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['certificatesigningrequests', 'certificatesigningrequests/approval'],
          verbs: ['get', 'update'],
        },
      ],
    });
    await rbac('clusterrolebindings', {
      metadata: { name: 'viewer-csr-approval' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'csr-approval-updater' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'viewer' }],
    });
    const approve = async () => {
      const csr = (await api(approver, 'GET', `${CSRS}/for-review`)).body;
      csr.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Reviewed', message: 'ok' }] };
      return api(approver, 'PUT', `${CSRS}/for-review/approval`, csr);
    };
    const refused = await waitFor(async () => ((await approve()).code === 403 ? await approve() : undefined), { what: 'the binding' });
    expect(refused.body.message).toBe(
      'certificatesigningrequests.certificates.k8s.io "for-review" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"',
    );
    await rbac('clusterroles', {
      metadata: { name: 'csr-signer-approver' },
      rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: ['kubernetes.io/*'], verbs: ['approve'] }],
    });
    await rbac('clusterrolebindings', {
      metadata: { name: 'viewer-signer-approver' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'csr-signer-approver' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'viewer' }],
    });
    await waitFor(async () => (await approve()).code === 200, { what: 'approval with approve on kubernetes.io/*' });
  });
});
