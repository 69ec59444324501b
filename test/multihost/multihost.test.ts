// A cluster of three machines on one host (`npm run test:multihost`): a control plane and two workers,
// each a network namespace on one bridge, each worker with its own Docker engine. Every machine is set up
// by the installer (deploy/install/main.js, what deploy/install.sh runs) and its processes are the
// ExecStart lines of the systemd units it wrote. Proves: nodes join with their tokens and get podCIDRs;
// pod-to-pod across machines with the real pod source IP; a NodePort on one machine reaching a pod on the
// other; ClusterIP and DNS across machines; pods leave a machine whose kubelet and engine die.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { execStartOf } from '../../deploy/install/units';
import { DIST, waitFor } from '../processes';
import { docker, inMachine, Machine, machine, setUpNetwork, startDocker, startIn, stopProcesses, tearDown } from './machines';

const CLUSTER_CIDR = '10.245.0.0/16';
const cp = machine('cp', 10);
const workers = [machine('w1', 11), machine('w2', 12)];
const all = [cp, ...workers];
const installer = path.join(DIST, 'deploy', 'install', 'main.js');
const imagesDir = '/tmp/mkmh-images';
const NS = 'multihost';

const kubectl = (args: string[], input?: string) =>
  inMachine(cp, 'kubectl', ['--kubeconfig', path.join(cp.dir, 'data', 'kubeconfig'), ...args], input);
const json = (...args: string[]) => JSON.parse(kubectl([...args, '-o', 'json']));

/** Writes the machine's units with the installer, then starts each unit's command in the machine. */
function install(m: Machine, role: string, args: string[]): string {
  const out = inMachine(m, process.execPath, [
    installer,
    role,
    `--data-dir=${path.join(m.dir, 'data')}`,
    `--units-dir=${path.join(m.dir, 'units')}`,
    `--advertise-address=${m.ip}`,
    `--cluster-cidr=${CLUSTER_CIDR}`,
    ...args,
  ]);
  const units = /^units: (.*)$/m.exec(out)![1].split(' ');
  for (const unit of units) startIn(m, unit, execStartOf(fs.readFileSync(path.join(m.dir, 'units', `${unit}.service`), 'utf8')));
  return out;
}

/** A pod pinned to a node whose busybox httpd answers /cgi-bin/ip with the caller's address. */
const echoPod = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\\\necho Content-Type: text/plain\\\\necho\\\\necho $REMOTE_ADDR\\\\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && exec httpd -f -p 8080 -h /www"]
    ports: [{containerPort: 8080, name: http}]
`;

/** busybox httpd listens on IPv6 too and reports IPv4 callers as `[::ffff:a.b.c.d]`. */
const ipv4 = (remoteAddr: string) => remoteAddr.replace(/^\[::ffff:(.*)\]$/, '$1');

/** Runs a command in a pod's container through its machine's engine. */
function execInPod(pod: string, command: string[]): string {
  const p = json('-n', NS, 'get', 'pod', pod);
  const m = workers.find((w) => w.name === p.spec.nodeName)!;
  const id = p.status.containerStatuses[0].containerID.replace('docker://', '');
  return docker(m, ['exec', id, ...command]).trim();
}

beforeAll(async () => {
  tearDown(all);
  setUpNetwork(all);
  fs.mkdirSync(imagesDir, { recursive: true });
  execFileSync('docker', ['save', '-o', path.join(imagesDir, 'images.tar'), 'busybox:latest', 'registry.k8s.io/pause:3.9']);
  await Promise.all(workers.map((w, i) => startDocker(w, `198.18.${90 + i}.1/24`, path.join(imagesDir, 'images.tar'))));

  const out = install(cp, 'control-plane', [`--nodes=${workers.map((w) => w.name).join(',')}`]);
  inMachine(cp, process.execPath, [installer, 'publish-cluster-info', `--data-dir=${path.join(cp.dir, 'data')}`]);
  for (const w of workers) {
    const join = new RegExp(`^join ${w.name}: .* --server (\\S+) --token (\\S+) --ca-cert-hash (\\S+)`, 'm').exec(out)!;
    install(w, 'worker', [
      `--server=${join[1]}`,
      `--token=${join[2]}`,
      `--ca-cert-hash=${join[3]}`,
      `--node-name=${w.name}`,
      `--docker-endpoint=unix://${w.dockerSocket}`,
    ]);
  }
  await waitFor(
    () => {
      const nodes = json('get', 'nodes').items;
      return (
        nodes.length === 2 &&
        nodes.every((n: any) => n.spec.podCIDR && n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'))
      );
    },
    { timeoutMs: 90_000, intervalMs: 1000, what: 'both workers Ready with podCIDRs' },
  );
  kubectl(['create', 'namespace', NS]);
}, 240_000);

