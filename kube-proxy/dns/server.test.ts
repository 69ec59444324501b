import dgram from 'node:dgram';
import * as packet from 'dns-packet';
import pino from 'pino';
import { podOrHostClient, serveWhenLocal, startDNS } from './server';

describe('podOrHostClient', () => {
  const admits = podOrHostClient('10.244.0.0/16', (ip) => ip === '192.168.1.5' || ip === '10.96.0.10');

  it('admits pods of the cluster CIDR and the addresses of this host', () => {
    expect(admits('10.244.3.7')).toBe(true);
    expect(admits('192.168.1.5')).toBe(true);
    expect(admits('10.96.0.10')).toBe(true);
  });

  it('ignores anyone else: a neighbour on the same network, an address outside the pod network', () => {
    expect(admits('192.168.1.6')).toBe(false);
    expect(admits('10.245.0.1')).toBe(false);
  });
});

describe('startDNS', () => {
  // Two clients on loopback addresses of their own; the server admits only the second.
  const server = `127.0.53.${2 + Math.floor(Math.random() * 200)}`;
  const [stranger, pod] = ['127.0.54.1', '127.0.54.2'];
  const empty = { service: () => undefined, endpoints: () => undefined };
  let dns: dgram.Socket;

  beforeAll(async () => {
    dns = await startDNS(server, 'cluster.local', empty, pino({ level: 'silent' }), (ip) => ip === pod);
  });
  afterAll(() => dns.close());

  const client = (address: string) =>
    new Promise<dgram.Socket>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.bind(0, address, () => resolve(s));
    });
  const query = (id: number) =>
    packet.encode({ id, type: 'query', questions: [{ type: 'A', name: 'kubernetes.default.svc.cluster.local' }] });

  it('answers an admitted client and never a stranger', async () => {
    const [s, p] = await Promise.all([client(stranger), client(pod)]);
    try {
      const strangerGot: Buffer[] = [];
      s.on('message', (m) => strangerGot.push(m));
      const answered = new Promise<packet.Packet>((resolve) => p.once('message', (m) => resolve(packet.decode(m))));
      // The stranger asks first: the server handles datagrams in order, so an answer to it would come first.
      await new Promise((sent) => s.send(query(1), 53, server, sent));
      p.send(query(2), 53, server);
      const reply = await answered;
      expect(reply.id).toBe(2);
      expect(reply.type).toBe('response');
      expect(strangerGot).toEqual([]);
    } finally {
      s.close();
      p.close();
    }
  });
});

describe('serveWhenLocal', () => {
  const log = pino({ level: 'silent' });
  const addrNotAvail = () => Object.assign(new Error('bind EADDRNOTAVAIL 10.96.0.10:53'), { code: 'EADDRNOTAVAIL' });

  it('waits as long as it takes for the address to be local, then serves once', async () => {
    let polls = 0;
    const served: string[] = [];
    await serveWhenLocal(
      '10.96.0.10',
      () => ++polls > 500, // far past any fixed deadline
      async () => void served.push('bound'),
      log,
      async () => undefined,
    );
    expect(polls).toBe(501);
    expect(served).toEqual(['bound']);
  });

  it('tries again when the address went away between the check and the bind', async () => {
    let binds = 0;
    await serveWhenLocal(
      '10.96.0.10',
      () => true,
      async () => {
        if (++binds === 1) throw addrNotAvail();
      },
      log,
      async () => undefined,
    );
    expect(binds).toBe(2);
  });

  it('gives up on any other error (port 53 taken)', async () => {
    const inUse = Object.assign(new Error('bind EADDRINUSE 10.96.0.10:53'), { code: 'EADDRINUSE' });
    await expect(
      serveWhenLocal(
        '10.96.0.10',
        () => true,
        () => Promise.reject(inUse),
        log,
        async () => undefined,
      ),
    ).rejects.toBe(inUse);
  });
});
