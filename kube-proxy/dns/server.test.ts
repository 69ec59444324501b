// The cluster DNS server on loopback, with a fake upstream resolver on loopback too: real sockets, real
// DNS messages (dns-packet), no cluster.
import dgram from 'node:dgram';
import * as packet from 'dns-packet';
import type { Service } from '../../shared/api/core';
import { newLogger } from '../../shared/log';
import { podOrHostClient, serveWhenLocal, startDNS } from './server';

const log = newLogger('test').child({}, { level: 'silent' });

const services: Record<string, Service> = {
  'default/web': { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ port: 80 }] } },
  'default/alias': {
    metadata: { name: 'alias', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' },
  },
  'default/ext': { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
  'default/ext2': { metadata: { name: 'ext2', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.org' } },
  'default/long': {
    metadata: { name: 'long', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: `${'a'.repeat(64)}.example.com` },
  },
};
const state = { service: (ns: string, n: string) => services[`${ns}/${n}`], endpoints: () => undefined };

type Upstream = (query: packet.Packet, from: dgram.RemoteInfo, socket: dgram.Socket) => void;

/** A fake resolver on loopback; `onQuery` decides what it does with each query. */
async function fakeUpstream(onQuery: Upstream) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => onQuery(packet.decode(msg), from, socket));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return socket;
}

const answerA = (query: packet.Packet, ip: string, id = query.id): Buffer =>
  packet.encode({
    id,
    type: 'response',
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
    questions: query.questions,
    answers: [{ type: 'A', name: query.questions![0].name, class: 'IN', ttl: 60, data: ip }],
  });

async function dnsServer(upstream?: dgram.Socket, maxConcurrent = 256) {
  const free = dgram.createSocket('udp4');
  await new Promise<void>((r) => free.bind(0, '127.0.0.1', () => r()));
  const port = free.address().port;
  free.close();
  const server = await startDNS('127.0.0.1', 'cluster.local', state, log, () => true, {
    port,
    upstream: upstream ? { address: '127.0.0.1', port: upstream.address().port } : undefined,
    maxConcurrent,
    upstreamTimeoutMs: 10_000,
  });
  return { server, port };
}

let nextId = 1;
/** Sends one query and waits for the answer to it. */
function lookup(port: number, name: string, type: 'A' | 'CNAME' = 'A'): Promise<packet.Packet> {
  const id = nextId++;
  const client = dgram.createSocket('udp4');
  return new Promise<packet.Packet>((resolve) => {
    client.on('message', (msg) => {
      const reply = packet.decode(msg);
      if (reply.id === id) resolve(reply);
    });
    client.send(
      packet.encode({ id, type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] }),
      port,
      '127.0.0.1',
    );
  }).finally(() => client.close());
}

/** The rcode and the answers, one `name type data` line each. */
const summary = (p: packet.Packet) => ({
  rcode: (p as packet.Packet & { rcode: string }).rcode,
  answers: (p.answers ?? []).map((a) => `${a.name} ${a.type} ${String((a as { data: unknown }).data)}`),
});

