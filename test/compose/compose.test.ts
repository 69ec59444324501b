// The laptop path, as the README tells it, with no registry: deploy/airgap/prepare.sh, then
// `docker-compose up -d`, the admin kubeconfig in .data/, every service running under a restart policy
// and holding only its own credentials, the seed examples answering on localhost:30008, a crashed kubelet
// restarted by its restart policy adopting its pods, a StatefulSet keeping its data on a local-path volume,
// a CustomResourceDefinition served, and `docker-compose down -v` leaving no pod
// container, network, interface or route behind.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { dashboardProxyURL } from '../../deploy/local/components';
import { loadTokenFile } from '../../shared/tokenfile';
import { kubeletRelists, startsCounter } from '../e2e/cluster';
import { kubectlBinary, ROOT, waitFor } from '../processes';

const KUBECONFIG = path.join(ROOT, '.data', 'kubeconfig');
const VIEWER = path.join(ROOT, '.data', 'kubeconfig-viewer');
const run = (cmd: string, args: string[], timeout = 600_000, input?: string) =>
  execFileSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout,
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
const compose = (...args: string[]) => run('docker-compose', args);
const kubectl = (...args: string[]) => run(kubectlBinary(), ['--kubeconfig', KUBECONFIG, ...args], 60_000);
const podContainers = () => run('docker', ['ps', '-aq', '--filter', 'label=io.kubernetes.pod.namespace']).split('\n').filter(Boolean);

