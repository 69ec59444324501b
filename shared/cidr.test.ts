import { cidrWithin, isCIDR, isIPv4, parseCidr } from './cidr';

describe('address checks', () => {
  it('accepts dotted IPv4 addresses only', () => {
    for (const ok of ['10.0.0.1', '0.0.0.0', '255.255.255.255', '192.168.56.10']) expect(isIPv4(ok)).toBe(true);
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '10.0.0.1 ', ' 10.0.0.1', '10.0.0.1/32', 'a.b.c.d', '::1', '', 7, undefined])
      expect(isIPv4(bad)).toBe(false);
  });

  it('accepts network CIDRs only: valid address, prefix 0-32, no host bits', () => {
    for (const ok of ['10.244.1.0/24', '0.0.0.0/0', '10.0.0.1/32', '10.244.0.0/16']) expect(isCIDR(ok)).toBe(true);
    for (const bad of [
      '10.244.1.5/24', // host bits set
      '10.244.1.0/33',
      '10.244.1.0/024',
      '10.244.1.0',
      '300.1.1.0/24',
      '10.244.1.0/24 via 1.2.3.4',
      '10.244.1.0/24\n',
      '-10.244.1.0/24',
      'default',
      '',
      null,
    ])
      expect(isCIDR(bad)).toBe(false);
  });

  it('tells whether one range lies inside another', () => {
    const cluster = parseCidr('10.244.0.0/16');
    expect(cidrWithin(parseCidr('10.244.3.0/24'), cluster)).toBe(true);
    expect(cidrWithin(cluster, cluster)).toBe(true);
    expect(cidrWithin(parseCidr('10.245.0.0/24'), cluster)).toBe(false);
    expect(cidrWithin(parseCidr('10.0.0.0/8'), cluster)).toBe(false);
    expect(cidrWithin(parseCidr('0.0.0.0/0'), cluster)).toBe(false);
  });
});
