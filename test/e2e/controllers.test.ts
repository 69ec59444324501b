// The controller-manager driven by the real kubectl: ReplicaSets, Deployments, Endpoints, garbage
// collection, namespace deletion and node failure.
import { execFileSync } from 'node:child_process';
import { kubectl, kubectlOk, kubectlStream, killComponent, uniqueNamespace, waitFor } from './cluster';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('ctrl');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const k = (...args: string[]) => kubectlOk(['-n', ns, ...args]);
const json = (...args: string[]) => JSON.parse(k(...args, '-o', 'json'));
const podsOf = (selector: string) => json('get', 'pods', '-l', selector).items.filter((p: any) => !p.metadata.deletionTimestamp);

const replicaSet = (replicas: number) => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: myapp-replicaset, labels: {app: myapp}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {type: front-end}}
  template:
    metadata: {labels: {app: myapp, type: front-end}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: nginx-container, image: busybox, command: ["httpd", "-f", "-p", "80"]}]
`;

const deployment = (image: string, replicas = 4) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        command: ["sh", "-c", "mkdir -p /www && echo $(hostname) > /www/index.html && exec httpd -f -p 80 -h /www"]
        ports: [{containerPort: 80, name: http}]
        readinessProbe: {httpGet: {path: /index.html, port: http}, periodSeconds: 1, failureThreshold: 1}
`;

describe('ReplicaSets', () => {
  it('keeps N pods, scales with kubectl scale, and replaces a deleted pod', async () => {
    expect(kubectlOk(['-n', ns, 'create', '-f', '-'], { input: replicaSet(3) }).trim()).toBe('replicaset.apps/myapp-replicaset created');
    await waitFor(() => podsOf('type=front-end').length === 3, { what: '3 pods' });
    expect(kubectlOk(['-n', ns, 'scale', '--replicas=6', 'replicaset', 'myapp-replicaset']).trim()).toBe(
      'replicaset.apps/myapp-replicaset scaled',
    );
    await waitFor(() => podsOf('type=front-end').length === 6, { what: '6 pods' });
    const victim = podsOf('type=front-end')[0].metadata.name;
    k('delete', 'pod', victim, '--wait=false');
    await waitFor(() => podsOf('type=front-end').length === 6 && !podsOf('type=front-end').some((p: any) => p.metadata.name === victim), {
      what: 'replacement',
    });
    k('scale', '--replicas=2', 'rs/myapp-replicaset');
    await waitFor(() => podsOf('type=front-end').length === 2, { what: '2 pods' });
    await waitFor(() => /myapp-replicaset\s+2\s+2\s+2\s/.test(k('get', 'rs', 'myapp-replicaset')), {
      timeoutMs: 60_000,
      what: 'DESIRED CURRENT READY 2 2 2',
    });
    expect(k('describe', 'rs', 'myapp-replicaset')).toMatch(/Normal\s+SuccessfulCreate\s+.*Created pod: myapp-replicaset-/);
  });

  it('adopts a matching orphan pod and releases a pod whose labels no longer match', async () => {
    const before = podsOf('type=front-end').map((p: any) => p.metadata.name);
    kubectlOk(['-n', ns, 'run', 'orphan', '--image=busybox', '--labels=type=front-end', '--', 'sleep', '3600']);
    await waitFor(() => podsOf('type=front-end').length === 2 && json('get', 'rs', 'myapp-replicaset').status.replicas === 2, {
      what: 'surplus removed',
    });
    const released = before[0];
    k('label', 'pod', released, 'type=backend', '--overwrite');
    await waitFor(() => !json('get', 'pod', released).metadata.ownerReferences?.length, { what: 'release' });
    await waitFor(() => podsOf('type=front-end').length === 2, { what: 'replacement for the released pod' });
  });
});