describe('cluster DNS server', () => {
  it('answers SERVFAIL for an ExternalName no DNS message can hold, and goes on answering', async () => {
    const { server, port } = await dnsServer();
    expect(summary(await lookup(port, 'long.default.svc.cluster.local'))).toEqual({ rcode: 'SERVFAIL', answers: [] });
    expect(summary(await lookup(port, 'web.default.svc.cluster.local'))).toEqual({
      rcode: 'NOERROR',
      answers: ['web.default.svc.cluster.local A 10.96.0.20'],
    });
    server.close();
  });

  it('answers an alias to an in-cluster Service with the CNAME and the target address', async () => {
    const { server, port } = await dnsServer();
    expect(summary(await lookup(port, 'alias.default.svc.cluster.local'))).toEqual({
      rcode: 'NOERROR',
      answers: ['alias.default.svc.cluster.local CNAME web.default.svc.cluster.local', 'web.default.svc.cluster.local A 10.96.0.20'],
    });
    server.close();
  });

  it('chases an outside target through the upstream resolver', async () => {
    const upstream = await fakeUpstream((q, from, s) => s.send(answerA(q, '192.0.2.1'), from.port, from.address));
    const { server, port } = await dnsServer(upstream);
    expect(summary(await lookup(port, 'ext.default.svc.cluster.local'))).toEqual({
      rcode: 'NOERROR',
      answers: ['ext.default.svc.cluster.local CNAME example.com', 'example.com A 192.0.2.1'],
    });
    expect(summary(await lookup(port, 'ext.default.svc.cluster.local', 'CNAME')).answers).toEqual([
      'ext.default.svc.cluster.local CNAME example.com',
    ]);
    server.close();
    upstream.close();
  });

  it('keeps the CNAME when upstream has no such target (NXDOMAIN) or fails (then NOERROR, as CoreDNS answers)', async () => {
    const upstream = await fakeUpstream((q, from, s) => {
      const rcode = q.questions![0].name === 'example.com' ? 3 : 2; // NXDOMAIN for the target, SERVFAIL otherwise
      s.send(
        packet.encode({ id: q.id, type: 'response', flags: packet.RECURSION_AVAILABLE | rcode, questions: q.questions }),
        from.port,
        from.address,
      );
    });
    const { server, port } = await dnsServer(upstream);
    expect(summary(await lookup(port, 'ext.default.svc.cluster.local'))).toEqual({
      rcode: 'NXDOMAIN',
      answers: ['ext.default.svc.cluster.local CNAME example.com'],
    });
    expect(summary(await lookup(port, 'ext2.default.svc.cluster.local'))).toEqual({
      rcode: 'NOERROR',
      answers: ['ext2.default.svc.cluster.local CNAME example.org'],
    });
    server.close();
    upstream.close();
  });

  it('takes upstream replies only from the upstream, and only for the query asked', async () => {
    const rogue = dgram.createSocket('udp4');
    await new Promise<void>((r) => rogue.bind(0, '127.0.0.1', () => r()));
    // Before answering, the upstream has a rogue socket answer to the forwarder's port, then answers itself
    // with a wrong ID: neither may reach the client.
    const upstream = await fakeUpstream((q, from, s) =>
      rogue.send(answerA(q, '6.6.6.6'), from.port, from.address, () =>
        s.send(answerA(q, '6.6.6.7', (q.id! + 1) % 0x10000), from.port, from.address, () =>
          s.send(answerA(q, '192.0.2.1'), from.port, from.address),
        ),
      ),
    );
    const { server, port } = await dnsServer(upstream);
    expect(summary(await lookup(port, 'example.com'))).toEqual({ rcode: 'NOERROR', answers: ['example.com A 192.0.2.1'] });
    expect(summary(await lookup(port, 'ext.default.svc.cluster.local')).answers).toEqual([
      'ext.default.svc.cluster.local CNAME example.com',
      'example.com A 192.0.2.1',
    ]);
    server.close();
    upstream.close();
    rogue.close();
  });

  it('keeps at most maxConcurrent queries upstream, refusing the rest at once', async () => {
    const held: (() => void)[] = [];
    const seen: (() => void)[] = [];
    const upstream = await fakeUpstream((q, from, s) => {
      held.push(() => s.send(answerA(q, '192.0.2.1'), from.port, from.address));
      seen.shift()?.();
    });
    const { server, port } = await dnsServer(upstream, 1);
    const upstreamHasIt = new Promise<void>((r) => seen.push(r));
    const first = lookup(port, 'one.example.com');
    await upstreamHasIt;
    expect(summary(await lookup(port, 'two.example.com')).rcode).toBe('REFUSED');
    held.shift()!();
    expect(summary(await first).answers).toEqual(['one.example.com A 192.0.2.1']);
    server.close();
    upstream.close();
  });
});

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
    dns = await startDNS(server, 'cluster.local', empty, log, (ip) => ip === pod);
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
