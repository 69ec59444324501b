// Pods as real Docker containers: the kubelet and the scheduler, driven by the real kubectl and curl.
import { execFileSync, spawn } from 'node:child_process';
import { kubectlBinary } from '../processes';
import { KUBECONFIG, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('pods');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const apply = (yaml: string) => kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: yaml });
const get = (name: string) => JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', name, '-o', 'json']));
const status = (name: string) => get(name).status;
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const curl = (url: string) => execFileSync('curl', ['-s', '-m', '3', url], { encoding: 'utf8' });

async function waitRunning(name: string, ready = true) {
  return waitFor(
    () => {
      const s = status(name);
      return s.phase === 'Running' && (!ready || s.containerStatuses?.every((c: any) => c.ready)) ? s : undefined;
    },
    { timeoutMs: 60_000, what: `pod ${name} running` },
  );
}

describe('pods on real Docker', () => {
  it('runs a pod that answers HTTP on its IP, with kubectl showing it Running and docker showing its labels', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - name: httpd
    image: busybox
    command: ["sh", "-c", "echo hello from $(hostname) > /tmp/index.html && exec httpd -f -p 80 -h /tmp"]
    ports: [{containerPort: 80}]
`);
    const s = await waitRunning('web');
    expect(s.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(curl(`http://${s.podIP}/index.html`).trim()).toBe('hello from web');
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'web'])).toMatch(/^web\s+1\/1\s+Running\s+0\s+/m);
    const id = s.containerStatuses[0].containerID.replace('docker://', '');
    const labels = JSON.parse(docker('inspect', '--format', '{{json .Config.Labels}}', id));
    expect(labels).toMatchObject({
      'io.kubernetes.pod.name': 'web',
      'io.kubernetes.pod.namespace': ns,
      'io.kubernetes.pod.uid': get('web').metadata.uid,
      'io.kubernetes.container.name': 'httpd',
    });
    const describe = kubectlOk(['-n', ns, 'describe', 'pod', 'web']);
    for (const reason of ['Scheduled', 'Created', 'Started']) expect(describe).toMatch(new RegExp(`Normal\\s+${reason}\\s`));
  });

  it('shares localhost and an emptyDir between two containers of a pod', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: duo}
spec:
  volumes: [{name: shared, emptyDir: {}}]
  containers:
  - name: writer
    image: busybox
    command: ["sh", "-c", "echo from-writer > /data/file && mkdir -p /www && echo local > /www/index.html && exec httpd -f -p 8080 -h /www"]
    volumeMounts: [{name: shared, mountPath: /data}]
  - name: reader
    image: busybox
    command: ["sh", "-c", "sleep 1; cat /data/file; wget -q -O - http://127.0.0.1:8080/index.html; exec sleep 3600"]
    volumeMounts: [{name: shared, mountPath: /data}]
`);
    await waitRunning('duo');
    const out = await waitFor(
      () => {
        const logs = kubectlOk(['-n', ns, 'logs', 'duo', '-c', 'reader']);
        return logs.includes('local') ? logs : undefined;
      },
      { what: 'reader output' },
    );
    expect(out.split('\n').slice(0, 2)).toEqual(['from-writer', 'local']);
    expect(kubectlOk(['-n', ns, 'logs', 'duo', '-c', 'reader', '--tail=1']).trim()).toBe('local');
    const noContainer = kubectl(['-n', ns, 'logs', 'duo']);
    expect(noContainer.stderr.trim()).toBe('Defaulted container "writer" out of: writer, reader');
  });

  it('follows a log with kubectl logs -f', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: ticker}
spec:
  containers: [{name: app, image: busybox, command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done"]}]
`);
    await waitRunning('ticker');
    const follow = spawn(kubectlBinary(), ['-n', ns, 'logs', '-f', 'ticker'], { env: { ...process.env, KUBECONFIG } });
    let out = '';
    follow.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(() => (out.match(/tick \d+/g) ?? []).length >= 5, { what: 'five streamed lines' });
    } finally {
      follow.kill();
    }
    expect(out.split('\n')[0]).toBe('tick 0');
  });

  it('restarts a crashing container with back-off and shows CrashLoopBackOff and the previous logs', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo attempt; exit 3"]
`);
    const s = await waitFor(
      () => {
        const st = status('crasher');
        const c = st.containerStatuses?.[0];
        return c?.restartCount >= 1 && c.state.waiting?.reason === 'CrashLoopBackOff' ? st : undefined;
      },
      { timeoutMs: 60_000, what: 'CrashLoopBackOff' },
    );
    expect(s.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'crasher'])).toMatch(/crasher\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)/);
    expect(kubectlOk(['-n', ns, 'logs', 'crasher', '--previous']).trim()).toBe('attempt');
    expect(kubectlOk(['-n', ns, 'describe', 'pod', 'crasher'])).toMatch(/Warning\s+BackOff\s+.*Back-off restarting failed container/);
  });

  it('honours restartPolicy Never and OnFailure with exit codes', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: once-fail}
spec:
  restartPolicy: Never
  containers: [{name: app, image: busybox, command: ["sh", "-c", "exit 7"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: once-ok}
spec:
  restartPolicy: OnFailure
  containers: [{name: app, image: busybox, command: ["sh", "-c", "echo done"]}]
`);
    const failed = await waitFor(() => (status('once-fail').phase === 'Failed' ? status('once-fail') : undefined), {
      timeoutMs: 60_000,
      what: 'Failed',
    });
    expect(failed.containerStatuses[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 7, reason: 'Error' } } });
    const ok = await waitFor(() => (status('once-ok').phase === 'Succeeded' ? status('once-ok') : undefined), {
      timeoutMs: 60_000,
      what: 'Succeeded',
    });
    expect(ok.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'once-ok'])).toMatch(/once-ok\s+0\/1\s+Completed\s+0/);
  });

  it('restarts a container whose liveness probe fails, and reports readiness 0/1 until its probe passes', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: probed}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "touch /tmp/alive; exec httpd -f -p 80 -h /tmp"]
    livenessProbe: {exec: {command: ["cat", "/tmp/alive"]}, periodSeconds: 1, failureThreshold: 1}
    readinessProbe: {httpGet: {path: /ready, port: 80}, periodSeconds: 1}
