// ServiceAccounts through kubectl 1.27, 1.30 and 1.33: every namespace gets its `default` one from the
// service-account controller (again when it is deleted), and `kubectl create/get/describe serviceaccount`
// print what they print against Kubernetes. `kubectl create token` (1.27 and 1.33) prints a signed JWT
// that kubectl --token then signs in with, as the ServiceAccount RBAC governs; a token bound to a pod
// ends with the pod.
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

/** The claims of a JWT, read without verifying (the apiserver does that). */
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, any>;

describe.each([27, 33])('kubectl 1.%i create token', (version) => {
  let ns: string;
  const run = (...args: string[]) => kubectl(['-n', ns, ...args], { version });
  const ok = (...args: string[]) => kubectlOk(['-n', ns, ...args], { version }).trim();
  beforeAll(async () => {
    ns = uniqueNamespace(`token-${version}`);
    namespaces.push(ns);
    await waitFor(() => run('get', 'serviceaccount', 'default').code === 0, { timeoutMs: 30_000, what: `serviceaccount ${ns}/default` });
  });

  it('prints a JWT for the ServiceAccount, with the lifetime and audience asked for', () => {
    const token = ok('create', 'token', 'default');
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = claimsOf(token);
    expect(claims).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      sub: `system:serviceaccount:${ns}:default`,
      'kubernetes.io': { namespace: ns, serviceaccount: { name: 'default' } },
    });
    expect(claims.exp - claims.iat).toBe(3600);
    const short = claimsOf(
      ok('create', 'token', 'default', '--duration=10m', '--audience=vault', '--audience=https://kubernetes.default.svc.cluster.local'),
    );
    expect(short.exp - short.iat).toBe(600);
    expect(short.aud).toEqual(['vault', 'https://kubernetes.default.svc.cluster.local']);
    const tooShort = run('create', 'token', 'default', '--duration=1m');
    expect(tooShort.code).not.toBe(0);
    expect(tooShort.stderr).toMatch(/spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
    const missing = run('create', 'token', 'nobody');
    expect(missing.stderr).toMatch(/serviceaccounts "nobody" not found/);
  });

  it('signs kubectl --token in as the ServiceAccount: forbidden until a RoleBinding allows', async () => {
    const token = ok('create', 'token', 'default');
    const asToken = (...args: string[]) => run('--token', token, ...args);
    const forbidden = asToken('get', 'pods');
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toContain(
      `User "system:serviceaccount:${ns}:default" cannot list resource "pods" in API group "" in the namespace "${ns}"`,
    );
    ok('create', 'rolebinding', 'default-view', '--clusterrole=view', `--serviceaccount=${ns}:default`);
    await waitFor(() => asToken('get', 'pods').code === 0, { timeoutMs: 15_000, what: 'the RoleBinding to apply' });
    // Another audience's token is not for the apiserver.
    expect(run('--token', ok('create', 'token', 'default', '--audience=vault'), 'get', 'pods').stderr).toMatch(/Unauthorized/);
  });

  it('binds a token to a pod (--bound-object-kind Pod): deleting the pod ends the token', async () => {
    ok(
      'run',
      'holder',
      '--image=busybox',
      '--restart=Never',
      '--overrides={"spec":{"serviceAccountName":"default"}}',
      '--',
      'sleep',
      '3600',
    );
    const uid = ok('get', 'pod', 'holder', '-o', 'jsonpath={.metadata.uid}');
    const token = ok('create', 'token', 'default', '--bound-object-kind=Pod', '--bound-object-name=holder');
    expect(claimsOf(token)['kubernetes.io'].pod).toEqual({ name: 'holder', uid });
    const whoami = () => run('--token', token, 'auth', 'whoami', '-o', 'json');
    expect(JSON.parse(whoami().stdout).status.userInfo.extra).toMatchObject({
      'authentication.kubernetes.io/pod-name': ['holder'],
      'authentication.kubernetes.io/pod-uid': [uid],
    });
    ok('delete', 'pod', 'holder', '--grace-period=1');
    await waitFor(() => /Unauthorized/.test(whoami().stderr), { timeoutMs: 30_000, what: 'the bound token to be refused' });
  });
});
