// ConfigMap and Secret volumes follow their source, as in Kubernetes: an update reaches the mounted files
// within a minute (a new version behind the ..data link, swapped atomically), while a subPath mount of the
// same key keeps the content it was started with.
import { kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

const V = 33; // the real kubectl 1.33, run directly
const runOk = (args: string[], input?: string) => kubectlOk(args, { version: V, input });

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('volupdate');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false'], { version: V });
});

/** The lines the pod printed: `<configMap file> <subPath file> <secret file>`, one a second. */
const lines = () => runOk(['-n', ns, 'logs', 'watcher']).trim().split('\n');

describe('configMap and secret volumes', () => {
  it('show an update of their source within a minute, except through a subPath', async () => {
    runOk(['-n', ns, 'create', 'configmap', 'settings', '--from-literal=greeting=hello']);
    runOk(['-n', ns, 'create', 'secret', 'generic', 'token', '--from-literal=value=s1']);
    runOk(
      ['-n', ns, 'create', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata: {name: watcher}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'while true; do echo "$(cat /cfg/greeting) $(cat /sub/greeting) $(cat /secret/value)"; sleep 1; done']
    volumeMounts:
    - {name: cfg, mountPath: /cfg}
    - {name: cfg, mountPath: /sub/greeting, subPath: greeting}
    - {name: secret, mountPath: /secret}
  volumes:
  - {name: cfg, configMap: {name: settings}}
  - {name: secret, secret: {secretName: token}}
`,
    );
    await waitFor(() => lines().includes('hello hello s1'), { timeoutMs: 60_000, what: 'the pod to print its files' });

    const updatedAt = Date.now();
    const cm = runOk(['-n', ns, 'create', 'configmap', 'settings', '--from-literal=greeting=world', '--dry-run=client', '-o', 'yaml']);
    runOk(['-n', ns, 'apply', '-f', '-'], cm);
    const secret = runOk(['-n', ns, 'create', 'secret', 'generic', 'token', '--from-literal=value=s2', '--dry-run=client', '-o', 'yaml']);
    runOk(['-n', ns, 'apply', '-f', '-'], secret);

    await waitFor(() => lines().includes('world hello s2'), { timeoutMs: 60_000, what: 'the update to reach the mounted files' });
    expect(Date.now() - updatedAt).toBeLessThan(60_000);
    // From the first line with the new content on, the subPath file still has the old one.
    const all = lines();
    const after = all.slice(all.findIndex((l) => l.startsWith('world')));
    expect(after.every((l) => l.split(' ')[1] === 'hello')).toBe(true);
    // The pod was never restarted for it.
    expect(runOk(['-n', ns, 'get', 'pod', 'watcher', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])).toBe('0');
  });
});
