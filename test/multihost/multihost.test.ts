// A cluster of three machines on one host (`npm run test:multihost`): a control plane and two workers,
// each a network namespace on one bridge, each worker with its own Docker engine. Every machine is set up
// by the installer (deploy/install/main.js, what deploy/install.sh runs) and its processes are the
// ExecStart lines of the systemd units it wrote. Proves: workers join with a bootstrap token (discovery of
// the signed cluster-info, a CA pin, TLS bootstrapping to a client certificate of their own), and a wrong
// pin or an expired token is refused; nodes get podCIDRs;
// pod-to-pod across machines with the real pod source IP; a NodePort on one machine reaching a pod on the
// other; ClusterIP and DNS across machines; a StatefulSet's data on local-path volumes of its machines, a
// CustomResourceDefinition served; pods leave a machine whose kubelet and engine die.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startsCounter, waitForDefaultServiceAccount } from '../e2e/cluster';
import { kubectlBinary, waitFor } from '../processes';
import { docker, inMachine, install, Machine, machine, runInstaller, setUpNetwork, startDocker, stopProcesses, tearDown } from './machines';

const cp = machine('cp', 10);
const workers = [machine('w1', 11), machine('w2', 12)];
const all = [cp, ...workers];
const imagesDir = '/tmp/mkmh-images';
const NS = 'multihost';

/** The control plane's printed join command: [, server, token, CA hash]. */
let join: RegExpExecArray;
const kubectl = (args: string[], input?: string) =>
  inMachine(cp, kubectlBinary(), ['--kubeconfig', path.join(cp.dir, 'data', 'kubeconfig'), ...args], input);
const json = (...args: string[]) => JSON.parse(kubectl([...args, '-o', 'json']));

