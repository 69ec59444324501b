// Init containers and sidecars on real Docker, as kubectl 1.33 shows them: Init:0/2, Init:1/2,
// PodInitializing, Running; Init:Error and Init:CrashLoopBackOff; the logs of an init container; a
// sidecar running next to the app.
import { kubectl, kubectlOk, kubectlStream, uniqueNamespace, waitFor } from './cluster';

const V = 33;
let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('init');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false'], { version: V });
});

const apply = (yaml: string) => kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: yaml, version: V });
const pod = (name: string) => JSON.parse(kubectlOk(['-n', ns, 'get', 'pod', name, '-o', 'json'], { version: V }));
/** The READY, STATUS and RESTARTS columns of `kubectl get pod`. */
const columns = (name: string) => kubectlOk(['-n', ns, 'get', 'pod', name, '--no-headers'], { version: V }).trim().split(/\s+/).slice(1, 4);
const waitForStatus = (name: string, status: string) =>
  waitFor(() => columns(name)[1] === status, { timeoutMs: 60_000, what: `pod ${name} to show ${status}` });

describe('init containers', () => {
  it('runs two init containers in order, to completion, before the app, as kubectl get -w shows', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: ordered}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: work, emptyDir: {}}]
  initContainers:
  - name: init-1
    image: busybox
    command: ["sh", "-c", "sleep 2; echo one | tee -a /work/log"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: init-2
    image: busybox
    command: ["sh", "-c", "sleep 2; echo two | tee -a /work/log"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "cat /work/log; exec sleep 3600"]
    volumeMounts: [{name: work, mountPath: /work}]
`);
    // Watched from right after the create: the first init container takes 2 s, so Init:0/2 is still there to see.
    const watch = kubectlStream(['-n', ns, 'get', 'pod', 'ordered', '-w', '--no-headers'], { version: V });
    try {
      await waitFor(() => watch.lines.some((l) => /\sRunning\s/.test(l)), { timeoutMs: 60_000, what: 'the watch to show Running' });
    } finally {
      watch.stop();
    }
    const seen = watch.lines.map((l) => l.trim().split(/\s+/)[2]).filter((s, i, all) => s !== all[i - 1]);
    const order = ['Init:0/2', 'Init:1/2', 'PodInitializing', 'Running'];
    expect(seen.filter((s) => order.includes(s))).toEqual(order);
    expect(columns('ordered')).toEqual(['1/1', 'Running', '0']);

    expect(kubectlOk(['-n', ns, 'logs', 'ordered'], { version: V })).toBe('one\ntwo\n');
    expect(kubectlOk(['-n', ns, 'logs', 'ordered', '-c', 'init-1'], { version: V })).toBe('one\n');
    const s = pod('ordered').status;
    expect(s.initContainerStatuses.map((c: any) => [c.name, c.state.terminated?.reason])).toEqual([
      ['init-1', 'Completed'],
      ['init-2', 'Completed'],
    ]);
    expect(s.conditions.find((c: any) => c.type === 'Initialized').status).toBe('True');
  });

  it('fails the pod as Init:Error when an init container fails under restartPolicy Never', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: fails-once}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  initContainers: [{name: setup, image: busybox, command: ["sh", "-c", "echo broken; exit 3"]}]
  containers: [{name: app, image: busybox, command: ["sleep", "3600"]}]
`);
    await waitForStatus('fails-once', 'Init:Error');
    const s = pod('fails-once').status;
    expect(s.phase).toBe('Failed');
    expect(s.initContainerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(s.containerStatuses[0].state.waiting.reason).toBe('PodInitializing');
    expect(kubectlOk(['-n', ns, 'logs', 'fails-once', '-c', 'setup'], { version: V })).toBe('broken\n');
  });

  it('restarts a failing init container under restartPolicy Always until it backs off: Init:CrashLoopBackOff', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: fails-always}
spec:
  terminationGracePeriodSeconds: 1
  initContainers: [{name: setup, image: busybox, command: ["sh", "-c", "exit 1"]}]
  containers: [{name: app, image: busybox, command: ["sleep", "3600"]}]
`);
    await waitForStatus('fails-always', 'Init:CrashLoopBackOff');
    const s = pod('fails-always').status;
    expect(s.phase).toBe('Pending');
    expect(s.initContainerStatuses[0].restartCount).toBeGreaterThanOrEqual(1);
    expect(s.containerStatuses[0].state.waiting.reason).toBe('PodInitializing');
  });

  it('starts a sidecar before the app and keeps it running alongside', async () => {
    apply(`apiVersion: v1
kind: Pod
metadata: {name: with-sidecar}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: proxy
    image: busybox
    restartPolicy: Always
    command: ["sh", "-c", "mkdir -p /www && echo from-sidecar > /www/index.html && exec httpd -f -p 8080 -h /www"]
    startupProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "wget -q -O - http://127.0.0.1:8080/index.html; exec sleep 3600"]
`);
    await waitFor(() => columns('with-sidecar').join(' ') === '2/2 Running 0', {
      timeoutMs: 60_000,
      what: 'the sidecar and the app to run',
    });
    // The app started after the sidecar had started: its first request was answered.
    expect(kubectlOk(['-n', ns, 'logs', 'with-sidecar'], { version: V })).toBe('from-sidecar\n');
    const s = pod('with-sidecar').status;
    expect(s.initContainerStatuses[0]).toMatchObject({ name: 'proxy', started: true, ready: true });
    expect(s.initContainerStatuses[0].state.running).toBeDefined();
  });
});