afterAll(async () => {
  for (const m of [...workers, cp]) await stopProcesses(m);
  tearDown(all);
  fs.rmSync(imagesDir, { recursive: true, force: true });
  fs.rmSync(`/run/mini-kubernetes/routes/${CLUSTER_CIDR.replace('/', '_')}`, { recursive: true, force: true });
}, 120_000);

describe('three machines', () => {
  it("routes each worker's podCIDR via the other worker", async () => {
    const nodes = json('get', 'nodes').items as any[];
    for (const w of workers) {
      const other = nodes.find((n) => n.metadata.name !== w.name);
      const route = `${other.spec.podCIDR} via ${other.status.addresses.find((a: any) => a.type === 'InternalIP').address}`;
      await waitFor(() => inMachine(w, 'ip', ['route', 'show', 'proto', '77']).includes(route), { what: `${w.name}: ${route}` });
    }
  });

  it('connects pods across machines with their real IPs', async () => {
    kubectl(['-n', NS, 'apply', '-f', '-'], `${echoPod('a', 'w1')}---\n${echoPod('b', 'w2')}`);
    await waitFor(() => ['a', 'b'].every((p) => json('-n', NS, 'get', 'pod', p).status.phase === 'Running'), {
      timeoutMs: 60_000,
      what: 'pods running',
    });
    const [a, b] = ['a', 'b'].map((p) => json('-n', NS, 'get', 'pod', p).status.podIP);
    const seen = await waitFor(() => execInPod('a', ['wget', '-q', '-O', '-', `http://${b}:8080/cgi-bin/ip`]), { what: 'a reaching b' });
    expect(ipv4(seen)).toBe(a);
    expect(ipv4(execInPod('b', ['wget', '-q', '-O', '-', `http://${a}:8080/cgi-bin/ip`]))).toBe(b);
  });

  it('serves a NodePort on one machine from a pod on the other, and ClusterIP and DNS from a pod', async () => {
    kubectl(
      ['-n', NS, 'apply', '-f', '-'],
      'apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec:\n  type: NodePort\n  selector: {app: b}\n  ports: [{port: 80, targetPort: http}]\n',
    );
    const svc = json('-n', NS, 'get', 'svc', 'b');
    const nodePort = svc.spec.ports[0].nodePort;
    // b runs on w2; ask w1's address, from the control plane machine.
    const answer = await waitFor(() => inMachine(cp, 'curl', ['-s', '-m', '3', `http://${workers[0].ip}:${nodePort}/cgi-bin/ip`]).trim(), {
      what: 'the NodePort on w1',
    });
    expect(ipv4(answer)).toBe(workers[0].ip); // kube-proxy on w1 opened the connection to b
    expect(ipv4(execInPod('a', ['wget', '-q', '-O', '-', `http://${svc.spec.clusterIP}/cgi-bin/ip`]))).toBe(workers[0].ip);
    const byName = await waitFor(() => execInPod('a', ['wget', '-q', '-O', '-', `http://b.${NS}.svc.cluster.local/cgi-bin/ip`]), {
      what: 'b by DNS name from a',
    });
    expect(ipv4(byName)).toBe(workers[0].ip);
    expect(execInPod('a', ['nslookup', `b.${NS}.svc.cluster.local`])).toContain(svc.spec.clusterIP);
  });

  it('moves pods off a machine whose kubelet and engine died', async () => {
    kubectl(['-n', NS, 'create', 'deployment', 'moving', '--image=busybox', '--replicas=2', '--', 'sleep', '3600']);
    const pods = () => (json('-n', NS, 'get', 'pods', '-l', 'app=moving').items as any[]).filter((p) => !p.metadata.deletionTimestamp);
    await waitFor(() => pods().filter((p) => p.status.phase === 'Running').length === 2, { timeoutMs: 60_000, what: 'running' });
    const [w1, w2] = workers;
    await stopProcesses(
      w2,
      w2.processes.filter((p) => p.spawnargs.some((a) => a.endsWith('kubelet/main.js') || a === 'dockerd')),
    );
    await waitFor(() => json('get', 'node', 'w2').status.conditions.some((c: any) => c.type === 'Ready' && c.status !== 'True'), {
      timeoutMs: 60_000,
      intervalMs: 1000,
      what: 'w2 NotReady',
    });
    await waitFor(
      () => {
        const running = pods().filter((p) => p.status.phase === 'Running');
        return running.length === 2 && running.every((p) => p.spec.nodeName === w1.name);
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: 'both replicas on w1' },
    );
  });
});
