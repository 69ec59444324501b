// A highly available control plane on machines (`npm run test:multihost`): three control-plane machines
// and a worker, each a network namespace on one bridge. The first control plane is installed with
// --upload-certs and prints the control-plane join command; the two others join with it (discovery with
// the CA pin, the certificates downloaded and decrypted, their own etcd member added over TLS). Proves:
// with a Deployment of 6 running and a writer creating a ConfigMap every 100 ms, every process of the
// machine holding the leader leases is killed at once: writes stop for a few seconds at most, no
// acknowledged write is lost, the scheduler's and the controller-manager's leases move to the other
// machines, the pods keep running and a NodePort keeps answering; the machine comes back and its etcd
// member catches up; another control plane then leaves with --leave and the two left still have quorum.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ConfigMap } from '../../shared/api/core';
import { ConfigMaps } from '../../shared/api/resources';
import { Client } from '../../shared/client';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { kubectlBinary, waitFor } from '../processes';
import {
  inMachine,
  install,
  joinHostToNetwork,
  Machine,
  machine,
  runInstaller,
  setUpNetwork,
  startDocker,
  startUnit,
  stopProcesses,
  tearDown,
} from './machines';

const controlPlanes = [machine('cp1', 10), machine('cp2', 11), machine('cp3', 12)];
const [cp1, cp2, cp3] = controlPlanes;
const worker = machine('w1', 21);
const all = [...controlPlanes, worker];
const imagesDir = '/tmp/mkmh-images';
const NS = 'ha';
const apiserverURL = (m: Machine) => `https://${m.ip}:6443`;
/** The units each control plane runs. */
const units = new Map<Machine, string[]>();

const dataDir = (m: Machine) => path.join(m.dir, 'data');
/** kubectl in a machine, with its own admin kubeconfig (its own apiserver). */
const kubectl = (m: Machine, args: string[], input?: string) =>
  inMachine(m, kubectlBinary(), ['--kubeconfig', path.join(dataDir(m), 'kubeconfig'), ...args], input);
const json = (m: Machine, ...args: string[]) => JSON.parse(kubectl(m, [...args, '-o', 'json']));
const etcdctl = (m: Machine, args: string[]) =>
  inMachine(m, 'etcdctl', [
    '--endpoints=https://127.0.0.1:2379',
    `--cacert=${path.join(dataDir(m), 'pki', 'ca.crt')}`,
    `--cert=${path.join(dataDir(m), 'pki', 'apiserver-etcd-client.crt')}`,
    `--key=${path.join(dataDir(m), 'pki', 'apiserver-etcd-client.key')}`,
    ...args,
  ]);
const memberNames = (m: Machine) =>
  (JSON.parse(etcdctl(m, ['member', 'list', '-w', 'json'])).members as { name: string }[]).map((x) => x.name).sort();
const endpointIPs = (m: Machine) =>
  (json(m, 'get', 'endpoints', 'kubernetes').subsets?.[0]?.addresses ?? []).map((a: { ip: string }) => a.ip).sort();

/** The machine running the process holding a kube-system Lease (identity `<hostname>_<pid>`), and since when. */
function leaseHolder(from: Machine, lease: string): { machine?: Machine; identity: string } {
  const identity: string = json(from, '-n', 'kube-system', 'get', 'lease', lease).spec.holderIdentity ?? '';
  const pid = Number(identity.split('_').pop());
  return { machine: controlPlanes.find((m) => m.processes.some((p) => p.pid === pid)), identity };
}

function installControlPlane(m: Machine, args: string[]): string {
  const out = install(m, 'control-plane', [`--node-name=${m.name}`, ...args]);
  units.set(m, /^units: (.*)$/m.exec(out)![1].split(' '));
  return out;
}

/** Kills every process of a machine at once, as a power cut would (SIGKILL, no clean shutdown). */
async function killMachine(m: Machine): Promise<void> {
  const exits = m.processes.filter((p) => p.exitCode === null && p.signalCode === null).map((p) => new Promise((r) => p.once('exit', r)));
  for (const p of m.processes) p.kill('SIGKILL');
  await Promise.all(exits);
  m.processes.length = 0;
}

