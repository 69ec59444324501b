// Nothing lost, nothing doubled: every process of the cluster is stopped (SIGSTOP, through its pid file
// under .data/run/) while the desired state changes, then killed, and the launcher starts it again, as
// systemd would. After each restart the cluster converges: the Deployment has exactly its replicas, each
// pod has exactly one running container, no container is left over, and the NodePort answers again.
// Then a burst of 30 pods runs exactly once each, and a standby scheduler or controller-manager takes
// over the lease when the leader stalls; the stalled leader exits and the launcher brings it back.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import {
  httpApp,
  killComponent,
  kubectl,
  kubectlOk,
  logOf,
  pidOf,
  startReplica,
  uniqueNamespace,
  waitFor,
  waitForRestart,
} from './cluster';

let ns: string;
let nodePort: number;
let replicas = 2;
const k = (...args: string[]) => kubectlOk(['-n', ns, ...args]);
const json = (...args: string[]) => JSON.parse(k(...args, '-o', 'json'));
const curl = (url: string) => spawnSync('curl', ['-s', '-m', '2', url], { encoding: 'utf8' });

/** Running containers of this namespace's pods, by container name (the pause containers are "POD"). */
function runningContainers(container: string): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-q', '--filter', `label=io.kubernetes.pod.namespace=${ns}`, '--filter', `label=io.kubernetes.container.name=${container}`],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

/** The cluster's state matches what was asked: `replicas` ready pods, one container each, served. */
async function converged(what: string): Promise<void> {
  await waitFor(
    () => {
      const pods = json('get', 'pods', '-l', 'app=web').items.filter((p: any) => !p.metadata.deletionTimestamp);
      const ready = pods.filter((p: any) => p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      if (pods.length !== replicas || ready.length !== replicas) return false;
      if (runningContainers('web').length !== replicas) return false;
      const answer = curl(`http://127.0.0.1:${nodePort}/index.html`);
      return answer.status === 0 && answer.stdout.startsWith('web-');
    },
    { timeoutMs: 90_000, intervalMs: 500, what },
  );
}

beforeAll(() => {
  ns = uniqueNamespace('restarts');
});

describe('killing and restarting each process', () => {
  beforeAll(async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: httpApp('web', replicas) });
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n',
    });
    nodePort = json('get', 'svc', 'web').spec.ports[0].nodePort;
    await converged('the first rollout');
  });

  it.each(['etcd', 'apiserver', 'scheduler', 'controller-manager', 'kube-proxy', 'kubelet-node-1'])(
    'converges after %s is killed while the Deployment is scaled',
    async (component) => {
      const pid = pidOf(component);
      killComponent(component, 'SIGSTOP');
      // Change the desired state while the process is down, when the API can take it.
      replicas = replicas === 2 ? 3 : 2;
      const apiUp = component !== 'etcd' && component !== 'apiserver';
      if (apiUp) k('scale', 'deployment/web', `--replicas=${replicas}`);
      killComponent(component, 'SIGKILL');
      await waitForRestart(component, pid);
      if (!apiUp)
        await waitFor(() => kubectl(['-n', ns, 'scale', 'deployment/web', `--replicas=${replicas}`]).code === 0, {
          timeoutMs: 60_000,
          what: 'the API back',
        });
      await converged(`convergence after restarting ${component}`);
    },
  );
});

describe('a burst of pods', () => {
  it('runs 30 pods created at once, each exactly once', async () => {
    const pods = Array.from(
      { length: 30 },
      (_, i) => `apiVersion: v1
kind: Pod
metadata: {name: burst-${i}, labels: {app: burst}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: burst, image: busybox, command: ["sleep", "3600"]}]
`,
    ).join('---\n');
    kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: pods });
    await waitFor(
      () => {
        const items = json('get', 'pods', '-l', 'app=burst').items;
        return items.length === 30 && items.every((p: any) => p.status.phase === 'Running');
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: '30 running pods' },
    );
    const containers = runningContainers('burst');
    expect(containers).toHaveLength(30);
    const items = json('get', 'pods', '-l', 'app=burst').items;
    expect(items.every((p: any) => p.status.containerStatuses[0].restartCount === 0)).toBe(true);
    k('delete', 'pods', '-l', 'app=burst', '--wait=false');
  });
});

describe('leader election', () => {
  const holder = (lease: string) => kubectlOk(['-n', 'kube-system', 'get', 'lease', lease, '-o', 'jsonpath={.spec.holderIdentity}']);

  it.each([
    ['controller-manager', 'kube-controller-manager'],
    ['scheduler', 'kube-scheduler'],
  ])('hands the %s lease to a standby when the leader stalls, and the launcher restarts the old leader', async (component, lease) => {
    const leader = pidOf(component);
    expect(holder(lease)).toMatch(new RegExp(`_${leader}$`));
    const standby = startReplica(component);
    try {
      const standing = new RegExp(`"identity":"[^"]*_${standby.pid}".*standing by`);
      await waitFor(() => standing.test(fs.readFileSync(logOf(component), 'utf8')), { what: 'the standby to find the lease held' });
      expect(holder(lease)).toMatch(new RegExp(`_${leader}$`)); // the standby waits
      killComponent(component, 'SIGSTOP'); // the leader stalls and cannot renew
      await waitFor(() => holder(lease).endsWith(`_${standby.pid}`), {
        timeoutMs: 40_000,
        intervalMs: 500,
        what: `the standby ${component} to lead`,
      });
      killComponent(component, 'SIGCONT'); // it finds its lease lost and exits; the launcher starts it again
      await waitForRestart(component, leader);
      // The new leader does the work: scale (controller-manager creates pods, the scheduler binds them).
      replicas = replicas === 2 ? 3 : 2;
      k('scale', 'deployment/web', `--replicas=${replicas}`);
      await converged(`convergence under the new ${component} leader`);
    } finally {
      standby.kill('SIGTERM'); // it releases the lease: the launcher's replica takes it
    }
    await waitFor(() => holder(lease).endsWith(`_${pidOf(component)}`), { timeoutMs: 40_000, what: `the launcher's ${component} to lead` });
  });
});

afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});
