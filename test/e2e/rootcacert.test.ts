// The root CA certificate publisher through kubectl 1.27 and 1.33: every namespace gets the ConfigMap
// `kube-root-ca.crt` holding the cluster CA (the one kubectl's kubeconfig trusts), soon after it is
// created; it is put back when changed and created again when deleted.
import { loadKubeconfig } from '../../shared/kubeconfig';
import { KUBECONFIG, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = [27, 33];
const namespaces: string[] = [];

afterAll(() => {
  for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
});

describe.each(VERSIONS)('kubectl 1.%i', (version) => {
  const clusterCA = loadKubeconfig(KUBECONFIG).ca!.toString();
  let ns: string;
  const run = (...args: string[]) => kubectl(['-n', ns, ...args], { version });
  const ok = (...args: string[]) => kubectlOk(['-n', ns, ...args], { version }).trim();
  const published = () => {
    const r = run('get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}');
    return r.code === 0 ? r.stdout : '';
  };
  beforeAll(() => {
    ns = uniqueNamespace(`rootca-${version}`);
    namespaces.push(ns);
  });

  it('finds kube-root-ca.crt holding the cluster CA in a new namespace', async () => {
    expect(clusterCA).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await waitFor(() => published() !== '', { timeoutMs: 30_000, what: `configmap ${ns}/kube-root-ca.crt` });
    expect(published().trim()).toBe(clusterCA.trim());
    expect(ok('get', 'configmap', 'kube-root-ca.crt')).toMatch(/^NAME\s+DATA\s+AGE\s*\nkube-root-ca\.crt\s+1\s+\d+s\s*$/);
    expect(ok('get', 'configmap', 'kube-root-ca.crt', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/description}')).toMatch(
      /^Contains a CA bundle that can be used to verify the kube-apiserver/,
    );
  });

  it('puts the CA back when it is changed, and creates the ConfigMap again when it is deleted', async () => {
    await waitFor(() => published() !== '', { timeoutMs: 30_000, what: `configmap ${ns}/kube-root-ca.crt` });
    expect(ok('patch', 'configmap', 'kube-root-ca.crt', '-p', '{"data":{"ca.crt":"forged"}}')).toBe('configmap/kube-root-ca.crt patched');
    await waitFor(() => published().trim() === clusterCA.trim(), { timeoutMs: 30_000, what: 'the CA put back' });
    expect(ok('delete', 'configmap', 'kube-root-ca.crt')).toBe('configmap "kube-root-ca.crt" deleted');
    await waitFor(() => published().trim() === clusterCA.trim(), { timeoutMs: 30_000, what: 'kube-root-ca.crt created again' });
  });
});