/** Creates a ConfigMap every 100 ms until stopped; what was acknowledged, and the longest time without an acknowledgement. */
function startWriter(client: Client) {
  const acked: string[] = [];
  let lastAck = Date.now();
  let longestGapMs = 0;
  let failures = 0;
  let running = true;
  const done = (async () => {
    for (let n = 0; running; n++) {
      const started = Date.now();
      try {
        await client.resource<ConfigMap>(ConfigMaps).create({ metadata: { name: `w-${n}`, namespace: NS }, data: { n: String(n) } });
        acked.push(`w-${n}`);
        longestGapMs = Math.max(longestGapMs, Date.now() - lastAck);
        lastAck = Date.now();
      } catch {
        failures++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
    }
  })();
  return {
    acked,
    stop: async () => {
      running = false;
      await done;
      return { longestGapMs: Math.max(longestGapMs, Date.now() - lastAck), failures };
    },
  };
}

let controlPlaneJoin: RegExpExecArray;
let nodePort = 0;

beforeAll(async () => {
  tearDown(all);
  setUpNetwork(all);
  joinHostToNetwork();
  fs.mkdirSync(imagesDir, { recursive: true });
  execFileSync('docker', ['save', '-o', path.join(imagesDir, 'images.tar'), 'busybox:latest', 'registry.k8s.io/pause:3.9']);
  const docker = startDocker(worker, '198.18.95.1/24', path.join(imagesDir, 'images.tar'));

  installControlPlane(cp1, []);
  const out = runInstaller(cp1, 'bootstrap-token', ['--upload-certs']);
  controlPlaneJoin = /--role control-plane --join (\S+) --token (\S+) --discovery-token-ca-cert-hash (\S+) --certificate-key (\S+)/.exec(
    out,
  )!;
  const workerJoin = /--server (\S+) --token (\S+) --discovery-token-ca-cert-hash (\S+)/.exec(out)!;
  const [, server, token, hash, key] = controlPlaneJoin;
  for (const m of [cp2, cp3]) {
    const args = [`--join=${server}`, `--token=${token}`, `--discovery-token-ca-cert-hash=${hash}`, `--certificate-key=${key}`];
    installControlPlane(m, args);
    // Waits for its apiserver: etcd admits the next member only once this one has started.
    runInstaller(m, 'bootstrap-token', args);
  }
  await docker;
  install(worker, 'worker', [
    `--server=${workerJoin[1]}`,
    `--token=${workerJoin[2]}`,
    `--discovery-token-ca-cert-hash=${workerJoin[3]}`,
    `--node-name=${worker.name}`,
    `--docker-endpoint=unix://${worker.dockerSocket}`,
  ]);
  await waitFor(() => json(cp1, 'get', 'node', worker.name).status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'), {
    timeoutMs: 90_000,
    intervalMs: 1000,
    what: 'the worker Ready',
  });
  kubectl(cp1, ['create', 'namespace', NS]);
}, 300_000);

afterAll(async () => {
  for (const m of [worker, ...controlPlanes]) await stopProcesses(m);
  tearDown(all);
  fs.rmSync(imagesDir, { recursive: true, force: true });
}, 120_000);

it('printed the control-plane join command, and each joiner made an etcd member of its own and serves the API', async () => {
  expect(controlPlaneJoin[1]).toBe(apiserverURL(cp1));
  expect(controlPlaneJoin[4]).toMatch(/^[0-9a-f]{64}$/);
  expect(memberNames(cp1)).toEqual(['cp1', 'cp2', 'cp3']);
  await waitFor(() => JSON.stringify(endpointIPs(cp3)) === JSON.stringify(controlPlanes.map((m) => m.ip)), {
    what: 'three apiservers in the kubernetes endpoints',
  });
  // The CA is the first machine's; the serving certificates are each machine's own. The components'
  // kubeconfigs list the apiservers there were when the machine joined (the clients find later ones in
  // the kubernetes endpoints).
  for (const [m, apiservers] of [
    [cp2, [cp1, cp2]],
    [cp3, [cp1, cp2, cp3]],
  ] as const) {
    const pki = (of: Machine, file: string) => fs.readFileSync(path.join(dataDir(of), 'pki', file));
    expect(pki(m, 'ca.key')).toEqual(pki(cp1, 'ca.key'));
    expect(pki(m, 'apiserver.crt')).not.toEqual(pki(cp1, 'apiserver.crt'));
    const kubeconfig = loadKubeconfig(path.join(dataDir(m), 'components', 'scheduler', 'kubeconfig'));
    expect(kubeconfig.server).toBe(apiserverURL(m));
    expect([kubeconfig.server, ...(kubeconfig.servers ?? [])].sort()).toEqual(apiservers.map(apiserverURL));
  }
});

