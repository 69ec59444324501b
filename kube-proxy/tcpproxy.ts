// A userspace TCP proxy for one service port on one address: each accepted connection is piped to an
// endpoint the balancer picks. With no endpoint the connection is reset at once, never left hanging; a
// connection with no byte either way for the idle timeout is closed (as conntrack forgets an idle flow),
// so idle clients cannot hold the proxy's sockets forever.
//
// What it costs per byte is most of what the userspace mode costs (bench/kubeproxy.ts), so the hot path
// does as little as it can: replies, the bulk of the bytes, are read from the endpoint into a buffer of our
// own that grows for bulk transfers (`onread`: one read and one write move up to MAX_READ_BYTES, and no
// Buffer is allocated per read), and bytes are counted from the sockets' own totals when asked (`countTransferred`, at each
// /metrics scrape) and at close, not per chunk.
import net from 'node:net';
import type { Endpoint } from './loadbalancer';

export interface ProxyHooks {
  pick(clientIP: string): Endpoint | undefined;
  opened(endpoint: Endpoint): void;
  closed(endpoint: Endpoint, bytes: number): void;
  /** Bytes forwarded to the endpoint and back from it since the last report. */
  transferred(endpoint: Endpoint, toEndpoint: number, fromEndpoint: number): void;
}

export interface TCPProxyOptions {
  idleTimeoutMs: number;
}

export interface TCPProxy {
  server: net.Server;
  /** Reports the bytes every open connection moved since its last report (closed ones reported at close). */
  countTransferred(): void;
}

/**
 * Reads from an endpoint start at libuv's usual 64 KiB and grow 4x each time a read fills its buffer, up to
 * 1 MiB: a bulk reply then moves in few large reads and writes, while the many short connections of small
 * requests never allocate (and collect) a large buffer each.
 */
export const FIRST_READ_BYTES = 64 << 10;
export const MAX_READ_BYTES = 1 << 20;

/** A connection's byte counts as last reported, so each report carries only what is new. */
function byteCounter(endpoint: Endpoint, client: net.Socket, backend: net.Socket, hooks: ProxyHooks): () => void {
  let toEndpoint = 0;
  let fromEndpoint = 0;
  return () => {
    const to = client.bytesRead - toEndpoint;
    const from = backend.bytesRead - fromEndpoint;
    toEndpoint += to;
    fromEndpoint += from;
    if (to || from) hooks.transferred(endpoint, to, from);
  };
}

/**
 * Dials the endpoint and copies what it sends to `client`, reading into a buffer of our own. The buffer is
 * used again for the next read only if the last write to the client took all of it at once (the kernel
 * copied it) and it needs no growing; a write still queued holds on to its buffer, so the next read gets a
 * new one.
 */
function dial(endpoint: Endpoint, client: net.Socket): net.Socket {
  let buffer = Buffer.allocUnsafe(FIRST_READ_BYTES);
  let size = buffer.length;
  const backend: net.Socket = net.connect({
    host: endpoint.ip,
    port: endpoint.port,
    noDelay: true,
    allowHalfOpen: true,
    onread: {
      buffer: () => (client.writableLength === 0 && buffer.length === size ? buffer : (buffer = Buffer.allocUnsafe(size))),
      // Backpressure: stop reading from the endpoint while the client is slower, until it drains.
      callback: (bytes, buf) => {
        if (bytes === buf.length) size = Math.min(size * 4, MAX_READ_BYTES);
        if (!client.write(buf.subarray(0, bytes))) backend.pause();
        return true; // (false would stop reading too, but only pause() is undone by resume())
      },
    },
  });
  client.on('drain', () => backend.resume());
  backend.on('end', () => client.end());
  return backend;
}

export function listenTCP(address: string, port: number, hooks: ProxyHooks, opts: TCPProxyOptions): Promise<TCPProxy> {
  const open = new Set<() => void>();
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    const endpoint = hooks.pick(client.remoteAddress ?? '');
    if (!endpoint) {
      client.resetAndDestroy();
      return;
    }
    hooks.opened(endpoint);
    const backend = dial(endpoint, client);
    // pipe() applies backpressure from the endpoint to the client; an error on either side resets the other.
    client.pipe(backend);
    const count = byteCounter(endpoint, client, backend, hooks);
    open.add(count);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      open.delete(count);
      count();
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
    // Every byte either way passes through `client` (read or written), so its timer sees all traffic.
    client.setTimeout(opts.idleTimeoutMs, () => {
      client.destroy();
      backend.destroy();
    });
  });
  const proxy: TCPProxy = { server, countTransferred: () => open.forEach((count) => count()) };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, backlog: 1024 }, () => {
      server.off('error', reject);
      resolve(proxy);
    });
  });
}
