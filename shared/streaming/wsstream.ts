// Channels over one WebSocket, as Kubernetes' channel protocols (v4.channel.k8s.io, v5.channel.k8s.io)
// frame them: every message is binary and its first byte names the channel, the rest is that channel's
// data. v5 adds one control message, [255, channel]: the sender will write no more on that channel (how
// kubectl closes stdin). The connection ends with a normal close (1000), which clients read as the end
// of every channel; any other close code is an error to them.
import type { IncomingMessage } from 'node:http';
import { Duplex, Readable, Writable } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export const V4_CHANNEL_PROTOCOL = 'v4.channel.k8s.io';
export const V5_CHANNEL_PROTOCOL = 'v5.channel.k8s.io';
/** v5's control channel: [255, n] closes channel n. */
export const CLOSE_CHANNEL = 255;
export const NORMAL_CLOSURE = 1000;

// The `ws` package accepts only RFC 6455 tokens as sub-protocols, and port-forward's tunnel protocol,
// SPDY/3.1+portforward.k8s.io, is not one ('/' and '+'). So the server picks the protocol itself, hides
// the client's list from `ws`, and names its choice in the 101 through the 'headers' hook.
const chosenProtocols = new WeakMap<IncomingMessage, string>();
const webSockets = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
webSockets.on('headers', (headers, req) => {
  const protocol = chosenProtocols.get(req);
  if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
});

/** Completes a WebSocket upgrade with the sub-protocol the server chose. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  chosenProtocols.set(req, protocol);
  delete req.headers['sec-websocket-protocol'];
  return new Promise((resolve) => webSockets.handleUpgrade(req, socket, head, resolve));
}

/** One message: the channel byte, then the data. */
export function channelMessage(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

export type ChannelEvent = { channel: number; data: Buffer } | { closeChannel: number } | undefined;

/** What a received message means: data for a channel, v5's close of a channel, or nothing (empty). */
export function parseChannelMessage(message: Buffer, protocol: string): ChannelEvent {
  if (message.length === 0) return undefined;
  const channel = message[0];
  if (channel === CLOSE_CHANNEL && protocol === V5_CHANNEL_PROTOCOL) return message.length > 1 ? { closeChannel: message[1] } : undefined;
  return { channel, data: message.subarray(1) };
}

const toBuffer = (data: Buffer | ArrayBuffer | Buffer[]) =>
  Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);

/** The channels of one WebSocket: readers for what the client sends, writers for what it reads. */
export class ChannelConnection {
  private readonly readers = new Map<number, Readable>();
  /** Readers not keeping up: while there are any, the WebSocket is paused. */
  private readonly holding = new Set<Readable>();

  constructor(
    private readonly ws: WebSocket,
    readonly protocol: string,
  ) {
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => this.received(toBuffer(data)));
    ws.on('close', () => {
      for (const reader of this.readers.values()) reader.push(null);
      this.readers.clear();
    });
    ws.on('error', () => ws.terminate());
  }

  private received(message: Buffer): void {
    const event = parseChannelMessage(message, this.protocol);
    if (!event) return;
    if ('closeChannel' in event) {
      this.readers.get(event.closeChannel)?.push(null);
      this.readers.delete(event.closeChannel);
      return;
    }
    const reader = this.readers.get(event.channel);
    if (reader && !reader.push(event.data)) this.hold(reader); // unknown channels are ignored, as clients do
  }

  private hold(reader: Readable): void {
    this.holding.add(reader);
    if (this.holding.size === 1) this.ws.pause();
  }

  private release(reader: Readable): void {
    if (this.holding.delete(reader) && this.holding.size === 0) this.ws.resume();
  }

  /** What the client sends on `channel`; it ends with v5's close message or with the connection. */
  reader(channel: number): Readable {
    const reader: Readable = new Readable({ read: () => this.release(reader) });
    this.readers.set(channel, reader);
    return reader;
  }

  /** Each write is one message on `channel`. Ending the writer sends nothing: channels end with the connection. */
  writer(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.ws.readyState !== this.ws.OPEN) return callback(); // the client is gone: nobody reads it
        this.ws.send(channelMessage(channel, chunk), { binary: true }, () => callback());
      },
    });
  }

  /** A channel both ways: what the client sends on it, and what is written to it. */
  duplex(channel: number): Duplex {
    return Duplex.from({ readable: this.reader(channel), writable: this.writer(channel) });
  }

  /** Ends the connection normally, after every message written so far. */
  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(NORMAL_CLOSURE);
  }

  /** Resolves when the connection is closed, by either side. */
  closed(): Promise<void> {
    if (this.ws.readyState === this.ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.ws.once('close', () => resolve()));
  }
}
