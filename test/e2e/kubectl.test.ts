// The real kubectl against `npm run up`: the commands of the Foundation issue, with their outputs.
import { kubectl, kubectlOk, kubectlStream, uniqueNamespace, waitFor } from './cluster';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('kubectl');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const podYaml = (name: string, labels: Record<string, string>, image = 'busybox') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
spec:
  containers:
  - name: main
    image: ${image}
    command: ["sleep", "3600"]
`;

const deploymentYaml = (image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        ports: [{containerPort: 80}]
`;

describe('kubectl basics', () => {
  it('reports the server version and its resources', () => {
    expect(kubectlOk(['version'])).toMatch(/Server Version: v1\.33\.0-mini/);
    const resources = kubectlOk(['api-resources']);
    for (const line of [
      /^pods\s+po\s+v1\s+true\s+Pod$/m,
      /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m,
      /^services\s+svc\s+v1\s+true\s+Service$/m,
    ])
      expect(resources).toMatch(line);
  });

  it('creates from a file, refuses a duplicate, and prints pods as a Table', () => {
    expect(kubectlOk(['-n', ns, 'create', '-f', '-'], { input: podYaml('myapp-pod', { app: 'myapp' }) }).trim()).toBe(
      'pod/myapp-pod created',
    );
    const dup = kubectl(['-n', ns, 'create', '-f', '-'], { input: podYaml('myapp-pod', { app: 'myapp' }) });
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/Error from server \(AlreadyExists\): error when creating "STDIN": pods "myapp-pod" already exists/);
    const table = kubectlOk(['-n', ns, 'get', 'pods']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(table).toMatch(/^myapp-pod\s+0\/1\s+\S+\s+0\s+\d+s/m);
    expect(kubectlOk(['-n', ns, 'get', 'pods', '-o', 'wide']).split('\n')[0]).toMatch(/IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'myapp-pod', '-o', 'name']).trim()).toBe('pod/myapp-pod');
    expect(JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', 'myapp-pod', '-o', 'json'])).spec.containers[0].imagePullPolicy).toBe('Always');
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'myapp-pod', '-o', 'yaml'])).toMatch(/^kind: Pod$/m);
  });

  it('prints NotFound and Invalid errors the way Kubernetes does', () => {
    const missing = kubectl(['-n', ns, 'get', 'pod', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
    const invalid = kubectl(['-n', ns, 'create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: invalid-one}\nspec:\n  containers: [{name: c}]\n',
    });
    expect(invalid.stderr.trim()).toBe('The Pod "invalid-one" is invalid: spec.containers[0].image: Required value');
  });

  it('applies: created, unchanged, configured', () => {
    expect(kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: deploymentYaml('nginx:1.25') }).trim()).toBe('deployment.apps/web created');
    expect(kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: deploymentYaml('nginx:1.25') }).trim()).toBe('deployment.apps/web unchanged');
    expect(kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: deploymentYaml('nginx:1.26', 3) }).trim()).toBe(
      'deployment.apps/web configured',
    );
    const d = JSON.parse(kubectlOk(['-n', ns, 'get', 'deployment', 'web', '-o', 'json']));
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.26');
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: '25%' });
  });

  it('scales, sets the image, labels, annotates and patches', () => {
    expect(kubectlOk(['-n', ns, 'scale', '--replicas=5', 'deployment/web']).trim()).toBe('deployment.apps/web scaled');
    expect(kubectlOk(['-n', ns, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
    expect(kubectlOk(['-n', ns, 'set', 'image', 'deployment/web', 'web=nginx:1.27']).trim()).toBe('deployment.apps/web image updated');
    expect(kubectlOk(['-n', ns, 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('nginx:1.27');
    expect(kubectlOk(['-n', ns, 'label', 'pod', 'myapp-pod', 'tier=frontend']).trim()).toBe('pod/myapp-pod labeled');
    expect(kubectlOk(['-n', ns, 'annotate', 'pod', 'myapp-pod', 'owner=team-a']).trim()).toBe('pod/myapp-pod annotated');
    expect(
      kubectlOk([
        '-n',
        ns,
        'patch',
        'pod',
        'myapp-pod',
        '--type=json',
        '-p',
        '[{"op":"add","path":"/metadata/labels/x","value":"y"}]',
      ]).trim(),
    ).toBe('pod/myapp-pod patched');
    expect(kubectlOk(['-n', ns, 'patch', 'pod', 'myapp-pod', '--type=merge', '-p', '{"metadata":{"labels":{"x":null}}}']).trim()).toBe(
      'pod/myapp-pod patched',
    );
    expect(
      kubectlOk([
        '-n',
        ns,
        'patch',
        'deployment',
        'web',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}',
      ]).trim(),
    ).toBe('deployment.apps/web patched');
    const labels = JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', 'myapp-pod', '-o', 'jsonpath={.metadata.labels}']));
    expect(labels).toEqual({ app: 'myapp', tier: 'frontend' });
  });

  it('selects with set-based and equality selectors', () => {
    const make = (name: string, labels: Record<string, string>) =>
      kubectlOk(['-n', ns, 'create', '-f', '-'], { input: podYaml(name, labels) });
    make('prod-fe', { environment: 'production', tier: 'frontend' });
    make('prod-be', { environment: 'production', tier: 'backend' });
    make('qa-fe', { environment: 'qa', tier: 'frontend' });
    make('dev-fe', { environment: 'dev', tier: 'frontend' });
    const names = (selector: string) => kubectlOk(['-n', ns, 'get', 'pods', '-l', selector, '-o', 'name']).trim().split('\n').sort();
    expect(names('environment in (production, qa)')).toEqual(['pod/prod-be', 'pod/prod-fe', 'pod/qa-fe']);
    expect(names('environment=production,tier!=frontend')).toEqual(['pod/prod-be']);
  });

  it('replaces, and refuses a stale replace with a Conflict', () => {
    // A ConfigMap: nothing else writes it between our reads (a running pod's status would).
    kubectlOk(['-n', ns, 'create', 'configmap', 'replaced', '--from-literal=v=1']);
    const current = kubectlOk(['-n', ns, 'get', 'configmap', 'replaced', '-o', 'yaml']);
    kubectlOk(['-n', ns, 'label', 'configmap', 'replaced', 'bump=1']);
    const stale = kubectl(['-n', ns, 'replace', '-f', '-'], { input: current });
    expect(stale.stderr).toMatch(
      /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "replaced": the object has been modified/,
    );
    const fresh = kubectlOk(['-n', ns, 'get', 'configmap', 'replaced', '-o', 'yaml']).replace('v: "1"', 'v: "2"');
    expect(kubectlOk(['-n', ns, 'replace', '-f', '-'], { input: fresh }).trim()).toBe('configmap/replaced replaced');
    expect(kubectlOk(['-n', ns, 'get', 'configmap', 'replaced', '-o', 'jsonpath={.data.v}'])).toBe('2');
  });

  it('describes a pod', () => {
    const out = kubectlOk(['-n', ns, 'describe', 'pod', 'myapp-pod']);
    expect(out).toMatch(/^Name:\s+myapp-pod$/m);
    expect(out).toMatch(/^Namespace:\s+kubectl-/m);
    expect(out).toMatch(/^Labels:\s+app=myapp$/m);
    expect(out).toMatch(/Image:\s+busybox/);
  });

  it('streams changes with get -w', async () => {
    // -v=6 logs each request and its answer: the watch's 200 means kubectl is watching from its list.
    const watch = kubectlStream(['-n', ns, 'get', 'pods', '-w', '-l', 'watched=yes', '-v=6']);
    try {
      await waitFor(() => watch.errors.some((l) => l.includes('watch=true') && l.includes('200 OK')), { what: 'the watch answered' });
      kubectlOk(['-n', ns, 'create', '-f', '-'], { input: podYaml('watched', { watched: 'yes' }) });
      kubectlOk(['-n', ns, 'label', 'pod', 'watched', 'more=yes']);
      await waitFor(() => watch.lines.filter((l) => l.startsWith('watched ')).length >= 2, { timeoutMs: 15_000, what: 'two watch lines' });
      expect(watch.lines.some((l) => /^NAME\s+READY\s+STATUS/.test(l))).toBe(true);
    } finally {
      watch.stop();
    }
  });

  it('deletes', () => {
    expect(kubectlOk(['-n', ns, 'delete', 'pod', 'dev-fe', '--wait=false']).trim()).toBe('pod "dev-fe" deleted');
    expect(kubectlOk(['-n', ns, 'delete', 'deployment', 'web']).trim()).toBe('deployment.apps "web" deleted');
    expect(kubectl(['-n', ns, 'get', 'deployment', 'web']).stderr.trim()).toBe(
      'Error from server (NotFound): deployments.apps "web" not found',
    );
  });

  it.each([27, 33])('works with kubectl 1.%i', (version) => {
    const v = kubectlOk(['version'], { version });
    expect(v).toMatch(new RegExp(`Client Version: (version.Info.*GitVersion:"v1\\.${version}\\.|v1\\.${version}\\.)`));
    expect(
      kubectlOk(['-n', ns, 'get', 'pods', '-l', 'environment=production', '-o', 'name'], { version }).trim().split('\n').sort(),
    ).toEqual(['pod/prod-be', 'pod/prod-fe']);
    const created = kubectlOk(['-n', ns, 'apply', '-f', '-'], { version, input: podYaml(`v${version}`, { v: String(version) }) });
    expect(created.trim()).toBe(`pod/v${version} created`);
  });
});

describe.each([27, 30, 33])('kubectl 1.%i cluster-info', (version) => {
  it('names the control plane, and dumps the cluster without an error', () => {
    const info = kubectl(['cluster-info'], { version });
    expect({ code: info.code, stderr: info.stderr }).toEqual({ code: 0, stderr: '' });
    const plain = info.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''); // kubectl colours the names
    expect(plain).toMatch(/^Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+$/m);
    expect(plain).toMatch(/^CoreDNS is running at https:\/\/.*\/api\/v1\/namespaces\/kube-system\/services\/kube-dns:dns\/proxy$/m);
    // Everything a learner would attach to a bug report: nodes, events, and per namespace the workloads
    // (ReplicationControllers, Services, DaemonSets, Deployments, ReplicaSets, pods) and the pods' logs.
    const dump = kubectl(['cluster-info', 'dump', '--namespaces', `${ns},kube-system`], { version, timeoutMs: 120_000 });
    expect({ code: dump.code, stderr: dump.stderr }).toEqual({ code: 0, stderr: '' });
    expect(dump.stdout).toContain('"kind": "NodeList"');
    expect(dump.stdout).toContain('"kind": "DaemonSetList"');
    expect(dump.stdout).toContain(`==== START logs for container main of pod ${ns}/prod-be ====`);
  });
});
