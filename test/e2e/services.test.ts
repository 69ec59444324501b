// Services through kube-proxy, with the real kubectl and curl: NodePort, ClusterIP (from the host and from
// a pod), LoadBalancer, session affinity, readiness, and a Service without endpoints.
import { execFileSync, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { httpApp as app, kubectl, kubectlOk, uniqueNamespace, waitFor } from './cluster';

let ns: string;
beforeAll(() => {
  ns = uniqueNamespace('svc');
});
afterAll(() => {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
});

const k = (...args: string[]) => kubectlOk(['-n', ns, ...args]);
const json = (...args: string[]) => JSON.parse(k(...args, '-o', 'json'));
const curl = (url: string, ...extra: string[]) => spawnSync('curl', ['-s', '-m', '3', ...extra, url], { encoding: 'utf8' });
const hostnames = (url: string, n: number) => Array.from({ length: n }, () => curl(url).stdout.trim());

/** The sum of a kube-proxy counter's samples (its /metrics on 10249) for a service port, in one direction or all. */
function proxyCounter(metric: string, servicePort: string, direction = ''): number {
  const text = curl('http://127.0.0.1:10249/metrics').stdout;
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${metric}{service="${servicePort}"`) && l.includes(direction))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function rollout(name: string) {
  kubectlOk(['-n', ns, 'rollout', 'status', `deployment/${name}`, '--timeout=90s']);
}

describe('Services', () => {
  let nodePort: number;
  let clusterIP: string;

  it('spreads NodePort requests over the ready pods, and serves the ClusterIP from the host and from a pod', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], { input: app('web', 3) });
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n',
    });
    await rollout('web');
    const svc = json('get', 'svc', 'web');
    nodePort = svc.spec.ports[0].nodePort;
    clusterIP = svc.spec.clusterIP;
    await waitFor(
      () =>
        curl(`http://127.0.0.1:${nodePort}/index.html`).status === 0 &&
        curl(`http://127.0.0.1:${nodePort}/index.html`).stdout.startsWith('web-'),
      { what: 'NodePort answering' },
    );
    const before = {
      connections: proxyCounter('kubeproxy_connections_total', `${ns}/web:`),
      to: proxyCounter('kubeproxy_bytes_total', `${ns}/web:`, 'to_endpoint'),
      from: proxyCounter('kubeproxy_bytes_total', `${ns}/web:`, 'from_endpoint'),
    };
    const seen = new Set(hostnames(`http://127.0.0.1:${nodePort}/index.html`, 30));
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect([...seen].every((h) => h.startsWith('web-'))).toBe(true);
    // kube-proxy counted them, per endpoint: connections, and bytes each way (what the dashboard draws).
    expect(proxyCounter('kubeproxy_connections_total', `${ns}/web:`) - before.connections).toBeGreaterThanOrEqual(30);
    expect(proxyCounter('kubeproxy_bytes_total', `${ns}/web:`, 'to_endpoint') - before.to).toBeGreaterThanOrEqual(
      30 * 'GET /index.html'.length,
    );
    expect(proxyCounter('kubeproxy_bytes_total', `${ns}/web:`, 'from_endpoint') - before.from).toBeGreaterThanOrEqual(30 * 'web-'.length);
    expect(curl(`http://${clusterIP}/index.html`).stdout).toMatch(/^web-/);
    const pod = json('get', 'pods', '-l', 'app=web').items[0];
    const id = pod.status.containerStatuses[0].containerID.replace('docker://', '');
    expect(execFileSync('docker', ['exec', id, 'wget', '-q', '-O', '-', `http://${clusterIP}/index.html`], { encoding: 'utf8' })).toMatch(
      /^web-/,
    );
  });

  it('sends traffic only to ready pods, and narrows to the remaining pods on scale down', async () => {
    const pods = json('get', 'pods', '-l', 'app=web').items;
    const unready = pods[0];
    const id = unready.status.containerStatuses[0].containerID.replace('docker://', '');
    execFileSync('docker', ['exec', id, 'rm', '/www/ready']);
    await waitFor(() => (json('get', 'endpoints', 'web').subsets?.[0]?.notReadyAddresses ?? []).length === 1, {
      what: 'one unready endpoint',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(hostnames(`http://127.0.0.1:${nodePort}/index.html`, 20)).not.toContain(unready.metadata.name);
    k('scale', 'deployment/web', '--replicas=1');
    await waitFor(
      () =>
        (json('get', 'endpoints', 'web').subsets?.[0]?.addresses ?? []).length === 1 &&
        !(json('get', 'endpoints', 'web').subsets?.[0]?.notReadyAddresses ?? []).length,
      { timeoutMs: 60_000, what: 'one endpoint' },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(new Set(hostnames(`http://127.0.0.1:${nodePort}/index.html`, 10)).size).toBe(1);
  });

  it('keeps a client on one pod with sessionAffinity ClientIP', async () => {
    k('scale', 'deployment/web', '--replicas=3');
    await rollout('web');
    k('patch', 'service', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}');
    await waitFor(() => (json('get', 'endpoints', 'web').subsets?.[0]?.addresses ?? []).length === 3, { what: '3 endpoints' });
    await new Promise((r) => setTimeout(r, 500));
    expect(new Set(hostnames(`http://127.0.0.1:${nodePort}/index.html`, 15)).size).toBe(1);
  });

  it('refuses connections at once when a Service has no endpoints', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec:\n  type: NodePort\n  selector: {app: nothing}\n  ports: [{port: 80}]\n',
    });
    const port = json('get', 'svc', 'empty').spec.ports[0].nodePort;
    await new Promise((r) => setTimeout(r, 1000));
    const started = Date.now();
    const r = curl(`http://127.0.0.1:${port}/`);
    expect(r.status).not.toBe(0); // curl: connection reset or refused
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives a LoadBalancer Service the node address and serves its port there', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 18088, targetPort: http}]\n',
    });
    await waitFor(() => /lb\s+LoadBalancer\s+\S+\s+127\.0\.0\.1\s+18088:\d+\/TCP/.test(k('get', 'svc', 'lb')), { what: 'EXTERNAL-IP' });
    await waitFor(() => curl('http://127.0.0.1:18088/index.html').stdout.startsWith('web-'), { what: 'the LoadBalancer port answering' });
  });

  it('resolves Service names from pods: short name, FQDN, headless and an ExternalName alias', async () => {
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Service
metadata: {name: headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: alias}
spec:
  type: ExternalName
  externalName: web.${ns}.svc.cluster.local
`,
    });
    const pod = json('get', 'pods', '-l', 'app=web').items[0];
    const id = pod.status.containerStatuses[0].containerID.replace('docker://', '');
    const inPod = (...cmd: string[]) => spawnSync('docker', ['exec', id, ...cmd], { encoding: 'utf8' });
    expect(inPod('cat', '/etc/resolv.conf').stdout).toBe(
      `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
    );
    await waitFor(() => inPod('wget', '-q', '-O', '-', 'http://web/index.html').stdout.startsWith('web-'), {
      what: 'http://web/ from a pod',
    });
    expect(inPod('wget', '-q', '-O', '-', `http://web.${ns}.svc.cluster.local/index.html`).stdout).toMatch(/^web-/);
    const ready = json('get', 'endpoints', 'headless')
      .subsets[0].addresses.map((a: any) => a.ip)
      .sort();
    const headless = inPod('nslookup', `headless.${ns}.svc.cluster.local`).stdout;
    for (const ip of ready) expect(headless).toContain(`Address: ${ip}`);
    // An alias to a Service in the cluster: the CNAME and the target's address come in one answer, as
    // CoreDNS gives them, so busybox wget (which does not chase a lone CNAME) gets there. (An alias to an
    // outside name is chased upstream: the unit tests do that with a fake resolver, as the answer here
    // would depend on this machine's network.)
    const alias = inPod('nslookup', `alias.${ns}.svc.cluster.local`).stdout;
    expect(alias).toContain(`canonical name = web.${ns}.svc.cluster.local`);
    expect(alias).toContain(`Address: ${json('get', 'svc', 'web').spec.clusterIP}`);
    expect(inPod('wget', '-q', '-O', '-', 'http://alias/index.html').stdout).toMatch(/^web-/);
  });

  it('forwards UDP through NodePort and ClusterIP', async () => {
    // Ready only once the socket is bound: a running container is not yet a listening one (node takes a
    // few hundred milliseconds to start), and a datagram sent before the bind is simply lost.
    const echo =
      "require('dgram').createSocket('udp4').on('message', function (m, r) { this.send('echo:' + m, r.port, r.address); }).bind(9000, function () { require('fs').writeFileSync('/tmp/bound', ''); })";
    kubectlOk(['-n', ns, 'apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: Deployment
metadata: {name: udp}
spec:
  replicas: 2
  selector: {matchLabels: {app: udp}}
  template:
    metadata: {labels: {app: udp}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: echo
        image: mini-k8s/node:20
        imagePullPolicy: Never
        command: ["node", "-e", ${JSON.stringify(echo)}]
        ports: [{containerPort: 9000, protocol: UDP, name: echo}]
        readinessProbe: {exec: {command: [test, -e, /tmp/bound]}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: udp}
spec:
  type: NodePort
  selector: {app: udp}
  ports: [{port: 9000, targetPort: echo, protocol: UDP}]
`,
    });
    await rollout('udp');
    const svc = json('get', 'svc', 'udp');
    await waitFor(() => (json('get', 'endpoints', 'udp').subsets?.[0]?.addresses ?? []).length === 2, { what: 'udp endpoints' });
    const ask = (host: string, port: number) =>
      new Promise<string>((resolve) => {
        const socket = dgram.createSocket('udp4');
        const timer = setTimeout(() => {
          socket.close();
          resolve('');
        }, 1000);
        socket.on('message', (m) => {
          clearTimeout(timer);
          socket.close();
          resolve(m.toString());
        });
        socket.send('ping', port, host);
      });
    await waitFor(async () => (await ask('127.0.0.1', svc.spec.ports[0].nodePort)) === 'echo:ping', { what: 'UDP via NodePort' });
    // Two clients: round robin sends them to both pods, each of which must answer the first datagram.
    expect([await ask(svc.spec.clusterIP, 9000), await ask(svc.spec.clusterIP, 9000)]).toEqual(['echo:ping', 'echo:ping']);
  });

  it('refuses Endpoints that point at the node itself, with 422 as Kubernetes does', () => {
    const r = kubectl(['-n', ns, 'apply', '-v=6', '-f', '-'], {
      version: 33,
      input: 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: loop}\nsubsets:\n- addresses: [{ip: 127.0.0.1}]\n  ports: [{port: 2380}]\n',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/verb="POST" url="[^"]+\/endpoints[?"][^\n]*status="422 Unprocessable Entity"/);
    expect(r.stderr).toContain(
      'The Endpoints "loop" is invalid: subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    );
  });

  it('routes unassigned service IPs nowhere', () => {
    const route = spawnSync('ip', ['route', 'get', '10.111.222.33'], { encoding: 'utf8' });
    expect(route.status).not.toBe(0);
    expect(route.stderr).toMatch(/No route to host/);
  });
});
