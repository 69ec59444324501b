// Captures the fixtures of the streaming unit tests: what the real kubectl sends when it execs and
// port-forwards, byte for byte, and whether it is satisfied with what this package answers. It stands
// in for the apiserver and the kubelet together: an HTTPS server that serves one pod and answers its
// exec and portforward upgrades with the server side of shared/streaming.
//
//   npm run build && node dist/shared/streaming/testdata/capture.js [scenario | serve]
//
// Each fixture holds the upgrade request, the bytes (SPDY) or messages (WebSocket) the client sent,
// and what kubectl printed and exited with.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { createWebSocketStream } from 'ws';
import { isSpdyRequest, isWebSocketRequest, refuseUpgrade, spdyHandshake, upgradeToSpdy, webSocketProtocols } from '../httpstream';
import { PORT_FORWARD_PROTOCOL, PORT_FORWARD_TUNNEL_PROTOCOL, servePortForward } from '../portforward';
import {
  exitCodeStatus,
  REMOTE_COMMAND_PROTOCOLS,
  RemoteCommandSession,
  RemoteCommandOptions,
  TerminalSize,
  spdySession,
  webSocketSession,
} from '../remotecommand';
import { SpdyConnection } from '../spdyconnection';
import { acceptWebSocket, ChannelConnection } from '../wsstream';
import type { CapturedSession } from './fixtures';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl';
const DIR = '/tmp/streaming-capture';

interface Scenario {
  version: string;
  args: string[];
  env?: Record<string, string>;
  input?: string;
  /** Run under a pseudo-terminal of 100 columns and 40 rows (`script`). */
  terminal?: boolean;
  /** For port-forward: what to send through the forwarded port once it listens. */
  forward?: { localPort: number; send: string };
}

export const SCENARIOS: Record<string, Scenario> = {
  'exec-stdin-1.27-spdy': { version: '1.27', args: ['exec', '-i', 'p', '--', 'cat'], input: 'hello\n' },
  'exec-stdin-1.33-spdy': {
    version: '1.33',
    args: ['exec', '-i', 'p', '--', 'cat'],
    input: 'hello\n',
    env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' },
  },
  'exec-stdin-1.33-websocket': { version: '1.33', args: ['exec', '-i', 'p', '--', 'cat'], input: 'hello\n' },
  'exec-tty-1.27-spdy': { version: '1.27', args: ['exec', '-it', 'p', '--', 'sh'], terminal: true },
  'exec-tty-1.33-websocket': { version: '1.33', args: ['exec', '-it', 'p', '--', 'sh'], terminal: true },
  'portforward-1.27-spdy': {
    version: '1.27',
    args: ['port-forward', 'pod/p', '18580:8080'],
    forward: { localPort: 18580, send: 'ping\n' },
  },
  'portforward-1.33-tunnel': {
    version: '1.33',
    args: ['port-forward', 'pod/p', '18581:8080'],
    forward: { localPort: 18581, send: 'ping\n' },
  },
};

const POD = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name: 'p', namespace: 'default', uid: '5d5e1c1e-0000-4000-8000-000000000001', resourceVersion: '1' },
  spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 8080 }] }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'main', ready: true }] },
};

/** Discovery, as little of it as kubectl needs to find pods, and the pod. */
const ANSWERS: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'] },
      { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    ],
  },
  '/api/v1/namespaces/default/pods/p': POD,
};

function tls(): { cert: Buffer; key: Buffer } {
  fs.mkdirSync(DIR, { recursive: true });
  const [certFile, keyFile] = [path.join(DIR, 'tls.crt'), path.join(DIR, 'tls.key')];
  if (!fs.existsSync(certFile)) {
    const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        ...subject,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      {
        stdio: 'ignore',
      },
    );
  }
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}

