// Kubernetes' port-forward protocol (portforward.k8s.io), server side. Over one SPDY connection the
// client opens, for each local connection it accepts, a pair of streams with the same `requestid`: an
// `error` stream (which it half-closes at once) and a `data` stream, both naming the pod's `port`. The
// server joins the data stream to the pod's port; what goes wrong is written, as text, on the error
// stream, and the error stream is ended when the forwarding is over.
//
// kubectl 1.31+ first tries the same SPDY bytes inside a WebSocket (sub-protocol
// SPDY/3.1+portforward.k8s.io): the tunnel carries the SPDY connection, not a framing of its own.
//
// Other clients (the JavaScript client, browsers) use the older WebSocket form: the ports are named in
// the query (`?port=80&port=443`), port i gets data channel 2i and error channel 2i+1 of
// v4.channel.k8s.io, each of which starts with the port, 2 bytes little-endian; the connection closes
// when every port's forwarding is over.
import type { Duplex } from 'node:stream';
import type { SpdyConnection, SpdyStream } from './spdyconnection';
import { STREAM_CREATION_TIMEOUT_MS, STREAM_TYPE_HEADER } from './remotecommand';
import { ChannelConnection, V4_CHANNEL_PROTOCOL } from './wsstream';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const PORT_FORWARD_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;
export const PORT_HEADER = 'port';
export const REQUEST_ID_HEADER = 'requestid';
/** The WebSocket form's sub-protocols: v4's binary channels, or none at all (the same). */
export const WEBSOCKET_PORT_FORWARD_PROTOCOLS = [V4_CHANNEL_PROTOCOL, ''];

/** Joins `stream` to the pod's `port` until either side is done; rejects with why it could not. */
export type Forwarder = (port: number, stream: Duplex) => Promise<void>;

export interface PortForwardTarget {
  /** What the error text names the pod by: its sandbox id, as a CRI kubelet does. */
  pod: string;
  uid: string;
  forward: Forwarder;
  /** Called with what went wrong in each forwarding, for the server's log. */
  onError?: (err: Error, port: number) => void;
}

interface StreamPair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** A port header as Kubernetes accepts it: a number from 1 to 65535. */
export function parsePort(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,5}$/.test(value)) return undefined;
  const port = Number(value);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Serves the connection's stream pairs until it closes. */
export function servePortForward(connection: SpdyConnection, target: PortForwardTarget, timeoutMs = STREAM_CREATION_TIMEOUT_MS): void {
  const pairs = new Map<string, StreamPair>();

  connection.on('stream', (stream) => {
    const id = stream.headers[REQUEST_ID_HEADER];
    const type = stream.headers[STREAM_TYPE_HEADER];
    if (id === undefined || (type !== 'error' && type !== 'data')) return void stream.destroy();
    let pair = pairs.get(id);
    if (!pair) {
      const timer = setTimeout(() => {
        pairs.delete(id);
        const message = `timed out waiting for streams of request ${id}`;
        pair!.error?.end(message);
        pair!.data?.destroy();
      }, timeoutMs);
      pairs.set(id, (pair = { timer }));
    }
    if (pair[type]) return void stream.destroy(); // a second stream of one type: the request is broken
    pair[type] = stream;
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      void forwardPair(pair.error, pair.data, target);
    }
  });
  connection.on('close', () => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    pairs.clear();
  });
}

async function forwardPair(error: SpdyStream, data: SpdyStream, target: PortForwardTarget): Promise<void> {
  error.resume(); // the client sends nothing on it
  const header = data.headers[PORT_HEADER];
  const port = parsePort(header);
  if (port === undefined) error.write(`invalid port header ${JSON.stringify(header ?? '')}`);
  else await forwardOne(port, data, error, target);
  if (!data.writableEnded) data.end();
  error.end();
}

/** Forwards one port; what went wrong is written on `error`, in the kubelet's words. */
async function forwardOne(port: number, data: Duplex, error: NodeJS.WritableStream, target: PortForwardTarget): Promise<void> {
  try {
    await target.forward(port, data);
  } catch (err) {
    const message = `error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${(err as Error).message}`;
    target.onError?.(new Error(message), port);
    error.write(message);
  }
}

/**
 * The ports of a WebSocket port-forward, from `port` query parameters (each may list several, comma
 * separated); the error says what is wrong, as the kubelet does.
 */
export function webSocketPorts(query: URLSearchParams): number[] {
  const values = query.getAll(PORT_HEADER);
  if (!values.length) throw new Error('query parameter "port" is required');
  const ports: number[] = [];
  for (const value of values) {
    if (!value) throw new Error('query parameter "port" cannot be empty');
    for (const p of value.split(',')) {
      const port = parsePort(p);
      if (port === undefined) throw new Error(`unable to parse "${p}" as a port`);
      ports.push(port);
    }
  }
  return ports;
}

/** Serves the WebSocket form: every port at once, then the connection closes. */
export async function serveWebSocketPortForward(channels: ChannelConnection, ports: number[], target: PortForwardTarget): Promise<void> {
  await Promise.all(
    ports.map(async (port, i) => {
      const [data, error] = [channels.duplex(2 * i), channels.writer(2 * i + 1)];
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      data.write(portBytes);
      error.write(portBytes);
      await forwardOne(port, data, error, target);
    }),
  );
  channels.close();
}
