// exec and port-forward from the real kubectl (1.27: SPDY only; 1.30: WebSocket exec, SPDY port-forward;
// 1.33: WebSocket exec and the port-forward tunnel) through a real apiserver to the kubelet's real
// HTTPS server, whose runtime is a fake: it runs commands on this machine (sh, cat) and forwards ports
// to a local echo server. So what is proven here is the wire (authorization, the apiserver's proxying,
// both transports, exit codes, errors), without Docker.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Registry } from 'prom-client';
import { WebSocket } from 'ws';
import { Client } from '../../shared/client';
import { DelegatedAuth } from '../../shared/delegatedauth';
import { loadKubeconfig } from '../../shared/kubeconfig';
import { newLogger } from '../../shared/log';
import { selfSignedServingCertificate } from '../../shared/pki';
import { realClock } from '../../shared/clock';
import { KubeletAuth } from '../../kubelet/auth';
import type { PodRuntime } from '../../kubelet/podruntime';
import type { ContainerRuntime, RuntimeContainer, StreamIO } from '../../kubelet/runtime/interface';
import { createKubeletServer } from '../../kubelet/server';
import { StatsCollector } from '../../kubelet/stats';
import { ControlPlane, freePort, startControlPlane, waitFor } from '../processes';
import { api } from './api';

const kubectlBin = (minor: number) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`;
const VERSIONS = [27, 30, 33];
const log = newLogger('test').child({ level: 'silent' });

const container = (name: string, id: string): RuntimeContainer => ({
  id,
  name,
  podUid: 'uid-1',
  podName: 'web',
  podNamespace: 'default',
  attempt: 0,
  state: 'running',
  createdAt: new Date().toISOString(),
  image: 'busybox',
  imageID: 'sha256:0',
});

/** Commands run on this machine; ports are forwarded to `ports` (an echo server), others are refused. */
class LocalRuntime {
  readonly ports = new Map<number, number>();

  exec(_id: string, command: string[], io: StreamIO): Promise<number> {
    const child = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    if (io.stdin) io.stdin.pipe(child.stdin);
    else child.stdin.end();
    if (io.stdout) child.stdout.pipe(io.stdout, { end: false });
    if (io.stderr) child.stderr.pipe(io.stderr, { end: false });
    return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  }

  portForward(_sandbox: string, port: number, stream: Duplex): Promise<void> {
    const target = this.ports.get(port);
    if (!target)
      return Promise.reject(new Error(`failed to connect to localhost:${port} inside namespace "sandbox-1": connection refused`));
    return new Promise((resolve) => {
      const socket = net.connect(target, '127.0.0.1', () => {
        stream.pipe(socket);
        socket.pipe(stream);
      });
      socket.on('close', () => resolve());
    });
  }
}

let cp: ControlPlane;
let kubelet: ReturnType<typeof createKubeletServer>;
let echo: net.Server;
const runtime = new LocalRuntime();

/** Runs a command to its end. Never spawnSync here: the kubelet kubectl talks to runs in this very process. */
function run(command: string, args: string[], input?: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args);
    const [out, err]: [Buffer[], Buffer[]] = [[], []];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(input);
  });
}

/** Resolves when `kubectl port-forward` listens on `port`; rejects with its stderr if it exits first. */
function listening(child: ReturnType<typeof spawn>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let [out, err] = ['', ''];
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(`Forwarding from 127.0.0.1:${port} `)) resolve();
    });
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${err}`)));
  });
}

async function kubectl(minor: number, args: string[], kubeconfig = cp.kubeconfig) {
  const r = await run(kubectlBin(minor), ['--kubeconfig', kubeconfig, ...args]);
  return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr };
}

beforeAll(async () => {
  cp = await startControlPlane([], ['node-1']);
  echo = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  runtime.ports.set(8080, (echo.address() as AddressInfo).port);

  const nodeClient = new Client(loadKubeconfig(cp.componentKubeconfig('kubelet-node-1')));
  const rt: PodRuntime = {
    sandbox: container('POD', 'sandbox-1'),
    sandboxes: [],
    containers: new Map([['main', [container('main', 'c-1')]]]),
  };
  const locator = {
    attempts: () => Promise.resolve([]),
    podRuntimeByName: (namespace: string, name: string) => Promise.resolve(namespace === 'default' && name === 'web' ? rt : undefined),
  };
  kubelet = createKubeletServer(
    runtime as unknown as ContainerRuntime,
    locator,
    new StatsCollector(
      'node-1',
      runtime as unknown as ContainerRuntime,
      { containers: () => [], podsStarting: () => false },
      1,
      realClock,
      log,
    ),
    new Registry(),
    new KubeletAuth(new DelegatedAuth(nodeClient, realClock, log), 'node-1'),
    {
      ...selfSignedServingCertificate({ commonName: 'node-1', dnsNames: ['node-1'], ips: ['127.0.0.1'] }),
      clientCA: fs.readFileSync(cp.caFile),
    },
    log,
  );
  await new Promise<void>((resolve) => kubelet.listen(0, '127.0.0.1', resolve));
  const port = (kubelet.address() as AddressInfo).port;

  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } };
  expect((await api(cp.config, 'POST', '/api/v1/nodes', node)).code).toBe(201);
  const status = {
    ...node,
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  };
  expect((await api(cp.config, 'PATCH', '/api/v1/nodes/node-1/status', status, 'application/merge-patch+json')).code).toBe(200);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }] },
  };
  expect((await api(cp.config, 'POST', '/api/v1/namespaces/default/pods', pod)).code).toBe(201);
  // kubectl port-forwards only to a running pod; no real kubelet is here to say it is.
  const running = { status: { phase: 'Running' } };
  expect((await api(cp.config, 'PATCH', '/api/v1/namespaces/default/pods/web/status', running, 'application/merge-patch+json')).code).toBe(
    200,
  );
});

