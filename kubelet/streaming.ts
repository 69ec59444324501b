// The kubelet's streaming endpoints, where the apiserver sends pods/exec, pods/attach and
// pods/portforward (it only splices the bytes: the protocol is agreed between kubectl and here):
//
//   /exec/{namespace}/{pod}/{container}?command=..&input=1&output=1&error=1&tty=1   SPDY or WebSocket
//   /attach/{namespace}/{pod}/{container}?input=1&output=1&tty=1                    SPDY or WebSocket
//   /portForward/{namespace}/{pod}[?port=80,443]                                    SPDY, SPDY tunnelled in a WebSocket,
//                                                                                   or the older WebSocket channels
//
// Kubernetes' kubelet hands these to the container runtime's streaming server (CRI); this one serves
// them itself over the runtime interface. Callers are authenticated and authorized before (server.ts).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream } from 'ws';
import type { Logger } from '../shared/log';
import {
  HandshakeError,
  isSpdyRequest,
  isWebSocketRequest,
  negotiateProtocol,
  refuseUpgrade,
  spdyHandshake,
  upgradeToSpdy,
  webSocketProtocols,
} from '../shared/streaming/httpstream';
import {
  PORT_FORWARD_PROTOCOL,
  PORT_FORWARD_TUNNEL_PROTOCOL,
  PortForwardTarget,
  servePortForward,
  serveWebSocketPortForward,
  WEBSOCKET_PORT_FORWARD_PROTOCOLS,
  webSocketPorts,
} from '../shared/streaming/portforward';
import {
  exitCodeStatus,
  internalErrorStatus,
  REMOTE_COMMAND_PROTOCOLS,
  RemoteCommandOptions,
  remoteCommandOptions,
  RemoteCommandSession,
  SessionStatus,
  spdySession,
  successStatus,
  webSocketSession,
} from '../shared/streaming/remotecommand';
import { SpdyConnection } from '../shared/streaming/spdyconnection';
import { acceptWebSocket, ChannelConnection } from '../shared/streaming/wsstream';
import { latest, PodRuntime } from './podruntime';
import type { ContainerRuntime } from './runtime/interface';

export interface PodLocator {
  /** What the runtime runs for a pod bound to this node; undefined when no such pod is bound here. */
  podRuntimeByName(namespace: string, name: string): Promise<PodRuntime | undefined>;
}

const REMOTE_COMMAND_PATH = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$/;
const PORT_FORWARD_PATH = /^\/portForward\/([^/]+)\/([^/]+)$/;

const goList = (items: readonly string[]) => `[${items.join(' ')}]`;