/** What a failed installer run said on stderr. */
function installerFails(m: Machine, role: string, args: string[], dataDir: string): string {
  try {
    runInstaller(m, role, args, dataDir);
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
  throw new Error(`${role} ${args.join(' ')} succeeded`);
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

  install(cp, 'control-plane', []);
  const out = runInstaller(cp, 'bootstrap-token', []);
  join = /--server (\S+) --token (\S+) --discovery-token-ca-cert-hash (\S+)/.exec(out)!;
  for (const w of workers) {
    install(w, 'worker', [
      `--server=${join[1]}`,
      `--token=${join[2]}`,
      `--discovery-token-ca-cert-hash=${join[3]}`,
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
  kubectl(waitForDefaultServiceAccount(NS)); // pods are refused until it exists
}, 240_000);

afterAll(async () => {
  for (const m of [...workers, cp]) await stopProcesses(m);
  tearDown(all);
  fs.rmSync(imagesDir, { recursive: true, force: true });
}, 120_000);

it("lists the control plane's apiserver in the kubernetes Service's Endpoints and EndpointSlice (the lease reconciler)", () => {
  const ep = json('get', 'endpoints', 'kubernetes');
  expect(ep.subsets).toEqual([{ addresses: [{ ip: cp.ip }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
  const slice = json('-n', 'default', 'get', 'endpointslice', 'kubernetes');
  expect(slice.endpoints.map((e: any) => e.addresses)).toEqual([[cp.ip]]);
});

describe('joining', () => {
  it('gave each worker its own client certificate through a CSR its bootstrap token sent', () => {
    const csrs = json('get', 'csr').items as any[];
    const tokenId = join[2].split('.')[0];
    expect(csrs.map((c) => c.spec.username)).toEqual(workers.map(() => `system:bootstrap:${tokenId}`));
    expect(csrs.every((c) => c.status.certificate && c.status.conditions[0].reason === 'AutoApproved')).toBe(true);
    for (const w of workers) {
      const kubeconfig = fs.readFileSync(path.join(w.dir, 'data', 'components', 'node.kubeconfig'), 'utf8');
      expect(kubeconfig).toContain('client-certificate-data');
      expect(kubeconfig).not.toContain(join[2]);
    }
    const joinFile = path.join(cp.dir, 'data', 'join', 'join.sh');
    expect(fs.statSync(joinFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(joinFile)).mode & 0o777).toBe(0o700);
  });

  it('refuses to join a cluster whose CA does not match the pin', () => {
    const before = json('get', 'csr').items.length;
    const dataDir = path.join(workers[0].dir, 'wrong-pin');
    const stderr = installerFails(
      workers[0],
      'worker',
      [`--server=${join[1]}`, `--token=${join[2]}`, `--discovery-token-ca-cert-hash=sha256:${'0'.repeat(64)}`, '--node-name=intruder'],
      dataDir,
    );
    expect(stderr).toContain(`cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${join[3]}" are pinned`);
    expect(json('get', 'csr').items).toHaveLength(before);
    expect(fs.existsSync(path.join(dataDir, 'components', 'node.kubeconfig'))).toBe(false);
  });

  it('refuses an expired token', async () => {
    const token = runInstaller(cp, 'token', ['create', '--ttl=2s']).trim();
    const id = token.split('.')[0];
    expect(runInstaller(cp, 'token', ['list'])).toContain(token);
    // The token cleaner deletes it once expired: then neither discovery nor the API accept it.
    await waitFor(() => !runInstaller(cp, 'token', ['list']).includes(token), { timeoutMs: 30_000, what: 'the expired token deleted' });
    const stderr = installerFails(
      workers[0],
      'worker',
      [
        `--server=${join[1]}`,
        `--token=${token}`,
        `--discovery-token-ca-cert-hash=${join[3]}`,
        '--node-name=late',
        '--discovery-timeout=3s',
      ],
      path.join(workers[0].dir, 'late'),
    );
    expect(stderr).toContain(`token id "${id}" is invalid for this cluster or it has expired`);
    const admin = fs.readFileSync(path.join(cp.dir, 'data', 'kubeconfig'), 'utf8');
    const withToken = path.join(cp.dir, 'expired.kubeconfig');
    fs.writeFileSync(withToken, admin.replace(/token: \S+/, `token: ${token}`), { mode: 0o600 });
    let refusal = '';
    try {
      inMachine(cp, kubectlBinary(), ['--kubeconfig', withToken, 'get', 'csr']);
    } catch (err) {
      refusal = String((err as { stderr?: string }).stderr);
    }
    expect(refusal.trim()).toBe('error: You must be logged in to the server (Unauthorized)');
  });
});

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

  it("keeps a StatefulSet pod's data on a local-path volume of its machine, and serves a CustomResourceDefinition", async () => {
    kubectl(['-n', NS, 'apply', '-f', '-'], startsCounter('store', 'Parallel'));
    const logs = (pod: string) => {
      try {
        return kubectl(['-n', NS, 'logs', pod]);
      } catch {
        return '';
      }
    };
    await waitFor(() => logs('store-0') === 'store-0\n' && logs('store-1') === 'store-1\n', {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: 'both store pods writing to their volumes',
    });
    // WaitForFirstConsumer: each volume was made on the machine of its pod, and is pinned there.
    const nodeOf = (pod: string) => json('-n', NS, 'get', 'pod', pod).spec.nodeName;
    const pinnedTo = (claim: string) =>
      json('get', 'pv', json('-n', NS, 'get', 'pvc', claim).spec.volumeName).spec.nodeAffinity.required.nodeSelectorTerms[0]
        .matchExpressions[0].values;
    const node = nodeOf('store-0');
    expect(pinnedTo('data-store-0')).toEqual([node]);
    const uid = json('-n', NS, 'get', 'pod', 'store-0').metadata.uid;
    kubectl(['-n', NS, 'delete', 'pod', 'store-0']);
    await waitFor(
      () => {
        try {
          return json('-n', NS, 'get', 'pod', 'store-0').metadata.uid !== uid && logs('store-0') === 'store-0\nstore-0\n';
        } catch {
          return false;
        }
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: 'a new store-0 reading the old one' },
    );
    expect(nodeOf('store-0')).toBe(node);
    kubectl(['-n', NS, 'delete', 'statefulset', 'store']);

    kubectl(['apply', '-f', '-'], fs.readFileSync(path.join(__dirname, '../../deploy/examples/website-operator/crd.yaml'), 'utf8'));
    await waitFor(
      () => {
        try {
          return (
            kubectl(
              ['-n', NS, 'apply', '-f', '-'],
              fs.readFileSync(path.join(__dirname, '../../deploy/examples/website-operator/website.yaml'), 'utf8'),
            ).length > 0
          );
        } catch {
          return false;
        }
      },
      { what: 'websites served' },
    );
    expect(kubectl(['-n', NS, 'get', 'websites'])).toMatch(/^NAME\s+REPLICAS\s+AVAILABLE\s+URL\s+AGE\nhello\s+2\s+/);
    kubectl(['delete', 'crd', 'websites.examples.mini-kubernetes.io']);
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
