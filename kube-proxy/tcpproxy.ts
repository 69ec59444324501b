// A userspace TCP proxy for one service port on one address: each accepted connection is piped to an
// endpoint the balancer picks. With no endpoint the connection is reset at once, never left hanging; a
// connection with no byte either way for the idle timeout is closed (as conntrack forgets an idle flow),
// so idle clients cannot hold the proxy's sockets forever.
import net from 'node:net';
import type { Endpoint } from './loadbalancer';

export interface ProxyHooks {
  pick(clientIP: string): Endpoint | undefined;
  opened(endpoint: Endpoint): void;
  closed(endpoint: Endpoint, bytes: number): void;
  /** Bytes forwarded to the endpoint and back from it, counted as they pass. */
  transferred(endpoint: Endpoint, toEndpoint: number, fromEndpoint: number): void;
}

export interface TCPProxyOptions {
  idleTimeoutMs: number;
}

export function listenTCP(address: string, port: number, hooks: ProxyHooks, opts: TCPProxyOptions): Promise<net.Server> {
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    const endpoint = hooks.pick(client.remoteAddress ?? '');
    if (!endpoint) {
      client.resetAndDestroy();
      return;
    }
    hooks.opened(endpoint);
    const backend = net.connect({ host: endpoint.ip, port: endpoint.port, noDelay: true, allowHalfOpen: true });
    // pipe() applies backpressure both ways; an error on either side resets the other.
    client.pipe(backend);
    backend.pipe(client);
    client.on('data', (chunk: Buffer) => hooks.transferred(endpoint, chunk.length, 0));
    backend.on('data', (chunk: Buffer) => hooks.transferred(endpoint, 0, chunk.length));
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      hooks.closed(endpoint, client.bytesRead + client.bytesWritten);
    };
    backend.on('error', () => {
      client.resetAndDestroy();
      finish();
    });
    client.on('error', () => {
      backend.resetAndDestroy();
      finish();
    });
    client.on('close', finish);
    // Every byte either way passes through `client`, so its timer sees all traffic.
    client.setTimeout(opts.idleTimeoutMs, () => {
      client.destroy();
      backend.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, backlog: 1024 }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
