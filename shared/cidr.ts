// IPv4 CIDR arithmetic: service IP ranges, pod CIDRs.

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export interface Cidr {
  base: number;
  size: number;
}

export function parseCidr(cidr: string): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`invalid CIDR: ${cidr}`);
  const bits = Number(m[2]);
  const size = 2 ** (32 - bits);
  return { base: Math.floor(ipToInt(m[1]) / size) * size, size };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const n = ipToInt(ip);
  return n >= c.base && n < c.base + c.size;
}

/** The n-th address of the range (1 is the first usable one). */
export const nthAddress = (c: Cidr, n: number): string => intToIp(c.base + n);

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/** `10.0.0.1`: four decimal octets 0-255, without leading zeros (which some tools read as octal). */
export const isIPv4 = (s: unknown): s is string => typeof s === 'string' && IPV4.test(s);

/** `10.244.1.0/24`: an IPv4 network and a prefix length 0-32, with no host bits set (what `ip route` takes). */
export function isCIDR(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = /^([^/]+)\/(3[0-2]|[12]?\d)$/.exec(s);
  return !!m && isIPv4(m[1]) && parseCidr(s).base === ipToInt(m[1]);
}

/** Whether every address of `inner` is in `outer`. */
export const cidrWithin = (inner: Cidr, outer: Cidr): boolean =>
  inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
