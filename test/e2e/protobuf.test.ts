// kubectl 1.32 and 1.33, run directly (not through the dispatcher), send protobuf bodies for their typed
// creates (Deployments, ConfigMaps, RBAC, Jobs, CronJobs, PDBs, ServiceAccounts...), `auth can-i`, `auth
// whoami` and `autoscale`: each prints what it prints against Kubernetes.
import path from 'node:path';
import { DATA_DIR, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const VIEWER = path.join(DATA_DIR, 'kubeconfig-viewer');

const VERSIONS = [32, 33];
const namespaces: string[] = [];
const clusterScoped: string[][] = [];

afterAll(() => {
  for (const ns of namespaces) kubectl(['delete', 'namespace', ns, '--wait=false']);
  for (const [kind, name] of clusterScoped) kubectl(['delete', kind, name, '--wait=false']);
});

describe.each(VERSIONS)('kubectl 1.%i', (version) => {
  let ns: string;
  const run = (...args: string[]) => kubectl(['-n', ns, ...args], { version });
  const ok = (...args: string[]) => kubectlOk(['-n', ns, ...args], { version }).trim();
  beforeAll(() => {
    ns = uniqueNamespace(`protobuf-${version}`);
    namespaces.push(ns);
  });

  it('creates a deployment whose pods run', async () => {
    expect(ok('create', 'deployment', 'web', '--image=busybox', '--', 'sleep', '3600')).toBe('deployment.apps/web created');
    const spec = JSON.parse(ok('get', 'deployment', 'web', '-o', 'json')).spec;
    expect(spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'busybox', image: 'busybox', command: ['sleep', '3600'], resources: {} }),
    ]);
    await waitFor(() => ok('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.phase}') === 'Running', {
      timeoutMs: 60_000,
      what: 'the pod of deployment web running',
    });
  });

  it('creates configmaps, secrets, services and namespaces', () => {
    expect(ok('create', 'configmap', 'cm', '--from-literal=a=b')).toBe('configmap/cm created');
    expect(JSON.parse(ok('get', 'configmap', 'cm', '-o', 'json')).data).toEqual({ a: 'b' });
    expect(ok('create', 'secret', 'generic', 's', '--from-literal=password=s3cr3t')).toBe('secret/s created');
    expect(ok('get', 'secret', 's', '-o', 'jsonpath={.data.password}')).toBe(Buffer.from('s3cr3t').toString('base64'));
    expect(ok('create', 'service', 'nodeport', 'web', '--tcp=80:8080')).toBe('service/web created');
    expect(ok('get', 'service', 'web', '-o', 'jsonpath={.spec.type} {.spec.ports[0].targetPort}')).toBe('NodePort 8080');
    const other = `${ns}-other`;
    namespaces.push(other);
    expect(kubectlOk(['create', 'namespace', other], { version }).trim()).toBe(`namespace/${other} created`);
  });

  it('creates roles, role bindings, cluster roles and cluster role bindings', () => {
    expect(ok('create', 'role', 'reader', '--verb=get,list', '--resource=pods')).toBe('role.rbac.authorization.k8s.io/reader created');
    expect(ok('create', 'rolebinding', 'reader', '--role=reader', '--user=jane')).toBe(
      'rolebinding.rbac.authorization.k8s.io/reader created',
    );
    const name = `${ns}-nodes`;
    clusterScoped.push(['clusterrolebinding', name], ['clusterrole', name]);
    expect(kubectlOk(['create', 'clusterrole', name, '--verb=get', '--resource=nodes'], { version }).trim()).toBe(
      `clusterrole.rbac.authorization.k8s.io/${name} created`,
    );
    expect(kubectlOk(['create', 'clusterrolebinding', name, `--clusterrole=${name}`, '--user=jane'], { version }).trim()).toBe(
      `clusterrolebinding.rbac.authorization.k8s.io/${name} created`,
    );
  });

  it('answers auth can-i and auth whoami', () => {
    expect(ok('auth', 'can-i', 'create', 'deployments.apps')).toBe('yes');
    expect(run('auth', 'can-i', 'delete', 'configmaps', '--kubeconfig', VIEWER)).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(ok('auth', 'whoami')).toMatch(
      /^ATTRIBUTE\s+VALUE\nUsername\s+admin\nUID\s+admin\nGroups\s+\[system:masters system:authenticated\]$/,
    );
  });

  it('autoscales a deployment and deletes what it made', () => {
    expect(ok('autoscale', 'deployment', 'web', '--max=3', '--cpu-percent=50')).toBe('horizontalpodautoscaler.autoscaling/web autoscaled');
    expect(ok('get', 'hpa', 'web', '-o', 'jsonpath={.spec.maxReplicas} {.spec.scaleTargetRef.name}')).toBe('3 web');
    expect(ok('delete', 'configmap', 'cm')).toBe('configmap "cm" deleted');
  });

  it('shows kubectl top, which asks for protobuf in every version and is answered in JSON', async () => {
    let last = '';
    await waitFor(
      () => {
        const r = run('top', 'pods');
        last = r.stdout + r.stderr;
        return r.code === 0 && /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nweb-/.test(r.stdout);
      },
      { timeoutMs: 60_000, what: 'kubectl top pods' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last output: ${last}`);
    });
    expect(ok('top', 'nodes')).toMatch(/^NAME\s+CPU\(cores\)\s+CPU(%|\(%\))\s+MEMORY\(bytes\)\s+MEMORY(%|\(%\))\s*\n/);
  });

  it('creates the other kinds kubectl sends as protobuf: Job, CronJob, PodDisruptionBudget, ServiceAccount', () => {
    expect(ok('create', 'job', 'j', '--image=busybox', '--', 'true')).toBe('job.batch/j created');
    // A schedule that does not come round during the suite.
    expect(ok('create', 'cronjob', 'cj', '--image=busybox', '--schedule=0 0 1 1 *')).toBe('cronjob.batch/cj created');
    expect(ok('create', 'poddisruptionbudget', 'p', '--selector=app=web', '--min-available=1')).toBe(
      'poddisruptionbudget.policy/p created',
    );
    expect(ok('create', 'serviceaccount', 'sa')).toBe('serviceaccount/sa created');
  });

  it('gets a clean error, not a decoding one, for a kind this cluster does not serve (ResourceQuota)', () => {
    const r = run('create', 'quota', 'q', '--hard=pods=2');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the server could not find the requested resource/);
    expect(r.stderr).not.toMatch(/unknown format|protobuf/);
  });
});