it('keeps writing, keeps every acknowledged write, moves the leaders and keeps the pods and a NodePort when a control-plane machine dies', async () => {
  kubectl(cp1, [
    '-n',
    NS,
    'create',
    'deployment',
    'web',
    '--image=busybox',
    '--replicas=6',
    '--',
    'sh',
    '-c',
    'echo ok > /tmp/index.html && exec httpd -f -p 8080 -h /tmp',
  ]);
  kubectl(
    cp1,
    ['-n', NS, 'apply', '-f', '-'],
    'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n',
  );
  nodePort = json(cp1, '-n', NS, 'get', 'svc', 'web').spec.ports[0].nodePort;
  const running = (from: Machine) =>
    (json(from, '-n', NS, 'get', 'pods', '-l', 'app=web').items as any[])
      .filter((p) => p.status.phase === 'Running')
      .map((p) => `${p.metadata.uid}/${p.status.containerStatuses[0].restartCount}`)
      .sort();
  const pods = await waitFor(() => running(cp1).length === 6 && running(cp1), {
    timeoutMs: 90_000,
    intervalMs: 1000,
    what: '6 pods running',
  });
  const nodePortAnswers = (from: Machine) => {
    try {
      return inMachine(from, 'curl', ['-s', '-m', '2', `http://${worker.ip}:${nodePort}/index.html`]).trim() === 'ok';
    } catch {
      return false;
    }
  };
  await waitFor(() => nodePortAnswers(cp1), { what: 'the NodePort' });

  const victim = leaseHolder(cp1, 'kube-scheduler').machine!;
  expect(victim).toBeDefined();
  const [alive] = controlPlanes.filter((m) => m !== victim);
  const before = { scheduler: leaseHolder(alive, 'kube-scheduler'), controllerManager: leaseHolder(alive, 'kube-controller-manager') };

  const client = new Client({ ...loadKubeconfig(path.join(dataDir(cp1), 'kubeconfig')), servers: [cp2, cp3].map(apiserverURL) });
  const writer = startWriter(client);
  await new Promise((r) => setTimeout(r, 3000));
  const killedAt = Date.now();
  await killMachine(victim);
  expect(nodePortAnswers(alive)).toBe(true);

  const moved = async (lease: string, was: { identity: string }) => {
    await waitFor(
      () => {
        const now = leaseHolder(alive, lease);
        return now.identity !== was.identity && now.machine && now.machine !== victim;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `${lease} led from another machine` },
    );
    return Date.now() - killedAt;
  };
  const [schedulerMoveMs, controllerManagerMoveMs] = await Promise.all([
    moved('kube-scheduler', before.scheduler),
    before.controllerManager.machine === victim ? moved('kube-controller-manager', before.controllerManager) : Promise.resolve(0),
  ]);
  await new Promise((r) => setTimeout(r, 3000));
  const { longestGapMs, failures } = await writer.stop();
  process.stdout.write(
    `HA: ${victim.name} killed; longest write gap ${longestGapMs} ms (${failures} failed writes, ${writer.acked.length} acknowledged); ` +
      `kube-scheduler lease moved after ${schedulerMoveMs} ms, kube-controller-manager after ${controllerManagerMoveMs || 'no move needed:'} ms\n`,
  );
  expect(longestGapMs).toBeLessThan(10_000);

  const stored = new Set((json(alive, '-n', NS, 'get', 'configmaps').items as ConfigMap[]).map((c) => c.metadata.name));
  expect(writer.acked.filter((n) => !stored.has(n))).toEqual([]);
  expect(running(alive)).toEqual(pods);
  expect(nodePortAnswers(alive)).toBe(true);

  // The machine comes back (same data): its etcd member catches up with what was written meanwhile.
  for (const unit of units.get(victim)!) startUnit(victim, unit);
  const last = writer.acked[writer.acked.length - 1];
  await waitFor(
    () => etcdctl(victim, ['get', `/registry/core/configmaps/${NS}/${last}`, '--consistency=s', '--keys-only']).includes(last),
    {
      timeoutMs: 60_000,
      intervalMs: 1000,
      what: `${victim.name}'s etcd member caught up`,
    },
  );
  await waitFor(() => JSON.stringify(endpointIPs(victim)) === JSON.stringify(controlPlanes.map((m) => m.ip)), {
    timeoutMs: 60_000,
    intervalMs: 1000,
    what: `${victim.name}'s apiserver back in the kubernetes endpoints`,
  });
});

it('lets a control plane leave: its etcd member removed, its apiserver out of the endpoints, the two left keep quorum', async () => {
  const leaving = cp3;
  const [stays] = controlPlanes.filter((m) => m !== leaving);
  // As install.sh --leave: everything but etcd stops (the apiserver cleanly, out of the endpoints), then
  // the member goes, asking its own etcd; then etcd stops and the units and the data go.
  await stopProcesses(
    leaving,
    leaving.processes.filter((p) => !p.spawnargs.includes('/usr/bin/etcd')),
  );
  const out = runInstaller(leaving, 'control-plane', ['--leave']);
  expect(out).toMatch(/^\[etcd\] removed member cp3 \(\d+\): cp1, cp2 remain$/m);
  expect(/^units: (.*)$/m.exec(out)![1].split(' ').sort()).toEqual([...units.get(leaving)!].sort());
  await stopProcesses(leaving);
  fs.rmSync(leaving.dir, { recursive: true, force: true });

  expect(memberNames(stays)).toEqual(['cp1', 'cp2']);
  await waitFor(() => JSON.stringify(endpointIPs(stays)) === JSON.stringify([cp1.ip, cp2.ip]), {
    timeoutMs: 30_000,
    what: 'cp3 out of the kubernetes endpoints',
  });
  kubectl(stays, ['-n', NS, 'create', 'configmap', 'after-leave', '--from-literal=ok=1']);
  expect(json(cp2, '-n', NS, 'get', 'configmap', 'after-leave').data).toEqual({ ok: '1' });
});