afterAll(async () => {
  kubelet?.close();
  kubelet?.closeAllConnections();
  echo?.close();
  await cp?.stop();
});

describe.each(VERSIONS)('kubectl 1.%i', (minor) => {
  it('execs a command and prints its output', async () => {
    expect(await kubectl(minor, ['exec', 'web', '--', 'echo', 'hello', 'from', 'the', 'pod'])).toEqual({
      code: 0,
      stdout: 'hello from the pod\n',
      stderr: '',
    });
  });

  it('passes stdin to the command, binary and to its end', async () => {
    const input = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    const r = await run(kubectlBin(minor), ['--kubeconfig', cp.kubeconfig, 'exec', '-i', 'web', '--', 'sha256sum'], input);
    const want = (await run('sha256sum', [], input)).stdout.toString();
    expect({ code: r.code, stdout: r.stdout.toString() }).toEqual({ code: 0, stdout: want });
  });

  it('reports a non-zero exit code as Kubernetes does, and exits with it', async () => {
    const r = await kubectl(minor, ['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 3\n' });
  });

  it('forwards several concurrent connections through one port-forward', async () => {
    const local = await freePort();
    const child = spawn(kubectlBin(minor), ['--kubeconfig', cp.kubeconfig, 'port-forward', 'pod/web', `${local}:8080`]);
    try {
      await listening(child, local);
      const roundTrip = (text: string) =>
        new Promise<string>((resolve, reject) => {
          const socket = net.connect(local, '127.0.0.1', () => socket.end(text));
          let got = '';
          socket.on('data', (d: Buffer) => (got += d.toString()));
          socket.on('close', () => resolve(got));
          socket.on('error', reject);
        });
      const texts = Array.from({ length: 5 }, (_, i) => `connection ${i}\n`.repeat(1000));
      expect(await Promise.all(texts.map(roundTrip))).toEqual(texts);
    } finally {
      child.kill('SIGINT');
    }
  });
});

describe('other clients', () => {
  it("port-forward's older WebSocket form, as the JavaScript client speaks it", async () => {
    const url = `${cp.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/web/portforward?ports=8080`;
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], { ca: cp.config.ca, headers: { Authorization: `Bearer ${cp.config.token}` } });
    const data: Buffer[] = [];
    ws.on('message', (m: Buffer) => m[0] === 0 && data.push(m.subarray(1)));
    await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping\n')]));
    await waitFor(() => Buffer.concat(data).length >= 7, { what: 'the echo' });
    expect(Buffer.concat(data)).toEqual(Buffer.concat([Buffer.from([8080 & 0xff, 8080 >> 8]), Buffer.from('ping\n')]));
    ws.close();
  });
});

describe('errors', () => {
  it('an exec refused for the viewer is the 403 Kubernetes words', async () => {
    const r = await kubectl(33, ['exec', 'web', '--', 'true'], cp.viewerKubeconfig);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): pods "web" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    );
  });

  it('a kubelet that cannot be reached is "error dialing backend", in Go\'s words', async () => {
    const port = await freePort(); // nothing listens there
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gone' } };
    expect((await api(cp.config, 'POST', '/api/v1/nodes', node)).code).toBe(201);
    const status = {
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
    };
    expect((await api(cp.config, 'PATCH', '/api/v1/nodes/gone/status', status, 'application/merge-patch+json')).code).toBe(200);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stranded' },
      spec: { nodeName: 'gone', containers: [{ name: 'main', image: 'busybox' }] },
    };
    expect((await api(cp.config, 'POST', '/api/v1/namespaces/default/pods', pod)).code).toBe(201);
    const r = await kubectl(27, ['exec', 'stranded', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`Error from server: error dialing backend: dial tcp 127.0.0.1:${port}: connect: connection refused`);
  });

  it("a container the pod does not have is the apiserver's BadRequest", async () => {
    const r = await kubectl(27, ['exec', 'web', '-c', 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (BadRequest): container nope is not valid for pod web');
  });

  it('a port nothing listens on reaches kubectl as the kubelet words it', async () => {
    const local = await freePort();
    const child = spawn(kubectlBin(33), ['--kubeconfig', cp.kubeconfig, 'port-forward', 'pod/web', `${local}:9999`]);
    try {
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      await listening(child, local);
      const socket = net.connect(local, '127.0.0.1');
      socket.on('error', () => undefined);
      await waitFor(() => err.includes('error forwarding port 9999'), { what: 'the error' });
      expect(err).toContain(
        `an error occurred forwarding ${local} -> 9999: error forwarding port 9999 to pod sandbox-1, uid : failed to connect to localhost:9999 inside namespace \\"sandbox-1\\": connection refused`,
      );
      socket.destroy();
    } finally {
      child.kill('SIGINT');
    }
  });
});
