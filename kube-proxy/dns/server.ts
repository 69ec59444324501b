// The cluster DNS server: UDP on the kube-dns ClusterIP (never on every address), for pods and this host
// only, answering names in the cluster domain from the informer caches and forwarding every other name
// to the host's resolver.
import dgram from 'node:dgram';
import fs from 'node:fs';
import * as packet from 'dns-packet';
import { cidrContains, parseCidr } from '../../shared/cidr';
import type { Logger } from '../../shared/log';
import { ClusterState, resolve } from './resolver';

const TTL = 5;

/** The host's first nameserver, for names outside the cluster. */
export function upstreamNameserver(resolvConf = '/etc/resolv.conf'): string | undefined {
  try {
    return /^nameserver\s+(\d+\.\d+\.\d+\.\d+)/m.exec(fs.readFileSync(resolvConf, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

export function answerQuery(query: packet.Packet, domain: string, state: ClusterState): packet.Packet | 'forward' {
  const q = query.questions?.[0];
  const base = {
    id: query.id,
    type: 'response' as const,
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | packet.AUTHORITATIVE_ANSWER,
    questions: query.questions,
  };
  if (!q) return { ...base, flags: base.flags | 1 }; // FORMERR
  const r = resolve(q.name, q.type, domain, state);
  if (r.kind === 'forward') return 'forward';
  if (r.kind === 'nxdomain') return { ...base, flags: base.flags | 3 }; // NXDOMAIN
  return { ...base, answers: r.answers.map((a) => ({ ...a, class: 'IN' as const, ttl: TTL })) as packet.Answer[] };
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
  upstream = upstreamNameserver(),
): Promise<dgram.Socket> {
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    if (!admits(rinfo.address)) return;
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return; // not DNS
    }
    const reply = answerQuery(query, domain, state);
    if (reply !== 'forward') return void server.send(packet.encode(reply), rinfo.port, rinfo.address);
    if (!upstream)
      return void server.send(
        packet.encode({ id: query.id, type: 'response', flags: 2, questions: query.questions }),
        rinfo.port,
        rinfo.address,
      );
    const forward = dgram.createSocket('udp4');
    const timer = setTimeout(() => forward.close(), 5000);
    forward.on('message', (answer) => {
      server.send(answer, rinfo.port, rinfo.address);
      clearTimeout(timer);
      forward.close();
    });
    forward.on('error', () => forward.close());
    forward.send(msg, 53, upstream);
  });
  server.on('error', (err) => log.warn({ err }, 'DNS server error'));
  return new Promise((resolveBind, reject) => {
    server.once('error', reject);
    server.bind(53, address, () => {
      server.off('error', reject);
      log.info({ address, domain }, 'serving cluster DNS');
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
