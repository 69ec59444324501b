// Upgrade requests (exec, attach, port-forward; any WebSocket) go through the same express app as every
// other request, so they are authenticated, authorized and logged the same way. Node hands them to the
// server's 'upgrade' listener with the bare socket; serveUpgrades gives each an ordinary response over
// that socket (for errors) and keeps the socket for the handler that takes the connection over.
//
// proxyUpgrade is Kubernetes' UpgradeAwareHandler: it sends the upgrade request on to a backend (a
// kubelet) and, when the backend switches protocols, splices the client's connection and the backend's,
// so the two ends agree on the protocol between themselves. Any other answer is relayed as it is.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response } from 'express';
import { dialErrorText } from '../../shared/dialerror';
import { badRequest, StatusError, statusFailure } from '../../shared/errors';
import { upgradeResponse } from '../../shared/streaming/httpstream';

const upgrades = new WeakMap<http.IncomingMessage, { socket: Duplex; head: Buffer }>();

export function serveUpgrades(server: http.Server, app: (req: http.IncomingMessage, res: http.ServerResponse) => void): void {
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    upgrades.set(req, { socket, head });
    app(req, upgradeResponse(req, socket));
  });
}

/** Request headers that stay here: the caller's credentials are for the apiserver, not the backend. */
const NOT_FORWARDED = /^(authorization|impersonate-.*|host|proxy-.*)$/i;

export function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(req.headers).filter(([name]) => !NOT_FORWARDED.test(name)));
}

/** A 500 without a reason, as Kubernetes answers when the backend cannot be reached. */
const backendError = (message: string) => new StatusError(statusFailure(500, '', message));

/**
 * Sends the upgrade request to the backend (`dial` starts the request with the headers to send) and
 * serves its answer: a spliced connection after a 101, the backend's response otherwise.
 */
export function proxyUpgrade(req: Request, res: Response, dial: (headers: http.OutgoingHttpHeaders) => http.ClientRequest): Promise<void> {
  const client = upgrades.get(req);
  if (!client) throw badRequest('Upgrade request required');
  return new Promise<void>((resolve, reject) => {
    const backend = dial(forwardedHeaders(req));
    backend.on('upgrade', (answer: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      res.statusCode = 101; // for the request log, written when the connection closes
      const lines = [`HTTP/1.1 101 ${answer.statusMessage || 'Switching Protocols'}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      client.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) client.socket.write(head);
      if (client.head.length) socket.write(client.head);
      splice(client.socket, socket);
      resolve();
    });
    backend.on('response', (answer: http.IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, {
        'Content-Type': answer.headers['content-type'] ?? 'text/plain',
      });
      answer.pipe(res);
      answer.on('end', resolve);
      answer.on('error', () => resolve());
    });
    backend.on('error', (err: NodeJS.ErrnoException & { address?: string; port?: number }) => {
      const why = err.syscall === 'connect' && err.address && err.port ? dialErrorText('tcp', err.address, err.port, err) : err.message;
      reject(backendError(`error dialing backend: ${why}`));
    });
    backend.end();
  });
}

/** Joins two connections both ways; when either closes, so does the other. */
function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  for (const s of [a, b]) {
    s.on('close', close);
    s.on('error', close);
  }
}
