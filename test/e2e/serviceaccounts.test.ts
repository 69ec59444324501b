// ServiceAccounts through kubectl 1.27, 1.30 and 1.33: every namespace gets its `default` one from the
// service-account controller (again when it is deleted), and `kubectl create/get/describe serviceaccount`
// print what they print against Kubernetes.
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const VERSIONS = [27, 30, 33];
const namespaces: string[] = [];

afterAll(() => {
  for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
});

describe.each(VERSIONS)('kubectl 1.%i', (version) => {
  let ns: string;
  const run = (...args: string[]) => kubectl(['-n', ns, ...args], { version });
  const ok = (...args: string[]) => kubectlOk(['-n', ns, ...args], { version }).trim();
  const defaultUID = () => {
    const r = run('get', 'serviceaccount', 'default', '-o', 'jsonpath={.metadata.uid}');
    return r.code === 0 ? r.stdout.trim() : '';
  };
  beforeAll(() => {
    ns = uniqueNamespace(`sa-${version}`);
    namespaces.push(ns);
  });

  it('finds the default ServiceAccount in a new namespace, and it comes back when deleted', async () => {
    await waitFor(() => defaultUID() !== '', { timeoutMs: 30_000, what: `serviceaccount ${ns}/default` });
    const first = defaultUID();
    expect(ok('get', 'sa')).toMatch(/^NAME\s+SECRETS\s+AGE\s*\ndefault\s+0\s+\d+s\s*$/);
    expect(ok('delete', 'serviceaccount', 'default')).toBe('serviceaccount "default" deleted');
    await waitFor(() => ![first, ''].includes(defaultUID()), { timeoutMs: 30_000, what: `serviceaccount ${ns}/default recreated` });
  });

  it('creates, describes and refuses an invalid ServiceAccount with Kubernetes messages', () => {
    expect(ok('create', 'serviceaccount', 'builder')).toBe('serviceaccount/builder created');
    const described = ok('describe', 'serviceaccount', 'builder');
    expect(described).toMatch(/^Name:\s+builder$/m);
    expect(described).toMatch(new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
    expect(described).toMatch(/^Mountable secrets:\s+<none>$/m);
    expect(ok('get', 'sa', 'builder', '-o', 'name')).toBe('serviceaccount/builder');
    const bad = run('create', 'serviceaccount', 'Not_Valid');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/ServiceAccount "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid"/);
  });
});