function kubeconfig(port: number): string {
  const file = path.join(DIR, 'kubeconfig');
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: capture}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]
current-context: c
`,
  );
  return file;
}

/** Echoes stdin to stdout (with a terminal: prints its first size instead), then reports exit code 3. */
async function runSession(session: RemoteCommandSession): Promise<void> {
  if (session.resize) {
    const [size] = (await session.resize.take(1).toArray()) as TerminalSize[];
    session.stdout?.write(`${size.width}x${size.height}\n`);
  } else if (session.stdin) for await (const chunk of session.stdin) session.stdout?.write(chunk);
  await session.finish(exitCodeStatus(['cat'], 3));
}

/** The streams an exec asks for, from its PodExecOptions. */
function execOptions(query: URLSearchParams): RemoteCommandOptions {
  const on = (name: string) => query.get(name) === 'true';
  return { stdin: on('stdin'), stdout: on('stdout'), stderr: on('stderr') && !on('tty'), tty: on('tty') };
}

/** The forwarded "pod port": an echo. */
const echo = (_port: number, stream: import('node:stream').Duplex) =>
  new Promise<void>((resolve) => {
    stream.pipe(stream);
    stream.on('end', resolve);
    stream.on('close', resolve);
  });

function serve(captured: CapturedSession[]): https.Server {
  const server = https.createServer(tls(), (req, res) => {
    const answer = ANSWERS[new URL(req.url!, 'https://capture').pathname];
    if (req.method === 'GET' && answer) {
      res.setHeader('Content-Type', 'application/json');
      return void res.end(JSON.stringify(answer));
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
  });
  server.on('upgrade', (req, socket, head) => {
    const session: CapturedSession = { request: { method: req.method!, path: req.url!, headers: req.headers }, client: [] };
    captured.push(session);
    const url = new URL(req.url!, 'https://capture');
    const portForward = url.pathname.endsWith('/portforward');
    if (isWebSocketRequest(req)) {
      const protocol = webSocketProtocols(req).find(
        (p) => p === (portForward ? PORT_FORWARD_TUNNEL_PROTOCOL : REMOTE_COMMAND_PROTOCOLS[0]),
      );
      if (!protocol) return refuseUpgrade(req, socket, 400, 'unsupported protocol');
      void acceptWebSocket(req, socket, head, protocol).then((ws) => {
        ws.on('message', (data: Buffer) => session.client.push(data.toString('base64')));
        if (portForward) {
          servePortForward(new SpdyConnection(createWebSocketStream(ws)), { pod: 'p', uid: '', forward: echo });
        } else {
          void runSession(webSocketSession(new ChannelConnection(ws, protocol), execOptions(url.searchParams)));
        }
      });
      return;
    }
    if (!isSpdyRequest(req)) return refuseUpgrade(req, socket, 400, 'not an upgrade');
    const protocol = spdyHandshake(req, portForward ? [PORT_FORWARD_PROTOCOL] : REMOTE_COMMAND_PROTOCOLS);
    socket.on('data', (chunk: Buffer) => session.client.push(chunk.toString('base64')));
    if (head.length) session.client.push(head.toString('base64'));
    const connection = upgradeToSpdy(socket, head, protocol);
    if (portForward) servePortForward(connection, { pod: 'p', uid: '', forward: echo });
    else void spdySession(connection, execOptions(url.searchParams)).then(runSession);
  });
  return server;
}

function run(scenario: Scenario, config: string): Promise<{ code: number; stdout: string; stderr: string; echoed?: string }> {
  return new Promise((resolve) => {
    const argv = [`${KUBECTL}.${scenario.version}`, '--kubeconfig', config, ...scenario.args];
    const env = { ...process.env, ...scenario.env };
    const child = scenario.terminal
      ? spawn('script', ['-qec', `stty rows 40 cols 100; ${argv.join(' ')}`, '/dev/null'], { env })
      : spawn(argv[0], argv.slice(1), { env });
    let [stdout, stderr, echoed] = ['', '', undefined as string | undefined];
    let connected = false;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (scenario.forward && !connected && stdout.includes('Forwarding from 127.0.0.1')) {
        connected = true;
        const conn = net.connect(scenario.forward.localPort, '127.0.0.1', () => conn.end(scenario.forward!.send));
        let got = '';
        conn.on('data', (d: Buffer) => (got += d.toString()));
        conn.on('error', (err) => (got += `(${err.message})`));
        conn.on('close', () => {
          echoed = got;
          setTimeout(() => child.kill('SIGINT'), 200);
        });
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, echoed }));
    child.stdin.end(scenario.input);
  });
}

async function main(): Promise<void> {
  const captured: CapturedSession[] = [];
  const server = serve(captured);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const config = kubeconfig((server.address() as net.AddressInfo).port);
  const only = process.argv[2];
  if (only === 'serve') return void console.log(`serving; KUBECONFIG=${config}`); // for trying any kubectl by hand
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only && name !== only) continue;
    captured.length = 0;
    const kubectl = await run(scenario, config);
    const out = path.join(__dirname.replace(`${path.sep}dist${path.sep}`, path.sep), `${name}.json`);
    const fixture = {
      command: `kubectl.${scenario.version} ${scenario.args.join(' ')}`,
      env: scenario.env ?? {},
      input: scenario.input,
      sessions: captured,
      kubectl,
    };
    fs.writeFileSync(out, JSON.stringify(fixture, null, 2) + '\n');
    console.log(name, kubectl.code, JSON.stringify(kubectl.stdout), JSON.stringify(kubectl.stderr.slice(0, 300)), kubectl.echoed ?? '');
  }
  server.close();
  server.closeAllConnections();
}

void main();