`);
    await waitFor(() => status('probed').phase === 'Running', { timeoutMs: 60_000, what: 'probed running' });
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'probed'])).toMatch(/probed\s+0\/1\s+Running/);
    const id = status('probed').containerStatuses[0].containerID.replace('docker://', '');
    docker('exec', id, 'touch', '/tmp/ready');
    await waitFor(() => status('probed').containerStatuses[0].ready, { what: 'ready' });
    expect(kubectlOk(['-n', ns, 'get', 'pod', 'probed'])).toMatch(/probed\s+1\/1\s+Running/);
    docker('exec', id, 'rm', '/tmp/alive');
    await waitFor(() => status('probed').containerStatuses[0].restartCount >= 1, { timeoutMs: 60_000, what: 'liveness restart' });
    expect(kubectlOk(['-n', ns, 'describe', 'pod', 'probed'])).toMatch(/Warning\s+Unhealthy\s+.*Liveness probe failed/);
  });

  it('fails fast on an image that cannot be pulled: ErrImagePull, then ImagePullBackOff', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: nopull}
spec:
  containers: [{name: app, image: "example.invalid/nope:1"}]
`);
    const reasons = new Set<string>();
    await waitFor(
      () => {
        const r = status('nopull').containerStatuses?.[0]?.state?.waiting?.reason;
        if (r) reasons.add(r);
        return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'image pull errors' },
    );
    expect(kubectlOk(['-n', ns, 'describe', 'pod', 'nopull'])).toMatch(/Failed to pull image "example.invalid\/nope:1"/);
  });

  it('deletes a pod gracefully: SIGTERM, then the pod is gone within its grace period', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "trap 'echo got TERM; exit 0' TERM; while true; do sleep 1; done"]
`);
    const s = await waitRunning('graceful');
    const id = s.containerStatuses[0].containerID.replace('docker://', '');
    const started = Date.now();
    expect(kubectlOk(['-n', ns, 'delete', 'pod', 'graceful']).trim()).toBe('pod "graceful" deleted');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(kubectl(['-n', ns, 'get', 'pod', 'graceful']).code).toBe(1);
    expect(docker('ps', '-aq', '--filter', `id=${id}`)).toBe('');
  });
});

describe('scheduling', () => {
  it('keeps a pod that fits nowhere Pending with the reasons, and schedules it when a node is labelled', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: picky}
spec:
  nodeSelector: {e2e-disk: ssd}
  containers: [{name: app, image: busybox, command: ["sleep", "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: greedy}
spec:
  containers: [{name: app, image: busybox, command: ["sleep", "3600"], resources: {requests: {cpu: "500"}}}]
`);
    await waitFor(() => kubectlOk(['-n', ns, 'describe', 'pod', 'picky']).includes('FailedScheduling'), { what: 'FailedScheduling' });
    const nodes = kubectlOk(['get', 'nodes', '-o', 'name']).trim().split('\n').length;
    expect(kubectlOk(['-n', ns, 'describe', 'pod', 'picky'])).toContain(
      `0/${nodes} nodes are available: ${nodes} node(s) didn't match Pod's node affinity/selector.`,
    );
    await waitFor(() => kubectlOk(['-n', ns, 'describe', 'pod', 'greedy']).includes(`${nodes} Insufficient cpu`), {
      what: 'Insufficient cpu',
    });
    expect(status('picky').conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }),
    );
    kubectlOk(['label', 'node', 'node-2', 'e2e-disk=ssd']);
    try {
      await waitFor(() => get('picky').spec.nodeName === 'node-2', { what: 'scheduled on node-2' });
    } finally {
      kubectlOk(['label', 'node', 'node-2', 'e2e-disk-']);
    }
    expect(get('greedy').spec.nodeName).toBeUndefined();
  });
});
