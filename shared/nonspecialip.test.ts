import { ipFamily, specialIPReason } from './nonspecialip';

describe('non-special IPs (Kubernetes ValidateNonSpecialIP)', () => {
  it.each([
    ['0.0.0.0', 'may not be unspecified (0.0.0.0)'],
    ['::', 'may not be unspecified (::)'],
    ['127.0.0.1', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['127.200.0.9', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['::1', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['::ffff:127.0.0.1', 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['169.254.169.254', 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['fe80::1', 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
    ['224.0.0.251', 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
    ['ff02::fb', 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
    ['ff12::1', 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
    ['localhost', 'must be a valid IP address'],
    ['010.1.2.3', 'must be a valid IP address'],
    ['fe80::1%eth0', 'must be a valid IP address'],
  ])('refuses %s: %s', (ip, reason) => {
    expect(specialIPReason(ip)).toBe(reason);
  });

  it.each(['10.244.1.5', '192.0.2.10', '224.0.1.1', '2001:db8::1', '1.1.1.1'])('accepts %s', (ip) => {
    expect(specialIPReason(ip)).toBeUndefined();
  });

  it('tells the family of an address written without a zone', () => {
    expect([ipFamily('10.0.0.1'), ipFamily('2001:db8::1'), ipFamily('fe80::1%lo'), ipFamily('nope')]).toEqual([4, 6, 0, 0]);
  });
});
