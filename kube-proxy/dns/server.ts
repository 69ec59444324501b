// The cluster DNS server: UDP on the kube-dns ClusterIP (never on every address), for pods and this host
// only, answering names in the cluster domain from the informer caches and forwarding every other name
// to the host's resolver. An ExternalName whose target
// is outside the cluster is chased there too, so that a client gets the CNAME and the target's addresses
// in one answer (busybox's resolver does not follow a lone CNAME). Nothing a query or a Service contains
// can make the handler throw: an answer that cannot be written is a SERVFAIL.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import * as packet from 'dns-packet';
import { cidrContains, parseCidr } from '../../shared/cidr';
import type { Logger } from '../../shared/log';
import { Forwarder, hostNameserver, Upstream } from './forwarder';
import { ClusterState, resolve } from './resolver';

const TTL = 5;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };

export interface DNSOptions {
  port?: number;
  /** Where names outside the cluster go; the host's first nameserver by default. */
  upstream?: Upstream;
  /** Upstream queries out at once (each holds a socket). */
  maxConcurrent?: number;
  upstreamTimeoutMs?: number;
}

const rcodeOf = (flags: number | undefined) => (flags ?? 0) & 0xf;

/** Answers one query; undefined for a message that is not a DNS query at all. */
export async function answer(msg: Buffer, domain: string, state: ClusterState, forwarder?: Forwarder): Promise<Buffer | undefined> {
  let query: packet.Packet;
  try {
    query = packet.decode(msg);
  } catch {
    return undefined;
  }
  if (query.type !== 'query') return undefined;
  const reply = (rcode: number, answers: packet.Answer[] = []): packet.Packet => ({
    id: query.id,
    type: 'response',
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | packet.AUTHORITATIVE_ANSWER | rcode,
    questions: query.questions,
    answers,
  });
  const q = query.questions?.[0];
  if (!q) return encode(reply(RCODE.FORMERR));
  const r = resolve(q.name, q.type, domain, state);
  switch (r.kind) {
    case 'forward': {
      if (!forwarder) return encode(reply(RCODE.SERVFAIL));
      const upstream = await forwarder.exchange(msg);
      return upstream === 'busy' ? encode(reply(RCODE.REFUSED)) : upstream === 'failed' ? encode(reply(RCODE.SERVFAIL)) : upstream;
    }
    case 'nxdomain':
      return encode(reply(RCODE.NXDOMAIN));
    case 'servfail':
      return encode(reply(RCODE.SERVFAIL));
  }
  const answers = r.answers.map((a) => ({ ...a, class: 'IN' as const, ttl: TTL })) as packet.Answer[];
  if (!r.chase || !forwarder) return encode(reply(r.nxdomain ? RCODE.NXDOMAIN : RCODE.NOERROR, answers));
  const chased = await chase(forwarder, r.chase, q.type);
  const rcode = rcodeOf(chased?.flags);
  // Without an upstream answer the CNAME alone is still right (CoreDNS never sends more): the client may
  // chase it itself. A target that does not exist makes the answer NXDOMAIN, CNAME kept (RFC 6604).
  if (!chased || (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN)) return encode(reply(RCODE.NOERROR, answers));
  return encode(reply(rcode, [...answers, ...(chased.answers ?? [])]));
}

/** Asks the upstream resolver for `name`: the decoded reply, when it answers that very question. */
async function chase(forwarder: Forwarder, name: string, type: string): Promise<packet.Packet | undefined> {
  const id = randomInt(0x10000);
  const query = packet.encode({
    id,
    type: 'query',
    flags: packet.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' } as packet.Question],
  });
  const raw = await forwarder.exchange(query);
  if (typeof raw === 'string') return undefined;
  try {
    const reply = packet.decode(raw);
    const q = reply.questions?.[0];
    return reply.type === 'response' && q?.name.toLowerCase() === name && q.type === type ? reply : undefined;
  } catch {
    return undefined;
  }
}

/** The wire form of `reply`, or a SERVFAIL to the same question when it cannot be written. */
function encode(reply: packet.Packet): Buffer | undefined {
  try {
    return packet.encode(reply);
  } catch {
    try {
      return packet.encode({ ...reply, answers: [], flags: ((reply.flags ?? 0) & ~0xf) | RCODE.SERVFAIL });
    } catch {
      return undefined;
    }
  }
}

/**
 * Who may ask: pods (an address of the cluster CIDR) and this host itself. Anyone else is ignored, so
 * the server is never an open resolver for a neighbour that routes the ClusterIP to this machine.
 */
export function podOrHostClient(clusterCIDR: string, isLocal: (ip: string) => boolean): (ip: string) => boolean {
  const pods = parseCidr(clusterCIDR);
  return (ip) => cidrContains(pods, ip) || isLocal(ip);
}

export function startDNS(
  address: string,
  domain: string,
  state: ClusterState,
  log: Logger,
  admits: (clientIP: string) => boolean,
  opts: DNSOptions = {},
): Promise<dgram.Socket> {
  const upstream = opts.upstream ?? hostNameserver();
  const forwarder = upstream
    ? new Forwarder(upstream, { maxConcurrent: opts.maxConcurrent ?? 256, timeoutMs: opts.upstreamTimeoutMs ?? 5000 })
    : undefined;
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    if (!admits(rinfo.address)) return;
    answer(msg, domain, state, forwarder)
      .then((reply) => reply && server.send(reply, rinfo.port, rinfo.address))
      .catch((err) => log.warn({ err, client: `${rinfo.address}:${rinfo.port}` }, 'DNS query failed'));
  });
  server.on('error', (err) => log.warn({ err }, 'DNS server error'));
  return new Promise((resolveBind, reject) => {
    server.once('error', reject);
    server.bind(opts.port ?? 53, address, () => {
      server.off('error', reject);
      log.info({ address, domain, upstream }, 'serving cluster DNS');
      resolveBind(server);
    });
  });
}

/**
 * Serves cluster DNS once its address is on kube-ipvs0, where the Proxier puts it when it sees the
 * kube-dns Service. The control plane's kube-proxy creates that Service, maybe long after this one
 * started (a worker that joined while the control plane was still coming up): until then kube-proxy
 * proxies without DNS rather than giving up, since NodePorts and ClusterIPs do not need it.
 */
export async function serveWhenLocal(
  address: string,
  isLocal: (ip: string) => boolean,
  serve: () => Promise<unknown>,
  log: Logger,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (let waiting = false; ; waiting = true) {
    if (isLocal(address)) {
      const bound = await serve().then(
        () => true,
        (err: NodeJS.ErrnoException) => (err.code === 'EADDRNOTAVAIL' ? false : Promise.reject(err)), // removed again meanwhile
      );
      if (bound) return;
    }
    if (!waiting) log.info({ address }, 'cluster DNS waits for the kube-dns Service to have this ClusterIP');
    await sleep(200);
  }
}
