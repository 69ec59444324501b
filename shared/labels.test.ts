import { formatLabelSelector, parseSelector, selectorFromLabelSelector, selectorFromSet } from './labels';
import { HOSTILE_INPUT_CPU_SECONDS, measureCpu } from '../test/cputime';
import { StatusError } from './errors';

const MiB = 1024 * 1024;

/** The message of the 400 parseSelector throws, or undefined when the selector parses. */
function refusal(text: string): string | undefined {
  try {
    parseSelector(text);
    return undefined;
  } catch (err) {
    if (err instanceof StatusError && err.code === 400) return err.status.message;
    throw err;
  }
}

describe('label selectors', () => {
  const prodFrontend = { environment: 'production', tier: 'frontend' };
  const prodBackend = { environment: 'production', tier: 'backend' };
  const qa = { environment: 'qa' };
  const dev = { environment: 'dev', tier: 'frontend' };

  it('selects by set membership: environment in (production, qa)', () => {
    const s = parseSelector('environment in (production, qa)');
    expect([prodFrontend, prodBackend, qa, dev].map((l) => s.matches(l))).toEqual([true, true, true, false]);
  });

  it('combines equality and inequality: environment=production,tier!=frontend', () => {
    const s = parseSelector('environment=production,tier!=frontend');
    expect([prodFrontend, prodBackend, qa, dev].map((l) => s.matches(l))).toEqual([false, true, false, false]);
  });

  it('treats != and notin as matching objects without the key', () => {
    expect(parseSelector('tier!=frontend').matches(qa)).toBe(true);
    expect(parseSelector('tier notin (frontend)').matches(qa)).toBe(true);
    expect(parseSelector('tier in (frontend)').matches(qa)).toBe(false);
  });

  it('supports ==, existence and non-existence', () => {
    expect(parseSelector('environment==qa').matches(qa)).toBe(true);
    expect(parseSelector('tier').matches(qa)).toBe(false);
    expect(parseSelector('tier').matches(dev)).toBe(true);
    expect(parseSelector('!tier').matches(qa)).toBe(true);
    expect(parseSelector('!tier').matches(dev)).toBe(false);
  });

  it('selects everything with an empty selector', () => {
    expect(parseSelector('').matches(undefined)).toBe(true);
    expect(parseSelector('  ').empty()).toBe(true);
  });

  it('rejects malformed selectors with a BadRequest', () => {
    for (const bad of ['a in (b', 'a b c', '=x', 'a=(b)']) {
      let err: unknown;
      try {
        parseSelector(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).code).toBe(400);
    }
  });

  it('turns a LabelSelector into requirements, and a missing one into nothing', () => {
    const s = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['db'] },
        { key: 'track', operator: 'Exists' },
      ],
    });
    expect(s.matches({ app: 'web', track: 'stable' })).toBe(true);
    expect(s.matches({ app: 'web', track: 'stable', tier: 'db' })).toBe(false);
    expect(s.matches({ app: 'web' })).toBe(false);
    expect(selectorFromLabelSelector(undefined).matches({ app: 'web' })).toBe(false);
    expect(selectorFromLabelSelector({}).matches({ app: 'web' })).toBe(true);
  });

  it('prints selectors the way Kubernetes does', () => {
    expect(formatLabelSelector({ matchLabels: { tier: 'fe', app: 'web' } })).toBe('app=web,tier=fe');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'env', operator: 'In', values: ['qa', 'prod'] }] })).toBe('env in (prod,qa)');
    expect(selectorFromSet({ app: 'web' }).toString()).toBe('app=web');
  });

  it('parses as Kubernetes does: keywords as values, empty values, sorted keys and values, gt and lt', () => {
    expect(parseSelector('x in (foo,,baz),y,z notin ()').toString()).toBe('x in (,baz,foo),y,z notin ()');
    expect(parseSelector('b=1,a in (in, notin)').toString()).toBe('a in (in,notin),b=1');
    expect(parseSelector('a=').matches({ a: '' })).toBe(true);
    expect(parseSelector('n>3').matches({ n: '4' })).toBe(true);
    expect(parseSelector('n<3').matches({ n: '4' })).toBe(false);
    expect(parseSelector('n>3').matches({ n: 'x' })).toBe(false);
  });

  it.each([
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['=x', "found '=', expected: !, identifier, or 'end of string'"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    ['!!a', "unable to parse requirement: found '!', expected: identifier"],
    ['n>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
    [
      '-a=b',
      `unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
    [
      'app=-x',
      `unable to parse requirement: values[0][app]: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ])('refuses %j as Kubernetes does', (text, message) => {
    expect(refusal(text)).toBe(message);
  });

  describe('on 3 MiB of hostile text, within 2 s of CPU', () => {
    it.each([
      ['a long key', 'k'.repeat(3 * MiB), /name part must be no more than 63 characters/],
      ['a long value', 'a=' + 'v'.repeat(3 * MiB), /must be no more than 63 characters/],
      ['many requirements', 'a=b,'.repeat(0.75 * MiB) + 'a', undefined],
      ['a huge value set', `a in (${'v,'.repeat(1.5 * MiB)}w)`, undefined],
      ['an unclosed value set', `a in (${'v,'.repeat(1.5 * MiB)}`, /expected: ',' or '\)'|found ''/],
      ['blanks', 'a' + ' '.repeat(3 * MiB) + 'b', /expected: in, notin/],
      ['operators', '!='.repeat(1.5 * MiB), /expected: !, identifier/],
      ['parentheses', '('.repeat(3 * MiB), /expected: !, identifier/],
    ])('%s', (_what, text, message) => {
      const run = measureCpu(() => refusal(text));
      if (message) expect(run.value).toMatch(message);
      else expect(run.value).toBeUndefined();
      expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    });

    it('matches 100,000 objects against a selector of 100,000 values', () => {
      const selector = parseSelector(`a in (${Array.from({ length: 100_000 }, (_, i) => `v${i}`).join(',')})`);
      const run = measureCpu(() => Array.from({ length: 100_000 }, (_, i) => selector.matches({ a: `v${i * 2}` })).filter(Boolean).length);
      expect(run.value).toBe(50_000);
      expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    });
  });
});
