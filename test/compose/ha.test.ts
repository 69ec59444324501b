// The laptop's high-availability path, as the README tells it: `docker-compose -f docker-compose.yml -f
// docker-compose.ha.yml up -d` runs three etcd members and two apiservers; with one etcd member and one
// apiserver stopped the cluster still writes, and the components (whose clients balance over both
// apiservers) still schedule and run new pods.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { kubectlBinary, ROOT, waitFor } from '../processes';

const KUBECONFIG = path.join(ROOT, '.data', 'kubeconfig');
const FILES = ['-f', 'docker-compose.yml', '-f', 'docker-compose.ha.yml'];
const run = (cmd: string, args: string[], timeout = 600_000) =>
  execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
const compose = (...args: string[]) => run('docker-compose', [...FILES, ...args]);
/** kubectl through one apiserver: 6443 (the first) or 6444 (the second). */
const kubectl = (port: number, ...args: string[]) =>
  run(kubectlBinary(), ['--kubeconfig', KUBECONFIG, '--server', `https://127.0.0.1:${port}`, ...args], 60_000);
const tryKubectl = (port: number, ...args: string[]) =>
  spawnSync(kubectlBinary(), ['--kubeconfig', KUBECONFIG, '--server', `https://127.0.0.1:${port}`, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });

beforeAll(() => {
  run('bash', ['deploy/airgap/prepare.sh']);
  compose('build');
  compose('up', '-d');
  const deadline = Date.now() + 180_000;
  for (;;) {
    const r = tryKubectl(6443, 'get', 'nodes', '--no-headers');
    if (r.status === 0 && (r.stdout.match(/ Ready /g) ?? []).length === 2) break;
    if (Date.now() > deadline) throw new Error('nodes not Ready within 180 s of docker-compose up');
    spawnSync('sleep', ['0.5']);
  }
}, 900_000);

afterAll(() => {
  spawnSync('docker-compose', [...FILES, 'down', '-v'], { cwd: ROOT, timeout: 300_000 });
}, 300_000);

const runningPods = (port: number) =>
  (tryKubectl(port, 'get', 'pods', '-l', 'app=ha', '--no-headers').stdout ?? '').split('\n').filter((l) => /\sRunning\s/.test(l)).length;

it('runs three etcd members and two apiservers that serve the same cluster', async () => {
  const running = compose('ps', '--services', '--filter', 'status=running').split('\n').filter(Boolean);
  expect(running).toEqual(expect.arrayContaining(['etcd', 'etcd-2', 'etcd-3', 'apiserver', 'apiserver-2']));
  kubectl(6443, 'create', 'configmap', 'written-through-6443');
  expect(kubectl(6444, 'get', 'configmap', 'written-through-6443', '-o', 'name').trim()).toBe('configmap/written-through-6443');
});

it('still writes, schedules and runs pods with one etcd member and one apiserver stopped', async () => {
  kubectl(6443, 'create', 'deployment', 'ha', '--image=busybox:1.36', '--replicas=2', '--', 'sleep', '3600');
  await waitFor(() => runningPods(6443) === 2, { timeoutMs: 120_000, intervalMs: 1000, what: '2 pods Running' });

  compose('stop', 'etcd-2', 'apiserver');
  // etcd may elect a new leader first: the write succeeds within seconds.
  await waitFor(() => tryKubectl(6444, 'create', 'configmap', 'after-the-failure').status === 0, {
    timeoutMs: 30_000,
    intervalMs: 500,
    what: 'a write through the remaining apiserver',
  });
  // The controller-manager, the scheduler and the kubelets reach the cluster through apiserver-2 now.
  kubectl(6444, 'scale', 'deployment', 'ha', '--replicas=3');
  await waitFor(() => runningPods(6444) === 3, { timeoutMs: 120_000, intervalMs: 1000, what: '3 pods Running after the failure' });
  expect(tryKubectl(6443, 'get', 'nodes').status).not.toBe(0); // the first apiserver is really gone
});
