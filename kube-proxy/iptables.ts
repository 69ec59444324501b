// The iptables proxier's rules, as pure functions: from Services and their ready endpoints to the text
// `iptables-restore --noflush` loads into the nat table, with Kubernetes' chain names (KUBE-SERVICES,
// KUBE-SVC-*, KUBE-SEP-*, KUBE-EXT-*, KUBE-NODEPORTS, KUBE-MARK-MASQ, KUBE-POSTROUTING). Only chains named
// KUBE-* are ever written: the rest of the host's tables (Docker's, other tests') are left as they are.
import { createHash } from 'node:crypto';
import type { Endpoints, Service } from '../shared/api/core';
import { servicePortInfo } from './serviceports';

/** The mark KUBE-MARK-MASQ sets and KUBE-POSTROUTING masquerades (Kubernetes' --iptables-masquerade-bit 14). */
export const MASQ_MARK = '0x4000';

export interface RulesInput {
  services: Service[];
  endpoints(namespace: string, name: string): Endpoints | undefined;
  /** --nodeport-addresses resolved to local addresses; `0.0.0.0` means every local address. */
  nodePortAddresses: string[];
  /** --cluster-cidr: ClusterIP traffic from outside it is masqueraded, so replies come back through here. */
  clusterCIDR: string;
  /** Which LoadBalancer ingress / external IPs this node serves (as in the userspace mode). */
  servesExternalIP(ip: string): boolean;
  /** KUBE-* chains now in the nat table: those no longer wanted are deleted. */
  existingChains: string[];
}

/** A jump from a built-in chain into ours, kept outside iptables-restore (Kubernetes' EnsureRule). */
export interface Jump {
  table: 'nat' | 'filter';
  chain: string;
  rule: string[];
}

