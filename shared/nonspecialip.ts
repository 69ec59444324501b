// Addresses that may not stand for a workload: Kubernetes' ValidateNonSpecialIP, which the apiserver
// applies to Endpoints, EndpointSlices and Service externalIPs, and kube-proxy applies again before it
// dials anything. Unspecified and loopback addresses make no sense as a destination (a proxy on the node
// would reach the node's own loopback-only services, such as etcd); link-local addresses serve
// node-centric purposes (a cloud's metadata service).
import net from 'node:net';

const unspecified = new net.BlockList();
unspecified.addAddress('0.0.0.0', 'ipv4');
unspecified.addAddress('::', 'ipv6');

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const linkLocal = new net.BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

// Go's IsLinkLocalMulticast: 224.0.0.0/24, and ffX2::/16 whatever the flags nibble X.
const linkLocalMulticast = new net.BlockList();
linkLocalMulticast.addSubnet('224.0.0.0', 24, 'ipv4');
for (let flags = 0; flags < 16; flags++) linkLocalMulticast.addSubnet(`ff${flags.toString(16)}2::`, 16, 'ipv6');

/** 4 or 6 for an IP address written without a zone (`fe80::1%eth0` is not an address here), 0 otherwise. */
export function ipFamily(ip: string): 0 | 4 | 6 {
  if (ip.includes('%')) return 0;
  return net.isIP(ip) as 0 | 4 | 6;
}

/** Why `ip` may not be an endpoint or external IP, in Kubernetes' words; undefined when it may. */
export function specialIPReason(ip: string): string | undefined {
  const family = ipFamily(ip);
  if (!family) return 'must be a valid IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (unspecified.check(ip, type)) return `may not be unspecified (${ip})`;
  if (loopback.check(ip, type)) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (linkLocal.check(ip, type)) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (linkLocalMulticast.check(ip, type)) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

const multicast = new net.BlockList();
multicast.addSubnet('224.0.0.0', 4, 'ipv4');
multicast.addSubnet('ff00::', 8, 'ipv6');

/**
 * Go's IP.IsGlobalUnicast, which Kubernetes asks of an address the apiserver proxies to: a valid IP that
 * is not unspecified, loopback, link-local, multicast or the IPv4 broadcast address. An IPv4-mapped IPv6
 * address counts as the IPv4 address it holds, as in Go.
 */
export function isGlobalUnicast(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1] : ip;
  const family = ipFamily(address);
  if (!family) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (address === '255.255.255.255' || unspecified.check(address, type) || loopback.check(address, type)) return false;
  return !linkLocal.check(address, type) && !multicast.check(address, type);
}
