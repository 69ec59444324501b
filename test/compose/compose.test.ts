// The laptop path, as the README tells it, with no registry: deploy/airgap/prepare.sh, then
// `docker-compose up -d`, the admin kubeconfig in .data/, the seed examples answering on
// localhost:30008, a crashed kubelet restarted by its restart policy adopting its pods, and `docker-compose down -v`
// leaving no pod container, network, interface or route behind.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, waitFor } from '../processes';

const KUBECONFIG = path.join(ROOT, '.data', 'kubeconfig');
const VIEWER = path.join(ROOT, '.data', 'kubeconfig-viewer');
const run = (cmd: string, args: string[], timeout = 600_000) =>
  execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
const compose = (...args: string[]) => run('docker-compose', args);
const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', KUBECONFIG, ...args], 60_000);
const podContainers = () => run('docker', ['ps', '-aq', '--filter', 'label=io.kubernetes.pod.namespace']).split('\n').filter(Boolean);

let upSeconds = 0;

beforeAll(() => {
  run('bash', ['deploy/airgap/prepare.sh']);
  compose('build');
  const start = Date.now();
  compose('up', '-d');
  // Nodes Ready, measured from `up`: the README promises it within 15 s.
  const ready = () => {
    const r = spawnSync('kubectl', ['--kubeconfig', KUBECONFIG, 'get', 'nodes', '--no-headers'], { encoding: 'utf8' });
    return r.status === 0 && (r.stdout.match(/ Ready /g) ?? []).length === 2;
  };
  const deadline = Date.now() + 120_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('nodes not Ready within 120 s of docker-compose up');
    spawnSync('sleep', ['0.2']);
  }
  upSeconds = (Date.now() - start) / 1000;
  process.stdout.write(`docker-compose up -d to 2 Ready nodes: ${upSeconds.toFixed(1)} s\n`);
}, 900_000);

afterAll(() => {
  spawnSync('docker-compose', ['down', '-v'], { cwd: ROOT, timeout: 300_000 });
}, 300_000);

it('serves the seed examples on localhost:30008 to the admin, and reads to the viewer', async () => {
  expect(upSeconds).toBeGreaterThan(0);
  kubectl('apply', '-f', 'deploy/examples/deployment-definition.yml', '-f', 'deploy/examples/service-definition.yml');
  const answer = await waitFor(
    () => {
      const r = spawnSync('curl', ['-s', '-m', '2', 'http://localhost:30008/'], { encoding: 'utf8' });
      return r.status === 0 && r.stdout.startsWith('hello from') ? r.stdout : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500, what: 'curl localhost:30008' },
  );
  expect(answer).toMatch(/^hello from myapp-deployment-/);
  expect(run('kubectl', ['--kubeconfig', VIEWER, 'get', 'pods', '--no-headers'], 60_000).split('\n').filter(Boolean).length).toBe(3);
});

it('keeps the pods of a kubelet that crashed and was restarted (restart: unless-stopped)', async () => {
  const before = podContainers().sort();
  const kubelet = compose('ps', '-q', 'kubelet-1').trim();
  const startedAt = () => run('docker', ['inspect', '-f', '{{.State.StartedAt}}', kubelet]).trim();
  const firstStart = startedAt();
  // A crash: the process dies under the engine (a `docker kill` would count as a manual stop, which the
  // restart policy leaves stopped), so there is no clean stop and no cleanup.
  process.kill(Number(run('docker', ['inspect', '-f', '{{.State.Pid}}', kubelet]).trim()), 'SIGKILL');
  await waitFor(() => startedAt() !== firstStart && run('docker', ['inspect', '-f', '{{.State.Running}}', kubelet]).trim() === 'true', {
    timeoutMs: 60_000,
    what: 'the engine restarting kubelet-1',
  });
  await waitFor(() => /node-1\s+Ready/.test(kubectl('get', 'nodes')), { timeoutMs: 60_000, what: 'node-1 Ready again' });
  await new Promise((r) => setTimeout(r, 3000)); // a relist or two
  expect(podContainers().sort()).toEqual(before);
});

it('leaves nothing behind after docker-compose down -v', () => {
  compose('down', '-v');
  expect(podContainers()).toEqual([]);
  expect(run('docker', ['network', 'ls', '--format', '{{.Name}}'])).not.toMatch(/kube-pods/);
  expect(spawnSync('ip', ['link', 'show', 'kube-ipvs0']).status).not.toBe(0);
  expect(run('ip', ['route', 'show', 'type', 'unreachable'])).toBe('');
});
