import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { newLogger } from '../shared/log';
import { exitCodeStatus } from '../shared/streaming/remotecommand';
import { clientBytes, fixture } from '../shared/streaming/testdata/fixtures';
import { ClientView, FakeSocket } from '../shared/streaming/testing';
import type { PodRuntime } from './podruntime';
import type { ContainerRuntime, RuntimeContainer, StreamIO, TerminalSize } from './runtime/interface';
import { StreamingServer } from './streaming';

const log = newLogger('test').child({ level: 'silent' });

const container = (name: string, state: RuntimeContainer['state'] = 'running'): RuntimeContainer => ({
  id: `${name}-id`,
  name,
  podUid: 'uid',
  podName: 'p',
  podNamespace: 'default',
  attempt: 0,
  state,
  createdAt: '2024-01-01T00:00:00Z',
  image: 'busybox',
  imageID: 'sha256:0',
});

function setUp(rt: PodRuntime | undefined, runtime: Partial<ContainerRuntime>) {
  const server = new StreamingServer(runtime as ContainerRuntime, { podRuntimeByName: () => Promise.resolve(rt) }, log);
  const socket = new FakeSocket();
  const view = new ClientView(socket, { upgrade: true });
  /** Sends an upgrade request as the apiserver forwards it (kubectl's headers, the kubelet's path). */
  const upgrade = (path: string, headers: http.IncomingHttpHeaders, method = 'POST') => {
    const req = new http.IncomingMessage(new net.Socket());
    Object.assign(req, { method, url: path, headers });
    return server.serve(req, socket, Buffer.alloc(0), new URL(path, 'https://kubelet'));
  };
  const answer = () => Buffer.concat(socket.written).toString();
  return { socket, view, upgrade, answer };
}

const running: PodRuntime = { sandbox: container('POD'), sandboxes: [], containers: new Map([['main', [container('main')]]]) };
const spdyHeaders = (protocols: string) => ({ connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': protocols });

describe('the kubelet streaming server', () => {
  it('runs kubectl -it with a terminal: the client sizes reach the runtime, the exit code reaches the client', async () => {
    const sizes: TerminalSize[] = [];
    let ran: { id: string; command: string[]; tty: boolean } | undefined;
    const exec = async (id: string, command: string[], io: StreamIO) => {
      ran = { id, command, tty: io.tty };
      io.resize!.on('data', (size: TerminalSize) => sizes.push(size));
      await new Promise((resolve) => io.resize!.once('data', resolve));
      io.stdout!.write('$ ');
      return 3;
    };
    const { socket, view, upgrade } = setUp(running, { exec });
    const session = fixture('exec-tty-1.27-spdy').sessions[0];
    const served = upgrade('/exec/default/p/main?command=sh&input=1&output=1&tty=1', session.request.headers);
    socket.fromClient(clientBytes(session));
    await view.until(() => view.stream(1).fin);
    await served;
    expect(view.head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n.*X-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\n/s);
    expect(ran).toEqual({ id: 'main-id', command: ['sh'], tty: true });
    expect(sizes).toEqual([{ width: 100, height: 40 }]);
    expect(view.stream(5)).toEqual({ data: '$ ', fin: true });
    expect(view.stream(1).data).toBe(JSON.stringify(exitCodeStatus(['sh'], 3)));
    socket.hangUp();
    view.close();
  });

  it('refuses what Kubernetes refuses, before upgrading', async () => {
    const exec = () => Promise.resolve(0);
    const cases: [PodRuntime | undefined, string, http.IncomingHttpHeaders, RegExp][] = [
      [
        undefined,
        '/exec/default/p/main?command=ls&output=1',
        spdyHeaders('v4.channel.k8s.io'),
        /^HTTP\/1\.1 404 .*\r\n\r\npod does not exist$/s,
      ],
      [
        { ...running, containers: new Map([['main', [container('main', 'exited')]]]) },
        '/exec/default/p/main?command=ls&output=1',
        spdyHeaders('v4.channel.k8s.io'),
        /^HTTP\/1\.1 500 .*\r\n\r\ncontainer not found \("main"\)$/s,
      ],
      [
        running,
        '/exec/default/p/main?command=ls&tty=1',
        spdyHeaders('v4.channel.k8s.io'),
        /\r\n\r\nyou must specify at least 1 of stdin, stdout, stderr$/,
      ],
      [
        running,
        '/exec/default/p/main?command=ls&output=1',
        spdyHeaders('v2.channel.k8s.io, channel.k8s.io'),
        /^HTTP\/1\.1 403 .*X-Accepted-Stream-Protocol-Versions: v5\.channel\.k8s\.io\r\nX-Accepted-Stream-Protocol-Versions: v4\.channel\.k8s\.io\r\n.*\r\n\r\nunable to upgrade: unable to negotiate protocol: client supports \[v2\.channel\.k8s\.io channel\.k8s\.io\], server accepts \[v5\.channel\.k8s\.io v4\.channel\.k8s\.io\]$/s,
      ],
      [
        running,
        '/exec/default/p/main?command=ls&output=1',
        { connection: 'keep-alive' },
        /^HTTP\/1\.1 400 .*\r\n\r\nUpgrade request required$/s,
      ],
      [
        running,
        '/exec/default/p/main?command=ls&output=1',
        {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-protocol': 'base64.channel.k8s.io',
          'sec-websocket-key': 'x',
          'sec-websocket-version': '13',
        },
        /^HTTP\/1\.1 403 .*\r\n\r\nrequested protocol\(s\) are not supported: \[base64\.channel\.k8s\.io\]; supports \[v5\.channel\.k8s\.io v4\.channel\.k8s\.io\]$/s,
      ],
    ];
    for (const [rt, path, headers, want] of cases) {
      const { upgrade, answer, socket } = setUp(rt, { exec });
      await upgrade(path, headers);
      await new Promise((resolve) => (socket.writableFinished ? resolve(undefined) : socket.once('finish', resolve)));
      expect(answer()).toMatch(want);
    }
  });

  it("port-forwards to the pod's sandbox, and tells kubectl why a port could not be reached", async () => {
    const forwarded: string[] = [];
    const portForward = (sandboxId: string, port: number, stream: Duplex) => {
      forwarded.push(`${sandboxId}:${port}`);
      stream.resume();
      return Promise.reject(new Error('failed to connect to localhost:8080 inside namespace "POD-id", IPv4: connection refused'));
    };
    const { socket, view, upgrade } = setUp(running, { portForward });
    const session = fixture('portforward-1.27-spdy').sessions[0];
    await upgrade('/portForward/default/p', session.request.headers);
    socket.fromClient(clientBytes(session));
    await view.until(() => view.stream(1).fin);
    expect(forwarded).toEqual(['POD-id:8080']);
    expect(view.stream(1).data).toBe(
      'error forwarding port 8080 to pod POD-id, uid : failed to connect to localhost:8080 inside namespace "POD-id", IPv4: connection refused',
    );
    socket.hangUp();
    view.close();
  });
});
