// The HTTP side of Kubernetes' streaming protocols (apimachinery's httpstream): telling a SPDY upgrade
// from a WebSocket one, agreeing on a sub-protocol, and answering an upgrade request, with 101 or with a
// plain HTTP error when it cannot be upgraded.
//
// Node hands upgrade requests to the server's 'upgrade' listener with the bare socket, not to the
// request listener: `upgradeResponse` gives such a request an ordinary ServerResponse, so that errors
// are written as they are for any other request.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { SpdyConnection } from './spdyconnection';

export const HEADER_PROTOCOL_VERSION = 'X-Stream-Protocol-Version';
export const HEADER_ACCEPTED_PROTOCOL_VERSIONS = 'X-Accepted-Stream-Protocol-Versions';
export const SPDY_31 = 'SPDY/3.1';

const tokens = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');

const hasToken = (value: string | string[] | undefined, token: string) =>
  tokens(value).some((t) => t.toLowerCase() === token.toLowerCase());

export function isUpgradeRequest(req: http.IncomingMessage): boolean {
  return hasToken(req.headers.connection, 'upgrade') && req.headers.upgrade !== undefined;
}

export function isWebSocketRequest(req: http.IncomingMessage): boolean {
  return isUpgradeRequest(req) && hasToken(req.headers.upgrade, 'websocket');
}

export function isSpdyRequest(req: http.IncomingMessage): boolean {
  return isUpgradeRequest(req) && hasToken(req.headers.upgrade, SPDY_31);
}

/** The sub-protocols a WebSocket client offers (Sec-WebSocket-Protocol), in its order. */
export const webSocketProtocols = (req: http.IncomingMessage) => tokens(req.headers['sec-websocket-protocol']);

/** The first protocol the client offers that the server speaks: the client's preference wins, as in httpstream. */
export function negotiateProtocol(client: string[], server: readonly string[]): string | undefined {
  return client.find((p) => server.includes(p));
}

/** A failed handshake: the HTTP status and text to answer with. */
export class HandshakeError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly headers: Record<string, string | string[]> = {},
  ) {
    super(message);
    this.name = 'HandshakeError';
  }
}

const goList = (items: readonly string[]) => `[${items.join(' ')}]`;

/** httpstream.Handshake: the protocol both sides speak, from the client's X-Stream-Protocol-Version headers. */
export function spdyHandshake(req: http.IncomingMessage, serverProtocols: readonly string[]): string {
  const client = tokens(req.headers[HEADER_PROTOCOL_VERSION.toLowerCase()]);
  if (!client.length) throw new HandshakeError(400, `unable to upgrade: ${HEADER_PROTOCOL_VERSION} is required`);
  const protocol = negotiateProtocol(client, serverProtocols);
  if (!protocol) {
    throw new HandshakeError(
      403,
      `unable to upgrade: unable to negotiate protocol: client supports ${goList(client)}, server accepts ${goList(serverProtocols)}`,
      { [HEADER_ACCEPTED_PROTOCOL_VERSIONS]: [...serverProtocols] },
    );
  }
  return protocol;
}

/**
 * Switches the connection to SPDY/3.1 (`101 Switching Protocols` naming the agreed protocol) and
 * returns the SPDY connection over the socket. `head` holds bytes the client sent after its request.
 */
export function upgradeToSpdy(socket: Duplex, head: Buffer, protocol: string): SpdyConnection {
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${SPDY_31}\r\n${HEADER_PROTOCOL_VERSION}: ${protocol}\r\n\r\n`,
  );
  const connection = new SpdyConnection(socket);
  connection.receivedEarly(head);
  return connection;
}

/** A response for an upgrade request that is answered without upgrading (an error, a redirect): the socket closes after it. */
export function upgradeResponse(req: http.IncomingMessage, socket: Duplex): http.ServerResponse {
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Parameters<http.ServerResponse['assignSocket']>[0]);
  res.on('finish', () => {
    res.detachSocket(socket as Parameters<http.ServerResponse['detachSocket']>[0]);
    socket.end();
  });
  return res;
}

/** Answers an upgrade request with a plain-text HTTP error. */
export function refuseUpgrade(req: http.IncomingMessage, socket: Duplex, code: number, message: string, headers = {}): void {
  const res = upgradeResponse(req, socket);
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(message);
}