export const JUMPS: Jump[] = [
  { table: 'nat', chain: 'PREROUTING', rule: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'OUTPUT', rule: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES'] },
  { table: 'nat', chain: 'POSTROUTING', rule: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', 'KUBE-POSTROUTING'] },
  { table: 'filter', chain: 'INPUT', rule: ['-j', 'KUBE-FIREWALL'] },
];

const FIXED_NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of the first 10 bytes (16 characters), as Go's base32.StdEncoding gives them. */
function base32Prefix(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes.subarray(0, 10)) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** Kubernetes' portProtoHash: sha256 of the service port name and protocol (and endpoint), base32, 16 chars. */
export const chainHash = (...parts: string[]): string => base32Prefix(createHash('sha256').update(parts.join('')).digest());

export const serviceChain = (servicePort: string, protocol: string) => `KUBE-SVC-${chainHash(servicePort, protocol.toLowerCase())}`;
export const externalChain = (servicePort: string, protocol: string) => `KUBE-EXT-${chainHash(servicePort, protocol.toLowerCase())}`;
export const endpointChain = (servicePort: string, protocol: string, endpoint: string) =>
  `KUBE-SEP-${chainHash(servicePort, protocol.toLowerCase(), endpoint)}`;

/** Kubernetes' probability of picking endpoint i of n, given the earlier ones were not picked. */
const probability = (i: number, n: number) => (1 / (n - i)).toFixed(10);

const comment = (text: string) => `-m comment --comment "${text}"`;

/** The nat table's KUBE-* chains and rules for these Services, for `iptables-restore --noflush`. */
export function natRules(input: RulesInput): string {
  const chains = [...FIXED_NAT_CHAINS];
  const rules: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
  const nodePorts: string[] = [];
  for (const svc of [...input.services].sort((a, b) => key(a).localeCompare(key(b)))) {
    const type = svc.spec.type ?? 'ClusterIP';
    const clusterIP = svc.spec.clusterIP;
    if (type === 'ExternalName' || !clusterIP || clusterIP === 'None') continue;
    const info = servicePortInfo(svc, input.endpoints(svc.metadata.namespace!, svc.metadata.name!));
    for (const p of svc.spec.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const servicePort = `${key(svc)}:${p.name ?? ''}`;
      const { endpoints, affinityTimeoutSeconds } = info.get(servicePort)!;
      // No endpoints: no DNAT, so the connection meets the ClusterIP on kube-ipvs0 and is refused.
      if (!endpoints.length) continue;
      const proto = `-p ${protocol.toLowerCase()} -m ${protocol.toLowerCase()}`;
      const svcChain = serviceChain(servicePort, protocol);
      const extChain = externalChain(servicePort, protocol);
      chains.push(svcChain);
      rules.push(
        `-A KUBE-SERVICES ${comment(`${servicePort} cluster IP`)} -d ${clusterIP}/32 ${proto} --dport ${p.port} -j ${svcChain}`,
        `-A ${svcChain} ${comment(`${servicePort} cluster IP`)} ! -s ${input.clusterCIDR} -d ${clusterIP}/32 ${proto} --dport ${p.port} -j KUBE-MARK-MASQ`,
      );
      const external = [
        ...(type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip) : []),
        ...(svc.spec.externalIPs ?? []),
      ].filter((ip): ip is string => !!ip && input.servesExternalIP(ip));
      const hasNodePort = (type === 'NodePort' || type === 'LoadBalancer') && !!p.nodePort;
      if (hasNodePort || external.length) {
        chains.push(extChain);
        rules.push(`-A ${extChain} ${comment('masquerade traffic for ' + servicePort + ' external destinations')} -j KUBE-MARK-MASQ`);
        rules.push(`-A ${extChain} -j ${svcChain}`);
      }
      for (const ip of external)
        rules.push(`-A KUBE-SERVICES ${comment(`${servicePort} external IP`)} -d ${ip}/32 ${proto} --dport ${p.port} -j ${extChain}`);
      if (hasNodePort) nodePorts.push(`-A KUBE-NODEPORTS ${comment(servicePort)} ${proto} --dport ${p.nodePort} -j ${extChain}`);
      const seps = endpoints.map((e) => ({
        endpoint: `${e.ip}:${e.port}`,
        ip: e.ip,
        chain: endpointChain(servicePort, protocol, `${e.ip}:${e.port}`),
      }));
      const recent = (sep: string) => `-m recent --name ${sep} --mask 255.255.255.255 --rsource`;
      if (affinityTimeoutSeconds)
        for (const sep of seps)
          rules.push(
            `-A ${svcChain} ${comment(`${servicePort} -> ${sep.endpoint}`)} ${recent(sep.chain)} --rcheck --seconds ${affinityTimeoutSeconds} --reap -j ${sep.chain}`,
          );
      seps.forEach((sep, i) => {
        const pick = i < seps.length - 1 ? ` -m statistic --mode random --probability ${probability(i, seps.length)}` : '';
        rules.push(`-A ${svcChain} ${comment(`${servicePort} -> ${sep.endpoint}`)}${pick} -j ${sep.chain}`);
      });
      for (const sep of seps) {
        chains.push(sep.chain);
        rules.push(
          `-A ${sep.chain} ${comment(servicePort)} -s ${sep.ip}/32 -j KUBE-MARK-MASQ`,
          `-A ${sep.chain} ${comment(servicePort)} ${proto}${affinityTimeoutSeconds ? ' ' + recent(sep.chain) + ' --set' : ''} -j DNAT --to-destination ${sep.endpoint}`,
        );
      }
    }
  }
  rules.push(...nodePorts, ...nodePortJumps(input.nodePortAddresses));
  const stale = input.existingChains.filter((c) => c.startsWith('KUBE-') && !chains.includes(c));
  return table('nat', [...chains, ...stale], [...rules, ...stale.map((c) => `-X ${c}`)]);
}

/**
 * The last rules of KUBE-SERVICES: which destinations are node ports. A loopback node address
 * (127.0.0.1 in compose) only for connections made on this host (`--src-type LOCAL`), so route_localnet
 * never opens it to other machines; `0.0.0.0` for every local address, as Kubernetes does.
 */
function nodePortJumps(addresses: string[]): string[] {
  const c = comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain');
  if (addresses.includes('0.0.0.0')) return [`-A KUBE-SERVICES ${c} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`];
  return addresses.map((ip) =>
    ip.startsWith('127.')
      ? `-A KUBE-SERVICES ${c} -d ${ip}/32 -m addrtype --src-type LOCAL -j KUBE-NODEPORTS`
      : `-A KUBE-SERVICES ${c} -d ${ip}/32 -j KUBE-NODEPORTS`,
  );
}

/**
 * The filter table's KUBE-FIREWALL: with route_localnet on (needed to DNAT 127.0.0.1), drop packets to
 * 127.0.0.0/8 that came from elsewhere and were not DNATed by us (Kubernetes' fix for CVE-2020-8558).
 */
export function filterRules(): string {
  return table(
    'filter',
    ['KUBE-FIREWALL'],
    [
      `-A KUBE-FIREWALL ${comment('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    ],
  );
}

/** Flushes and deletes every KUBE-* chain of a table (after the jumps into them are gone): a clean stop. */
export function cleanupRules(tableName: 'nat' | 'filter', existingChains: string[]): string {
  const ours = existingChains.filter((c) => c.startsWith('KUBE-'));
  return table(
    tableName,
    ours,
    ours.map((c) => `-X ${c}`),
  );
}

/** The KUBE-* chains declared in `iptables-save -t <table>` output. */
export function chainsIn(save: string): string[] {
  return [...save.matchAll(/^:(KUBE-\S+) /gm)].map((m) => m[1]);
}

const key = (svc: Service) => `${svc.metadata.namespace}/${svc.metadata.name}`;

// Declaring a chain (`:NAME - [0:0]`) under --noflush empties it, so every sync rewrites our chains whole.
const table = (name: string, chains: string[], rules: string[]) =>
  [`*${name}`, ...chains.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
