// The TCP and UDP proxies on loopback: real sockets, no cluster.
import dgram from 'node:dgram';
import net from 'node:net';
import { listenTCP } from './tcpproxy';
import { listenUDP } from './udpproxy';

const hooks = (endpoint?: { ip: string; port: number }) => ({ pick: () => endpoint, opened: jest.fn(), closed: jest.fn() });

function echoServer(): Promise<net.Server> {
  const s = net.createServer((c) => c.pipe(c));
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

const port = (s: net.Server) => (s.address() as net.AddressInfo).port;

describe('TCP proxy', () => {
  it('pipes bytes both ways to the picked endpoint', async () => {
    const echo = await echoServer();
    const h = hooks({ ip: '127.0.0.1', port: port(echo) });
    const proxy = await listenTCP('127.0.0.1', 0, h);
    const reply = await new Promise<string>((resolve) => {
      const c = net.connect(port(proxy), '127.0.0.1', () => c.end('ping'));
      let data = '';
      c.on('data', (d) => (data += d));
      c.on('close', () => resolve(data));
    });
    expect(reply).toBe('ping');
    expect(h.opened).toHaveBeenCalledTimes(1);
    proxy.close();
    echo.close();
  });

  it('resets a connection at once when the service has no endpoints', async () => {
    const proxy = await listenTCP('127.0.0.1', 0, hooks(undefined));
    const error = await new Promise<string>((resolve) => {
      const c = net.connect(port(proxy), '127.0.0.1');
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      c.on('close', () => resolve('closed'));
    });
    expect(['ECONNRESET', 'closed']).toContain(error);
    proxy.close();
  });
});

describe('UDP proxy', () => {
  it('forwards datagrams and their replies, per client session', async () => {
    const backend = dgram.createSocket('udp4');
    backend.on('message', (msg, r) => backend.send(Buffer.concat([Buffer.from('echo:'), msg]), r.port, r.address));
    await new Promise<void>((r) => backend.bind(0, '127.0.0.1', () => r()));
    const h = hooks({ ip: '127.0.0.1', port: backend.address().port });
    const free = dgram.createSocket('udp4');
    await new Promise<void>((r) => free.bind(0, '127.0.0.1', () => r()));
    const proxyPort = free.address().port;
    free.close();
    const proxy = await listenUDP('127.0.0.1', proxyPort, h);
    const client = dgram.createSocket('udp4');
    const reply = await new Promise<string>((resolve) => {
      client.on('message', (m) => resolve(m.toString()));
      client.send('hello', proxyPort, '127.0.0.1');
    });
    expect(reply).toBe('echo:hello');
    client.close();
    proxy.close();
    backend.close();
  });
});