/** An answer to the upgrade request other than the upgrade. */
class Refusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class StreamingServer {
  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly pods: PodLocator,
    private readonly log: Logger,
  ) {}

  /** Serves an authorized upgrade request; false when its path is none of the streaming endpoints. */
  async serve(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<boolean> {
    const command = REMOTE_COMMAND_PATH.exec(url.pathname);
    const portForward = PORT_FORWARD_PATH.exec(url.pathname);
    if (!command && !portForward) return false;
    try {
      if (command) {
        const [kind, namespace, pod, container] = command.slice(1).map(decodeURIComponent);
        await this.remoteCommand(kind as 'exec' | 'attach', req, socket, head, { namespace, pod, container }, url.searchParams);
      } else {
        const [namespace, pod] = portForward!.slice(1).map(decodeURIComponent);
        await this.portForward(req, socket, head, namespace, pod, url.searchParams);
      }
    } catch (err) {
      if (err instanceof Refusal || err instanceof HandshakeError) {
        refuseUpgrade(req, socket, err.code, err.message, err instanceof HandshakeError ? err.headers : {});
      } else throw err;
    }
    return true;
  }

  private async podRuntime(namespace: string, pod: string): Promise<PodRuntime> {
    const rt = await this.pods.podRuntimeByName(namespace, pod);
    if (!rt) throw new Refusal(404, 'pod does not exist');
    return rt;
  }

  private async remoteCommand(
    kind: 'exec' | 'attach',
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    target: { namespace: string; pod: string; container: string },
    query: URLSearchParams,
  ): Promise<void> {
    const log = this.log.child({ pod: `${target.namespace}/${target.pod}`, container: target.container, stream: kind });
    let options: RemoteCommandOptions;
    try {
      options = remoteCommandOptions(query);
    } catch (err) {
      throw new Refusal(400, (err as Error).message);
    }
    const command = query.getAll('command');
    if (kind === 'exec' && !command.length) throw new Refusal(400, 'you must specify at least one command for the container');
    const container = latest(await this.podRuntime(target.namespace, target.pod), target.container);
    if (container?.state !== 'running') throw new Refusal(500, `container not found (${JSON.stringify(target.container)})`);

    const session = await this.openSession(req, socket, head, options);
    if (!session) return;
    const client = new AbortController();
    void session.done.then(() => client.abort());
    const io = {
      stdin: session.stdin,
      stdout: session.stdout,
      stderr: session.stderr,
      resize: session.resize,
      tty: options.tty,
      signal: client.signal,
    };
    let status: SessionStatus;
    try {
      if (kind === 'exec') {
        const exitCode = await this.runtime.exec(container.id, command, io);
        status = exitCode === 0 ? successStatus() : exitCodeStatus(command, exitCode);
      } else {
        await this.runtime.attach(container.id, io);
        status = successStatus();
      }
    } catch (err) {
      log.warn({ err }, `${kind} failed`);
      status = internalErrorStatus(
        `error ${kind === 'exec' ? 'executing command in' : 'attaching to'} container: ${(err as Error).message}`,
      );
    }
    if (!client.signal.aborted) await session.finish(status);
  }

  /** Upgrades to whichever transport the client asked for; undefined if it never opened its streams. */
  private async openSession(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    options: RemoteCommandOptions,
  ): Promise<RemoteCommandSession | undefined> {
    if (isWebSocketRequest(req)) {
      const offered = webSocketProtocols(req);
      const protocol = negotiateProtocol(offered, REMOTE_COMMAND_PROTOCOLS);
      if (!protocol) {
        throw new Refusal(403, `requested protocol(s) are not supported: ${goList(offered)}; supports ${goList(REMOTE_COMMAND_PROTOCOLS)}`);
      }
      const ws = await acceptWebSocket(req, socket, head, protocol);
      return webSocketSession(new ChannelConnection(ws, protocol), options);
    }
    if (!isSpdyRequest(req)) throw new Refusal(400, 'Upgrade request required');
    const connection = upgradeToSpdy(socket, head, spdyHandshake(req, REMOTE_COMMAND_PROTOCOLS));
    try {
      return await spdySession(connection, options);
    } catch (err) {
      this.log.info({ err }, 'remote command session not started');
      return undefined;
    }
  }

  private async portForward(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    namespace: string,
    pod: string,
    query: URLSearchParams,
  ): Promise<void> {
    const log = this.log.child({ pod: `${namespace}/${pod}`, stream: 'portforward' });
    const sandbox = (await this.podRuntime(namespace, pod)).sandbox;
    if (sandbox?.state !== 'running') throw new Refusal(500, `failed to find sandboxID for pod ${pod}`);
    const target: PortForwardTarget = {
      pod: sandbox.id,
      uid: '',
      forward: (port, stream) => this.runtime.portForward(sandbox.id, port, stream),
      onError: (err, port) => log.info({ err, port }, 'port forwarding failed'),
    };
    if (isSpdyRequest(req)) return servePortForward(upgradeToSpdy(socket, head, spdyHandshake(req, [PORT_FORWARD_PROTOCOL])), target);
    if (!isWebSocketRequest(req)) throw new Refusal(400, 'Upgrade request required');
    const offered = webSocketProtocols(req);
    if (offered.includes(PORT_FORWARD_TUNNEL_PROTOCOL)) {
      const ws = await acceptWebSocket(req, socket, head, PORT_FORWARD_TUNNEL_PROTOCOL);
      return servePortForward(new SpdyConnection(createWebSocketStream(ws)), target);
    }
    const protocol = negotiateProtocol(offered.length ? offered : [''], WEBSOCKET_PORT_FORWARD_PROTOCOLS);
    if (protocol === undefined) {
      const supported = [PORT_FORWARD_TUNNEL_PROTOCOL, ...WEBSOCKET_PORT_FORWARD_PROTOCOLS.filter(Boolean)];
      throw new Refusal(403, `requested protocol(s) are not supported: ${goList(offered)}; supports ${goList(supported)}`);
    }
    let ports: number[];
    try {
      ports = webSocketPorts(query);
    } catch (err) {
      throw new Refusal(400, (err as Error).message);
    }
    const ws = await acceptWebSocket(req, socket, head, protocol);
    await serveWebSocketPortForward(new ChannelConnection(ws, protocol), ports, target);
  }
}