describe('Deployments', () => {
  it('rolls out, updates within maxUnavailable, records history, and rolls back', async () => {
    execFileSync('docker', ['tag', 'busybox:latest', 'busybox:e2e-v2']);
    expect(kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: deployment('busybox') }).trim()).toBe('deployment.apps/web created');
    const status = kubectlOk(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(status).toMatch(/deployment "web" successfully rolled out/);

    const watch = kubectlStream(['-n', ns, 'get', 'deployment', 'web', '-w', '--no-headers']);
    try {
      kubectlOk(['-n', ns, 'set', 'image', 'deployment/web', 'web=busybox:e2e-v2']);
      expect(kubectlOk(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=90s'])).toMatch(/successfully rolled out/);
      // The watch has caught up once it shows the finished rollout: READY 4/4, UP-TO-DATE 4, AVAILABLE 4.
      await waitFor(() => watch.lines.some((l) => /^web\s+4\/4\s+4\s+4\s/.test(l)), { what: 'the watch to show the finished rollout' });
    } finally {
      watch.stop();
    }
    // READY never drops below replicas - maxUnavailable = 3 during the rollout.
    const readies = watch.lines
      .map((l) => /^web\s+(\d+)\/4/.exec(l)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(readies.length).toBeGreaterThan(0);
    expect(Math.min(...readies)).toBeGreaterThanOrEqual(3);

    const rs = json('get', 'rs', '-l', 'app=web').items;
    expect(rs).toHaveLength(2);
    expect(rs.map((r: any) => r.metadata.annotations['deployment.kubernetes.io/revision']).sort()).toEqual(['1', '2']);
    expect(
      rs.every((r: any) => r.metadata.labels['pod-template-hash'] && r.metadata.name.endsWith(r.metadata.labels['pod-template-hash'])),
    ).toBe(true);
    expect(k('rollout', 'history', 'deployment/web')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    expect(k('rollout', 'undo', 'deployment/web').trim()).toBe('deployment.apps/web rolled back');
    expect(kubectlOk(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=90s'])).toMatch(/successfully rolled out/);
    const after = json('get', 'rs', '-l', 'app=web').items;
    expect(after).toHaveLength(2); // the old ReplicaSet came back as revision 3
    expect(json('get', 'deployment', 'web').spec.template.spec.containers[0].image).toBe('busybox');
    expect(k('describe', 'deployment', 'web')).toMatch(/ScalingReplicaSet\s+.*Scaled (up|down) replica set web-/);
  });

  it('lists the ready pods of a Service as endpoints, following readiness', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n',
    });
    await waitFor(() => (json('get', 'endpoints', 'web').subsets?.[0]?.addresses?.length ?? 0) === 4, { what: '4 endpoints' });
    const ep = json('get', 'endpoints', 'web').subsets[0];
    expect(ep.ports).toEqual([{ port: 80, protocol: 'TCP' }]);
    expect(ep.addresses[0].targetRef.kind).toBe('Pod');
    const pod = ep.addresses[0].targetRef.name;
    const id = json('get', 'pod', pod).status.containerStatuses[0].containerID.replace('docker://', '');
    execFileSync('docker', ['exec', id, 'mv', '/www/index.html', '/www/gone.html']); // the readiness probe now fails
    await waitFor(
      () => (json('get', 'endpoints', 'web').subsets?.[0]?.notReadyAddresses ?? []).some((a: any) => a.targetRef.name === pod),
      { what: 'not ready address' },
    );
    expect(json('get', 'endpoints', 'web').subsets[0].addresses).toHaveLength(3);
    const slice = JSON.parse(kubectlOk(['-n', ns, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json'])).items[0];
    expect(slice.endpoints.some((e: any) => e.conditions.ready === false)).toBe(true);
    execFileSync('docker', ['exec', id, 'mv', '/www/gone.html', '/www/index.html']);
    await waitFor(() => json('get', 'endpoints', 'web').subsets?.[0]?.addresses?.length === 4, { timeoutMs: 60_000, what: 'ready again' });
  });

  it('deletes ReplicaSets and pods with the Deployment, and keeps them with --cascade=orphan', async () => {
    kubectlOk(['-n', ns, 'create', 'deployment', 'keep', '--image=busybox', '--replicas=1', '--', 'sleep', '3600']);
    await waitFor(() => podsOf('app=keep').length === 1, { what: 'keep pod' });
    expect(k('delete', 'deployment', 'keep', '--cascade=orphan').trim()).toBe('deployment.apps "keep" deleted');
    // kubectl waited for the Deployment to be gone: the garbage collector has orphaned its ReplicaSet.
    expect(json('get', 'rs', '-l', 'app=keep').items).toHaveLength(1);
    expect(json('get', 'rs', '-l', 'app=keep').items[0].metadata.ownerReferences ?? []).toEqual([]);
    expect(podsOf('app=keep')).toHaveLength(1);

    k('delete', 'deployment', 'web');
    await waitFor(() => json('get', 'rs', '-l', 'app=web').items.length === 0 && podsOf('app=web').length === 0, {
      timeoutMs: 60_000,
      what: 'cascade',
    });
  });
});

describe('namespaces', () => {
  it('deletes everything in a namespace, containers included, then the namespace', async () => {
    const doomed = uniqueNamespace('doomed');
    kubectlOk(['-n', doomed, 'create', 'deployment', 'x', '--image=busybox', '--replicas=2', '--', 'sleep', '3600']);
    kubectlOk(['-n', doomed, 'create', 'configmap', 'cm', '--from-literal=a=b']);
    await waitFor(
      () =>
        JSON.parse(kubectlOk(['-n', doomed, 'get', 'pods', '-o', 'json'])).items.filter((p: any) => p.status.phase === 'Running').length ===
        2,
      { what: 'pods running' },
    );
    expect(kubectlOk(['delete', 'namespace', doomed, '--timeout=120s']).trim()).toBe(`namespace "${doomed}" deleted`);
    expect(kubectl(['get', 'namespace', doomed]).code).toBe(1);
    expect(
      execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kubernetes.pod.namespace=${doomed}`], { encoding: 'utf8' }).trim(),
    ).toBe('');
  });
});

describe('node failure', () => {
  it('marks a node whose kubelet died NotReady, and its pods come back on the other node', async () => {
    kubectlOk(['-n', ns, 'create', 'deployment', 'moving', '--image=busybox', '--replicas=2', '--', 'sleep', '3600']);
    await waitFor(() => podsOf('app=moving').filter((p: any) => p.status.phase === 'Running').length === 2, { what: 'running' });
    // Put both on node-2's side of things: kill node-1's kubelet and watch its pods move.
    const onNode1 = () => podsOf('app=moving').filter((p: any) => p.spec.nodeName === 'node-1');
    // A kubelet that stops answering (SIGSTOP: the launcher would restart one that died at once).
    killComponent('kubelet-node-1', 'SIGSTOP');
    try {
      await waitFor(() => /node-1\s+NotReady/.test(kubectlOk(['get', 'nodes'])), { timeoutMs: 60_000, what: 'node-1 NotReady' });
      const node = JSON.parse(kubectlOk(['get', 'node', 'node-1', '-o', 'json']));
      expect(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`)).toContain('node.kubernetes.io/unreachable:NoExecute');
      await waitFor(() => onNode1().length === 0 && podsOf('app=moving').filter((p: any) => p.status.phase === 'Running').length === 2, {
        timeoutMs: 90_000,
        what: 'pods moved to node-2',
      });
    } finally {
      killComponent('kubelet-node-1', 'SIGCONT');
    }
    await waitFor(() => /node-1\s+Ready/.test(kubectlOk(['get', 'nodes'])), { timeoutMs: 60_000, what: 'node-1 Ready again' });
    await waitFor(() => !(JSON.parse(kubectlOk(['get', 'node', 'node-1', '-o', 'json'])).spec.taints ?? []).length, {
      timeoutMs: 30_000,
      what: 'taints removed',
    });
  });
});

describe('autoscaling', () => {
  it('reports usage with kubectl top and scales a CPU-burning deployment from 1 to 3 replicas', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: burner}
spec:
  replicas: 1
  selector: {matchLabels: {app: burner}}
  template:
    metadata: {labels: {app: burner}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: burn
        image: busybox
        command: ["sh", "-c", "while :; do :; done"]
        resources: {requests: {cpu: 50m}, limits: {cpu: 200m}}
`,
    });
    kubectlOk(['-n', ns, 'rollout', 'status', 'deployment/burner', '--timeout=60s']);
    const top = await waitFor(
      () => {
        const r = kubectl(['-n', ns, 'top', 'pods', '-l', 'app=burner']);
        return r.code === 0 && /burner-\S+\s+[1-9]\d*m/.test(r.stdout) ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, what: 'kubectl top pods' },
    );
    expect(top.split('\n')[0]).toMatch(/^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    // kubectl 1.33 heads the percentages CPU(%) and MEMORY(%), older ones CPU% and MEMORY%.
    expect(kubectlOk(['top', 'nodes'])).toMatch(/^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    expect(k('autoscale', 'deployment', 'burner', '--cpu-percent=50', '--min=1', '--max=3').trim()).toBe(
      'horizontalpodautoscaler.autoscaling/burner autoscaled',
    );
    await waitFor(() => json('get', 'deployment', 'burner').spec.replicas === 3, { timeoutMs: 90_000, what: 'scaled to 3' });
    await waitFor(() => /burner\s+Deployment\/burner\s+cpu: \d+%\/50%\s+1\s+3\s+3/.test(k('get', 'hpa', 'burner')), {
      timeoutMs: 60_000,
      what: 'hpa status',
    });
    expect(k('describe', 'hpa', 'burner')).toMatch(
      /SuccessfulRescale\s+.*New size: 3; reason: cpu resource utilization \(percentage of request\) above target/,
    );
    k('delete', 'deployment', 'burner');
  });
});