beforeAll(() => {
  run('bash', ['deploy/airgap/prepare.sh']);
  compose('build');
  const start = Date.now();
  compose('up', '-d');
  // Nodes Ready, measured from `up`: the README promises it within 15 s.
  const ready = () => {
    const r = spawnSync(kubectlBinary(), ['--kubeconfig', KUBECONFIG, 'get', 'nodes', '--no-headers'], { encoding: 'utf8' });
    return r.status === 0 && (r.stdout.match(/ Ready /g) ?? []).length === 2;
  };
  const deadline = Date.now() + 120_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('nodes not Ready within 120 s of docker-compose up');
    spawnSync('sleep', ['0.2']);
  }
  process.stdout.write(`docker-compose up -d to 2 Ready nodes: ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
}, 900_000);

afterAll(() => {
  spawnSync('docker-compose', ['down', '-v'], { cwd: ROOT, timeout: 300_000 });
}, 300_000);

/** The container of each service, with its restart policy and state. */
function services(): { service: string; id: string; restart: string; state: string; exitCode: number }[] {
  return compose('ps', '-q', '-a')
    .split('\n')
    .filter(Boolean)
    .map((id) => {
      const [service, restart, state, exitCode] = run('docker', [
        'inspect',
        '-f',
        '{{index .Config.Labels "com.docker.compose.service"}} {{.HostConfig.RestartPolicy.Name}} {{.State.Status}} {{.State.ExitCode}}',
        id,
      ])
        .trim()
        .split(' ');
      return { service, id, restart, state, exitCode: Number(exitCode) };
    });
}

it('runs every service under the restart policy, after the pki service made the credentials', () => {
  const all = services();
  expect(all.map((s) => s.service).sort()).toEqual(
    ['apiserver', 'controller-manager', 'etcd', 'kube-proxy', 'kubelet-1', 'kubelet-2', 'pki', 'scheduler'].sort(),
  );
  for (const s of all) {
    if (s.service === 'pki') expect(s).toMatchObject({ restart: 'no', state: 'exited', exitCode: 0 });
    else expect(s).toMatchObject({ restart: 'unless-stopped', state: 'running' });
  }
});

/**
 * The secrets a container can read: a scan of its whole filesystem (mounts included) for the CA's key
 * and for each token of the token file, by the user it belongs to. etcd's image holds only etcd (no
 * shell, no node), so its mounts are scanned from a container of the cluster image that borrows them.
 */
function secretsReadableIn(service: string, id: string): string[] {
  const needles: Record<string, string> = {
    'the CA key': fs.readFileSync(path.join(ROOT, '.data', 'pki', 'ca.key'), 'utf8').split('\n')[1],
  };
  for (const [token, user] of loadTokenFile(path.join(ROOT, '.data', 'pki', 'tokens.csv')))
    needles[`the token of ${user.username}`] = token;
  const scan = `
    const fs = require('fs'), path = require('path');
    const needles = JSON.parse(process.env.NEEDLES), found = new Set();
    const walk = (dir) => {
      let entries = [];
      try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch {}
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (['/proc', '/sys', '/dev'].includes(p)) continue;
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          try {
            if (fs.statSync(p).size > 1 << 20) continue;
            const text = fs.readFileSync(p, 'latin1');
            for (const [what, needle] of Object.entries(needles)) if (text.includes(needle)) found.add(what);
          } catch {}
        }
      }
    };
    walk('/');
    console.log(JSON.stringify([...found].sort()));`;
  const env = ['-e', `NEEDLES=${JSON.stringify(needles)}`];
  const out =
    service === 'etcd'
      ? run('docker', [
          'run',
          '--rm',
          '--network',
          'none',
          '--volumes-from',
          id,
          ...env,
          '--entrypoint',
          'node',
          'mini-k8s/cluster:dev',
          '-e',
          scan,
        ])
      : run('docker', ['exec', ...env, id, 'node', '-e', scan]);
  return JSON.parse(out);
}

it('gives each container its own credentials only: no CA key anywhere, no token of another component', () => {
  const own: Record<string, string[]> = {
    // The apiserver authenticates every token: it holds the token file (and no CA key).
    apiserver: Object.values(
      Object.fromEntries(
        [...loadTokenFile(path.join(ROOT, '.data', 'pki', 'tokens.csv'))].map(([, u]) => [u.username, `the token of ${u.username}`]),
      ),
    ),
    etcd: [],
    scheduler: ['the token of system:kube-scheduler'],
    'controller-manager': ['the token of system:kube-controller-manager'],
    'kube-proxy': ['the token of system:kube-proxy'],
    'kubelet-1': ['the token of system:node:node-1'],
    'kubelet-2': ['the token of system:node:node-2'],
  };
  const running = services().filter((s) => s.state === 'running');
  expect(running).toHaveLength(Object.keys(own).length);
  for (const s of running)
    expect({ service: s.service, readable: secretsReadableIn(s.service, s.id) }).toEqual({
      service: s.service,
      readable: own[s.service].sort(),
    });
});

it('serves the seed examples on localhost:30008 to the admin, and reads to the viewer', async () => {
  kubectl('apply', '-f', 'deploy/examples/deployment-definition.yml', '-f', 'deploy/examples/service-definition.yml');
  const answer = await waitFor(
    () => {
      const r = spawnSync('curl', ['-s', '-m', '2', 'http://localhost:30008/'], { encoding: 'utf8' });
      return r.status === 0 && r.stdout.startsWith('hello from') ? r.stdout : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500, what: 'curl localhost:30008' },
  );
  expect(answer).toMatch(/^hello from myapp-deployment-/);
  expect(run(kubectlBinary(), ['--kubeconfig', VIEWER, 'get', 'pods', '--no-headers'], 60_000).split('\n').filter(Boolean).length).toBe(3);
});

it('keeps the pods of a kubelet that crashed and was restarted (restart: unless-stopped)', async () => {
  // Every pod's containers first: one answer on the NodePort does not mean all three pods have started,
  // and the dashboard add-on's pod (kube-system) may still be starting on a busy machine.
  kubectl('-n', 'kube-system', 'rollout', 'status', 'deployment/dashboard', '--timeout=55s');
  kubectl('wait', '--for=condition=Ready', 'pods', '--all', '--all-namespaces', '--timeout=50s');
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
  await waitFor(() => kubeletRelists('node-1', (args) => kubectl(...args)) >= 3, {
    timeoutMs: 60_000,
    what: 'three relists of the new kubelet',
  });
  expect(podContainers().sort()).toEqual(before);
});

const statefulSet = `apiVersion: v1
kind: Service
metadata: {name: counter}
spec: {clusterIP: None, selector: {app: counter}}
---
${startsCounter('counter', 'OrderedReady')}`;

it("keeps a StatefulSet pod's data on a local-path volume when the pod is replaced, and removes it with the claim", async () => {
  run(kubectlBinary(), ['--kubeconfig', KUBECONFIG, 'apply', '-f', '-'], 60_000, statefulSet);
  const logs = () => spawnSync(kubectlBinary(), ['--kubeconfig', KUBECONFIG, 'logs', 'counter-0'], { encoding: 'utf8' }).stdout ?? '';
  await waitFor(() => kubectl('get', 'pods', 'counter-1', '-o', 'jsonpath={.status.phase}') === 'Running', {
    timeoutMs: 120_000,
    what: 'counter-0 and counter-1 running (OrderedReady)',
  });
  expect(logs()).toBe('counter-0\n');
  const uid = kubectl('get', 'pod', 'counter-0', '-o', 'jsonpath={.metadata.uid}');
  kubectl('delete', 'pod', 'counter-0');
  await waitFor(() => kubectl('get', 'pod', 'counter-0', '-o', 'jsonpath={.metadata.uid}') !== uid && logs() === 'counter-0\ncounter-0\n', {
    timeoutMs: 120_000,
    what: 'a new counter-0 reading the lines of the old one',
  });
  // The volume is a directory of the host under the controller-manager's --local-path-root.
  const volume = kubectl('get', 'pvc', 'data-counter-0', '-o', 'jsonpath={.spec.volumeName}');
  const dir = kubectl('get', 'pv', volume, '-o', 'jsonpath={.spec.hostPath.path}');
  expect(dir.startsWith('/var/lib/mini-kubernetes/storage/')).toBe(true);
  expect(fs.readFileSync(path.join(dir, 'starts'), 'utf8')).toBe('counter-0\ncounter-0\n');
  kubectl('delete', 'statefulset', 'counter');
  kubectl('delete', 'pvc', 'data-counter-0', 'data-counter-1');
  await waitFor(() => !fs.existsSync(dir), { timeoutMs: 90_000, what: `reclaim Delete removing ${dir}` });
});

it('serves a CustomResourceDefinition: the kind, its printer columns, validation, and gone with the CRD', async () => {
  kubectl('apply', '-f', 'deploy/examples/website-operator/crd.yaml');
  await waitFor(() => spawnSync(kubectlBinary(), ['--kubeconfig', KUBECONFIG, 'get', 'websites'], { encoding: 'utf8' }).status === 0, {
    what: 'websites in discovery',
  });
  kubectl('apply', '-f', 'deploy/examples/website-operator/website.yaml');
  expect(kubectl('get', 'websites')).toMatch(/^NAME\s+REPLICAS\s+AVAILABLE\s+URL\s+AGE\nhello\s+2\s+/);
  const wrong = spawnSync(
    kubectlBinary(),
    ['--kubeconfig', KUBECONFIG, 'patch', 'website', 'hello', '--type=merge', '-p', '{"spec":{"replicas":"two"}}'],
    {
      encoding: 'utf8',
    },
  );
  expect(wrong.stderr).toMatch(/spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"/);
  kubectl('delete', 'crd', 'websites.examples.mini-kubernetes.io');
  // Fresh discovery (kubectl caches it on disk) no longer has the kind, and its objects are gone.
  await waitFor(() => !kubectl('api-resources', '--api-group=examples.mini-kubernetes.io').includes('websites'), {
    what: 'websites gone from discovery',
  });
  const gone = spawnSync(kubectlBinary(), ['--kubeconfig', KUBECONFIG, 'get', 'websites'], { encoding: 'utf8' });
  expect(gone.stderr).toContain(`the server doesn't have a resource type "websites"`);
});

it("runs the dashboard add-on, whose page answers through the apiserver's service proxy", () => {
  kubectl('-n', 'kube-system', 'rollout', 'status', 'deployment/dashboard', '--timeout=55s');
  expect(kubectl('get', '--raw', new URL(dashboardProxyURL()).pathname)).toContain('<title>mini-kubernetes dashboard</title>');
});

it('leaves nothing behind after docker-compose down -v', () => {
  compose('down', '-v');
  expect(podContainers()).toEqual([]);
  expect(run('docker', ['network', 'ls', '--format', '{{.Name}}'])).not.toMatch(/kube-pods/);
  expect(spawnSync('ip', ['link', 'show', 'kube-ipvs0']).status).not.toBe(0);
  expect(run('ip', ['route', 'show', 'type', 'unreachable'])).toBe('');
});
