// kube-proxy --proxy-mode=iptables end to end, on the e2e cluster: the launcher's (userspace) kube-proxy is
// held and one in iptables mode, with the same command line, serves the host instead
// (test/iptablesproxy.ts). Real pods, real kubectl, curl from the host and wget from a pod; the rules are
// read back with iptables-save. Its NodePorts are also opened on the pod network's gateway (the node's
// address as pods see it: in this one-machine layout the node IP is 127.0.0.1, which a pod cannot reach).
import { execFileSync, spawnSync } from 'node:child_process';
import { IptablesKubeProxy } from '../iptablesproxy';
import { DATA_DIR, httpApp as app, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';
import path from 'node:path';

let ns: string;
let proxy: IptablesKubeProxy;
let gateway: string;

const k = (...args: string[]) => kubectlOk(['-n', ns, ...args]);
const json = (...args: string[]) => JSON.parse(k(...args, '-o', 'json'));
const curl = (url: string) => spawnSync('curl', ['-s', '-m', '3', url], { encoding: 'utf8' }).stdout.trim();
const fromHost = (url: string, n: number) => Array.from({ length: n }, () => curl(url));
/** `n` GETs from the client pod, one wget each, in one `docker exec`. */
function fromPod(url: string, n: number): string[] {
  const pod = json('get', 'pods', '-l', 'app=client').items[0];
  const id = pod.status.containerStatuses[0].containerID.replace('docker://', '');
  const loop = `for i in $(seq ${n}); do wget -q -O - ${url} || echo failed; done`;
  return spawnSync('docker', ['exec', id, 'sh', '-c', loop], { encoding: 'utf8' }).stdout.trim().split('\n');
}
const save = (table?: string) => execFileSync('iptables-save', table ? ['-t', table] : [], { encoding: 'utf8' });
/** The DNAT rules (one per endpoint) of the Service web. */
const endpointRules = () =>
  save('nat')
    .split('\n')
    .filter((l) => l.startsWith('-A KUBE-SEP-') && l.includes(`${ns}/web:`) && l.includes('-j DNAT'));
const rollout = (name: string) => k('rollout', 'status', `deployment/${name}`, '--timeout=90s');

let clusterIP: string;
let nodePort: number;

beforeAll(async () => {
  ns = uniqueNamespace('ipt');
  kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: app('web', 2) });
  kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: app('client', 1) });
  kubectlOk(['-n', ns, 'apply', '-f', '-'], {
    input:
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n',
  });
  rollout('web');
  rollout('client');
  // Once the pods run, the pod network exists (a kubelet makes it with the first pod) and its bridge has
  // its address (kube-proxy reads its node addresses at start).
  gateway = execFileSync('docker', ['network', 'inspect', 'kube-pods', '-f', '{{(index .IPAM.Config 0).Gateway}}'], {
    encoding: 'utf8',
  }).trim();
  proxy = await IptablesKubeProxy.takeOver(path.join(DATA_DIR, 'run'), [`--nodeport-addresses=127.0.0.1/32,${gateway}/32`]);
  const svc = json('get', 'svc', 'web');
  clusterIP = svc.spec.clusterIP;
  nodePort = svc.spec.ports[0].nodePort;
}, 180_000);

afterAll(async () => {
  await proxy?.giveBack();
  kubectl(['delete', 'namespace', ns, '--wait=false']);
}, 90_000);

