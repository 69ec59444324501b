// A TCP proxy that injects network faults between two real processes: it forwards every connection to
// one target, and on demand cuts all open connections, stalls them (both directions stop, the sockets
// stay open, as on a lossy link), or refuses new ones (accepted, then destroyed at once).
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export class FaultProxy {
  private readonly pairs = new Set<Pair>();
  private stalled = false;
  private refusing = false;

  private constructor(private readonly server: net.Server) {}

  /** Listens on 127.0.0.1 on a free port and forwards to `host:port`. */
  static async start(host: string, port: number): Promise<FaultProxy> {
    const server = net.createServer();
    const proxy = new FaultProxy(server);
    server.on('connection', (client) => proxy.accept(client, host, port));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>` (or another scheme) pointing at the proxy. */
  url(scheme = 'http'): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  /** How many connections are open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Destroys every open connection, both sides. */
  cut(): void {
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  /** Stops (true) or resumes (false) forwarding bytes on every connection, new ones included. */
  stall(on: boolean): void {
    this.stalled = on;
    for (const { client, upstream } of this.pairs) {
      for (const socket of [client, upstream]) {
        if (on) socket.pause();
        else socket.resume();
      }
    }
  }

  /** While on, every new connection is destroyed as soon as it is accepted. */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    forward(client, upstream);
    forward(upstream, client);
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.drop(pair));
      socket.on('close', () => this.drop(pair));
      if (this.stalled) socket.pause();
    }
  }

  private drop(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  }
}

/** Copies bytes from one socket to the other, and the end of the stream. */
function forward(from: net.Socket, to: net.Socket): void {
  from.on('data', (chunk) => {
    if (!to.destroyed) to.write(chunk);
  });
  from.on('end', () => to.end());
}
