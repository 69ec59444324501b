// The TCP and UDP proxies on loopback: real sockets, no cluster (time from a fake clock where it matters).
import dgram from 'node:dgram';
import net from 'node:net';
import { FakeClock, realClock } from '../shared/clock';
import type { Endpoint } from './loadbalancer';
import { listenTCP } from './tcpproxy';
import { listenUDP, UDPProxyOptions } from './udpproxy';

const hooks = (...endpoints: (Endpoint | undefined)[]) => {
  let next = 0;
  return { pick: jest.fn(() => endpoints[next++ % endpoints.length]), opened: jest.fn(), closed: jest.fn(), transferred: jest.fn() };
};
const HOUR = 3_600_000;

function echoServer(): Promise<net.Server> {
  const s = net.createServer((c) => c.pipe(c));
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

const port = (s: net.Server) => (s.address() as net.AddressInfo).port;

describe('TCP proxy', () => {
  it('pipes bytes both ways to the picked endpoint', async () => {
    const echo = await echoServer();
    const h = hooks({ ip: '127.0.0.1', port: port(echo) });
    const proxy = await listenTCP('127.0.0.1', 0, h, { idleTimeoutMs: HOUR });
    const reply = await new Promise<string>((resolve) => {
      const c = net.connect(port(proxy.server), '127.0.0.1', () => c.end('ping'));
      let data = '';
      c.on('data', (d) => (data += d));
      c.on('close', () => resolve(data));
    });
    expect(reply).toBe('ping');
    expect(h.opened).toHaveBeenCalledTimes(1);
    proxy.server.close();
    echo.close();
  });

  it('counts the bytes each way for the endpoint, when asked and at close', async () => {
    const echo = await echoServer();
    const endpoint = { ip: '127.0.0.1', port: port(echo) };
    const h = hooks(endpoint);
    const proxy = await listenTCP('127.0.0.1', 0, h, { idleTimeoutMs: HOUR });
    const sum = (i: number) => h.transferred.mock.calls.reduce((n: number, call: unknown[]) => n + (call[i] as number), 0);
    const c = net.connect(port(proxy.server), '127.0.0.1');
    c.write('0123456789');
    await new Promise((r) => c.once('data', r));
    proxy.countTransferred();
    expect([sum(1), sum(2)]).toEqual([10, 10]);
    proxy.countTransferred(); // nothing new: nothing reported
    expect(h.transferred).toHaveBeenCalledTimes(1);
    c.end('abcde');
    c.resume();
    await new Promise((r) => c.on('close', r));
    await new Promise((r) => setImmediate(r));
    proxy.countTransferred(); // the connection is gone: its last bytes were reported at close
    expect(h.transferred.mock.calls.every((call: unknown[]) => call[0] === endpoint)).toBe(true);
    expect([sum(1), sum(2)]).toEqual([15, 15]);
    proxy.server.close();
    echo.close();
  });

  it('delivers every byte in order to a client that reads slower than the endpoint sends', async () => {
    // 8 MiB of a counting pattern, far more than the socket buffers hold, so the proxy's writes queue; sent
    // in 4 KiB pieces, so that the proxy also reads small pieces and a write still queued can be a small one.
    const sent = Buffer.alloc(8 << 20);
    for (let i = 0; i < sent.length; i += 4) sent.writeUInt32LE(i, i);
    const source = net.createServer((s) => {
      const next = (at: number): void => {
        if (at >= sent.length) s.end();
        else if (s.write(sent.subarray(at, at + 4096))) setImmediate(() => next(at + 4096));
        else s.once('drain', () => next(at + 4096));
      };
      next(0);
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', () => r()));
    const proxy = await listenTCP('127.0.0.1', 0, hooks({ ip: '127.0.0.1', port: port(source) }), { idleTimeoutMs: HOUR });
    const received = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const c = net.connect(port(proxy.server), '127.0.0.1');
      c.pause();
      setTimeout(() => c.resume(), 200); // the proxy meanwhile fills the client's socket and must stop reading
      let reads = 0;
      c.on('data', (d: Buffer) => {
        chunks.push(d);
        if (++reads % 4 === 0) {
          c.pause();
          setTimeout(() => c.resume(), 5);
        }
      });
      c.on('end', () => resolve(Buffer.concat(chunks)));
    });
    expect(received.length).toBe(sent.length);
    expect(received.equals(sent)).toBe(true);
    proxy.server.close();
    source.close();
  });

  it('resets a connection at once when the service has no endpoints', async () => {
    const proxy = await listenTCP('127.0.0.1', 0, hooks(undefined), { idleTimeoutMs: HOUR });
    // A reset (RST) is an ECONNRESET error on the client; a plain close (FIN) would be an 'end' first.
    const ending = await new Promise<string>((resolve) => {
      const c = net.connect(port(proxy.server), '127.0.0.1');
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      c.on('end', () => resolve('end'));
      c.on('close', () => resolve('closed'));
    });
    expect(ending).toBe('ECONNRESET');
    proxy.server.close();
  });

  it('closes a connection that stays idle for the timeout, on both sides', async () => {
    const backend = net.createServer();
    const backendClosed = new Promise<void>((resolve) => backend.on('connection', (c) => c.on('close', () => resolve())));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
    const h = hooks({ ip: '127.0.0.1', port: port(backend) });
    const proxyClosed = new Promise<void>((resolve) => h.closed.mockImplementation(() => resolve()));
    const proxy = await listenTCP('127.0.0.1', 0, h, { idleTimeoutMs: 50 });
    const client = net.connect(port(proxy.server), '127.0.0.1').on('error', () => undefined); // connects and says nothing
    await Promise.all([new Promise((r) => client.on('close', r)), backendClosed, proxyClosed]);
    expect(h.closed).toHaveBeenCalledTimes(1);
    proxy.server.close();
    backend.close();
  });
});

async function udpSocket(onMessage?: (msg: Buffer, r: dgram.RemoteInfo, s: dgram.Socket) => void): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  if (onMessage) s.on('message', (m, r) => onMessage(m, r, s));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

const echo = () => udpSocket((msg, r, s) => s.send(Buffer.concat([Buffer.from('echo:'), msg]), r.port, r.address));
const endpointOf = (s: dgram.Socket): Endpoint => ({ ip: '127.0.0.1', port: s.address().port });

/** A UDP proxy on a free loopback port. */
async function udpProxy(h: ReturnType<typeof hooks>, opts: UDPProxyOptions = { clock: realClock, idleTimeoutMs: HOUR, maxSessions: 100 }) {
  const free = await udpSocket();
  const proxyPort = free.address().port;
  free.close();
  const proxy = await listenUDP('127.0.0.1', proxyPort, h, opts);
  return { proxy, port: proxyPort };
}

/** A client socket that collects what it receives; `next()` waits for the next datagram. */
async function udpClient() {
  const received: string[] = [];
  const waiters: ((m: string) => void)[] = [];
  const socket = await udpSocket((m) => {
    const waiter = waiters.shift();
    if (waiter) waiter(m.toString());
    else received.push(m.toString());
  });
  const next = () => new Promise<string>((resolve) => (received.length ? resolve(received.shift()!) : waiters.push(resolve)));
  return { socket, next };
}

describe('UDP proxy', () => {
  it('forwards datagrams and their replies, per client session', async () => {
    const backend = await echo();
    const h = hooks(endpointOf(backend));
    const { proxy, port: proxyPort } = await udpProxy(h);
    const client = await udpClient();
    client.socket.send('hello', proxyPort, '127.0.0.1');
    client.socket.send('again', proxyPort, '127.0.0.1'); // likely before the session's socket is connected
    expect([await client.next(), await client.next()]).toEqual(['echo:hello', 'echo:again']);
    expect(h.pick).toHaveBeenCalledTimes(1);
    // 'hello' and 'again' went to the endpoint, 'echo:hello' and 'echo:again' came back.
    const sum = (i: number) => h.transferred.mock.calls.reduce((n: number, call: unknown[]) => n + (call[i] as number), 0);
    expect([sum(1), sum(2)]).toEqual([10, 20]);
    client.socket.close();
    proxy.close();
    backend.close();
  });

  it('takes replies only from the endpoint it asked', async () => {
    const rogue = await udpSocket();
    // The backend first has a rogue socket send to the proxy's session socket, then answers itself.
    const backend = await udpSocket((msg, r, s) =>
      rogue.send('spoofed', r.port, r.address, () => s.send(Buffer.concat([Buffer.from('echo:'), msg]), r.port, r.address)),
    );
    const { proxy, port: proxyPort } = await udpProxy(hooks(endpointOf(backend)));
    const client = await udpClient();
    client.socket.send('one', proxyPort, '127.0.0.1');
    expect(await client.next()).toBe('echo:one');
    client.socket.send('two', proxyPort, '127.0.0.1');
    expect(await client.next()).toBe('echo:two');
    for (const s of [client.socket, rogue, backend]) s.close();
    proxy.close();
  });

  it('ends a session whose endpoint refuses, so the next datagram goes to another endpoint', async () => {
    const gone = await udpSocket();
    const dead = endpointOf(gone);
    gone.close(); // nothing listens there: the kernel answers port unreachable
    const backend = await echo();
    const h = hooks(dead, endpointOf(backend));
    const refused = new Promise<void>((resolve) => h.closed.mockImplementation(() => resolve()));
    const { proxy, port: proxyPort } = await udpProxy(h);
    const client = await udpClient();
    client.socket.send('lost', proxyPort, '127.0.0.1');
    await refused;
    expect(h.closed).toHaveBeenCalledWith(dead, 0);
    client.socket.send('retry', proxyPort, '127.0.0.1'); // the same client socket, as a resolver retries
    expect(await client.next()).toBe('echo:retry');
    client.socket.close();
    proxy.close();
    backend.close();
  });

  it('keeps at most maxSessions, closing the least recently used, and closes idle sessions on the clock', async () => {
    const backend = await echo();
    const h = hooks(endpointOf(backend));
    const clock = new FakeClock();
    const { proxy, port: proxyPort } = await udpProxy(h, { clock, idleTimeoutMs: 1000, maxSessions: 2 });
    const clients = [await udpClient(), await udpClient(), await udpClient()];
    for (const c of clients.slice(0, 2)) {
      c.socket.send('hi', proxyPort, '127.0.0.1');
      expect(await c.next()).toBe('echo:hi');
    }
    expect(h.closed).not.toHaveBeenCalled();
    clients[2].socket.send('hi', proxyPort, '127.0.0.1'); // a third client: the first session goes
    expect(await clients[2].next()).toBe('echo:hi');
    expect(h.opened).toHaveBeenCalledTimes(3);
    expect(h.closed).toHaveBeenCalledTimes(1);
    clock.step(1000);
    expect(h.closed).toHaveBeenCalledTimes(3);
    for (const c of clients) c.socket.close();
    proxy.close();
    backend.close();
  });
});