describe('kube-proxy --proxy-mode=iptables', () => {
  it('serves the ClusterIP and the NodePort from the host and from a pod through the nat table', async () => {
    await waitFor(() => endpointRules().length === 2, { what: 'two KUBE-SEP DNAT rules for web' });
    const portal = save('nat')
      .split('\n')
      .filter((l) => l.startsWith('-A KUBE-SERVICES') && l.includes(`-d ${clusterIP}/32`) && l.includes(`${ns}/web: cluster IP`));
    expect(portal).toHaveLength(1);
    expect(portal[0]).toMatch(/--dport 80 -j KUBE-SVC-[A-Z2-7]{16}$/);
    await waitFor(() => curl(`http://${clusterIP}/index.html`).startsWith('web-'), { what: 'the ClusterIP from the host' });
    const seen = new Set([
      ...fromHost(`http://${clusterIP}/index.html`, 20),
      ...fromHost(`http://127.0.0.1:${nodePort}/index.html`, 20),
      ...fromHost(`http://${gateway}:${nodePort}/index.html`, 10),
    ]);
    expect([...seen].sort()).toEqual(
      json('get', 'pods', '-l', 'app=web')
        .items.map((p: { metadata: { name: string } }) => p.metadata.name)
        .sort(),
    );
    const inPod = new Set([...fromPod(`http://${clusterIP}/index.html`, 10), ...fromPod(`http://${gateway}:${nodePort}/index.html`, 10)]);
    expect(inPod.size).toBe(2);
    expect([...inPod].every((h) => h.startsWith('web-'))).toBe(true);
  });

  it('follows the endpoints as the Deployment scales up', async () => {
    k('scale', 'deployment/web', '--replicas=3');
    rollout('web');
    await waitFor(() => endpointRules().length === 3, { timeoutMs: 60_000, what: 'three KUBE-SEP DNAT rules' });
    const seen = new Set(fromHost(`http://${clusterIP}/index.html`, 40));
    expect(seen.size).toBe(3);
  });

  it('keeps a client on one pod with sessionAffinity ClientIP, from the host and from a pod', async () => {
    k('patch', 'service', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}');
    await waitFor(() => save('nat').includes('--rcheck'), { what: 'the recent-module affinity rules' });
    expect(new Set(fromHost(`http://127.0.0.1:${nodePort}/index.html`, 15)).size).toBe(1);
    expect(new Set(fromHost(`http://${clusterIP}/index.html`, 15)).size).toBe(1);
    const inPod = new Set(fromPod(`http://${clusterIP}/index.html`, 15));
    expect(inPod.size).toBe(1);
    expect([...inPod][0]).toMatch(/^web-/);
  });

  it('follows the endpoints as the Deployment scales down', async () => {
    k('patch', 'service', 'web', '-p', '{"spec":{"sessionAffinity":"None"}}');
    k('scale', 'deployment/web', '--replicas=1');
    await waitFor(() => endpointRules().length === 1, { timeoutMs: 60_000, what: 'one KUBE-SEP DNAT rule' });
    const left = json('get', 'endpoints', 'web').subsets[0].addresses[0].targetRef.name;
    expect(new Set(fromHost(`http://${clusterIP}/index.html`, 10))).toEqual(new Set([left]));
  });

  it('removes every KUBE-* chain and rule on a clean stop', async () => {
    await proxy.stop('SIGTERM');
    expect(
      save()
        .split('\n')
        .filter((l) => l.includes('KUBE-')),
    ).toEqual([]);
  });

  it('reconciles after a crash: stale chains go, the jumps are not doubled, endpoints changed meanwhile are followed', async () => {
    await proxy.start();
    await waitFor(() => curl(`http://${clusterIP}/index.html`).startsWith('web-'), { what: 'the ClusterIP again' });
    await proxy.stop('SIGKILL'); // a crash: the rules stay behind
    expect(endpointRules()).toHaveLength(1);
    const stale = 'KUBE-SVC-STALESTALESTALE';
    execFileSync('iptables', ['-t', 'nat', '-N', stale]);
    execFileSync('iptables', ['-t', 'nat', '-A', 'KUBE-SERVICES', '-d', '10.111.222.44/32', '-p', 'tcp', '--dport', '80', '-j', stale]);
    k('scale', 'deployment/web', '--replicas=2');
    rollout('web');
    await proxy.start();
    await waitFor(() => endpointRules().length === 2 && !save('nat').includes(stale), {
      what: 'the stale chain gone and two endpoints',
    });
    const jumps = (table: string, chain: string, target: string) =>
      execFileSync('iptables', ['-t', table, '-S', chain], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.endsWith(`-j ${target}`)).length;
    expect([
      jumps('nat', 'PREROUTING', 'KUBE-SERVICES'),
      jumps('nat', 'OUTPUT', 'KUBE-SERVICES'),
      jumps('nat', 'POSTROUTING', 'KUBE-POSTROUTING'),
      jumps('filter', 'INPUT', 'KUBE-FIREWALL'),
    ]).toEqual([1, 1, 1, 1]);
    expect(new Set(fromHost(`http://127.0.0.1:${nodePort}/index.html`, 20)).size).toBe(2);
  });
});
