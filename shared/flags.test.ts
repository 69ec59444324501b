import { parseDuration, parseFlags } from './flags';

const specs = {
  kubeconfig: { default: '/etc/kubernetes/admin.conf', help: 'kubeconfig' },
  'node-ip': { help: 'the node address' },
  'leader-elect': { default: 'false', boolean: true, help: 'elect' },
  token: { required: true, help: 'the token' },
} as const;

describe('parseFlags', () => {
  it('takes --name=value, --name value and a bare boolean flag, and keeps defaults', () => {
    const flags = parseFlags(specs, ['--token=abc', '--node-ip', '10.0.0.2', '--leader-elect']);
    expect(flags).toEqual({ kubeconfig: '/etc/kubernetes/admin.conf', 'node-ip': '10.0.0.2', 'leader-elect': 'true', token: 'abc' });
  });

  it('leaves a flag without default unset', () => {
    expect(parseFlags(specs, ['--token=abc'])['node-ip']).toBeUndefined();
  });

  it('refuses unknown flags, a missing argument and a missing required flag', () => {
    expect(() => parseFlags(specs, ['--token=a', '--nodeip=1'])).toThrow(/^unknown flag: --nodeip=1/);
    expect(() => parseFlags(specs, ['--token'])).toThrow('flag needs an argument: --token');
    expect(() => parseFlags(specs, [])).toThrow(/^--token is required: the token/);
  });

  it('joins the values of a repeatable flag given more than once with commas, replacing its default', () => {
    const repeatable = { 'key-file': { default: 'default.pem', repeatable: true, help: 'keys' }, token: specs.token } as const;
    expect(parseFlags(repeatable, ['--token=a'])['key-file']).toBe('default.pem');
    expect(parseFlags(repeatable, ['--token=a', '--key-file=a.pem', '--key-file', 'b.pem,c.pem'])['key-file']).toBe('a.pem,b.pem,c.pem');
    expect(parseFlags(specs, ['--token=a', '--token=b']).token).toBe('b');
  });
});

describe('parseDuration', () => {
  it('reads Go durations and bare seconds', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('20')).toBe(20_000);
    expect(() => parseDuration('5d')).toThrow('invalid duration: 5d');
  });
});
