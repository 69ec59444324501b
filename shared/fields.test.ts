import { HOSTILE_INPUT_CPU_SECONDS, measureCpu } from '../test/cputime';
import { StatusError } from './errors';
import { parseFieldSelector } from './fields';

/** The message of the 400 parseFieldSelector throws, or undefined. */
function refusal(text: string): string | undefined {
  try {
    parseFieldSelector(text);
    return undefined;
  } catch (err) {
    if (err instanceof StatusError && err.code === 400) return err.status.message;
    throw err;
  }
}

const MiB = 1024 * 1024;

describe('field selectors', () => {
  const pod: Record<string, string> = {
    'metadata.name': 'web-1',
    'metadata.namespace': 'default',
    'spec.nodeName': 'node-1',
    'status.phase': 'Running',
  };
  const get = (p: string) => pod[p];

  it('matches equality terms in any order', () => {
    expect(parseFieldSelector('spec.nodeName=node-1,metadata.name=web-1').matches(get)).toBe(true);
    expect(parseFieldSelector('metadata.name==web-1,spec.nodeName=node-2').matches(get)).toBe(false);
  });

  it('matches inequality, treating a missing field as empty', () => {
    expect(parseFieldSelector('status.phase!=Succeeded').matches(get)).toBe(true);
    expect(parseFieldSelector('spec.schedulerName!=x').matches(get)).toBe(true);
    expect(parseFieldSelector('spec.schedulerName=').matches(get)).toBe(true);
  });

  it('reports the exact value a selector requires', () => {
    expect(parseFieldSelector('metadata.name=web-1,status.phase!=Failed').exactValue('metadata.name')).toBe('web-1');
    expect(parseFieldSelector('status.phase!=Failed').exactValue('status.phase')).toBeUndefined();
  });

  it('rejects terms without an operator', () => {
    expect(() => parseFieldSelector('spec.nodeName')).toThrow(/invalid selector/);
  });

  it('unescapes values as Kubernetes does and keeps blanks', () => {
    const s = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d,spec.nodeName= x');
    expect(s.requirements).toEqual([
      { field: 'metadata.name', op: '=', value: 'a,b=c\\d' },
      { field: 'spec.nodeName', op: '=', value: ' x' },
    ]);
    expect(refusal('metadata.name=a\\x')).toBe('invalid field selector: invalid escape sequence: \\x');
    expect(refusal('metadata.name=a\\')).toBe('invalid field selector: invalid escape sequence: \\');
    expect(refusal('metadata.name==a=b')).toBe('invalid field selector: unescaped character in value: 61');
    expect(refusal('a,b')).toBe("invalid selector: 'a,b'; can't understand 'a'");
  });

  describe('on 3 MiB of hostile text, within 2 s of CPU', () => {
    it.each([
      ['a run of blanks before the operator', 'a' + ' '.repeat(3 * MiB) + '=b', undefined],
      ['a run of blanks without an operator', 'a' + ' '.repeat(3 * MiB) + 'b', /can't understand/],
      ['many terms', 'metadata.name=x,'.repeat((3 * MiB) / 16), undefined],
      ['many escapes', 'metadata.name=' + '\\,'.repeat(1.5 * MiB), undefined],
      ['bangs without an equals sign', '!'.repeat(3 * MiB), /can't understand/],
      ['equals signs', '='.repeat(3 * MiB), /unescaped character in value: 61/],
    ])('%s', (_what, text, message) => {
      const run = measureCpu(() => refusal(text));
      if (message) expect(run.value).toMatch(message);
      else expect(run.value).toBeUndefined();
      expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    });
  });
});
