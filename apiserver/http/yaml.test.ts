import { HOSTILE_INPUT_CPU_SECONDS, measureCpu } from '../../test/cputime';
import { StatusError } from '../../shared/errors';
import { decodeBody } from './body';
import { decodeYaml, MAX_YAML_NODES } from './yaml';

const MiB = 1024 * 1024;

/** The message of the 400 decodeYaml throws. */
function refusal(text: string): string {
  try {
    decodeYaml(text);
  } catch (err) {
    if (err instanceof StatusError && err.status.code === 400) return err.status.message!;
    throw err;
  }
  throw new Error('decoded');
}

/** `depth` levels of anchors, each a list of nine aliases of the one before: 9^depth nodes from a few lines. */
function laughs(depth: number): string {
  const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= depth; i++)
    lines.push(
      `l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n');
}

describe('YAML bodies', () => {
  it('decodes YAML 1.2 as Kubernetes manifests use it', () => {
    expect(decodeYaml('a: 1\nb: [x, "y", 1.5e3, true, null]\nc: {d: ~}\ne: |\n  text\n')).toEqual({
      a: 1,
      b: ['x', 'y', 1500, true, null],
      c: { d: null },
      e: 'text\n',
    });
  });

  it('expands aliases into copies, so that changing one place changes no other', () => {
    const doc = decodeYaml('base: &b {image: busybox}\nfirst: *b\nsecond: *b\n') as Record<string, { image: string }>;
    expect(doc.second).toEqual({ image: 'busybox' });
    doc.first.image = 'nginx';
    expect(doc.second.image).toBe('busybox');
  });

  it('refuses duplicate keys, naming the line', () => {
    expect(refusal('a: 1\nb: 2\na: 3\n')).toBe('error converting YAML to JSON: yaml: line 3: duplicated mapping key');
  });

  it('refuses an alias inside the node it names, as go-yaml does', () => {
    expect(refusal('a: &x [1, *x]')).toBe("error converting YAML to JSON: yaml: anchor 'x' value contains itself");
  });

  it('refuses a billion laughs with go-yaml excessive aliasing error', () => {
    expect(refusal(laughs(9))).toBe('error converting YAML to JSON: yaml: document contains excessive aliasing');
  });

  it('lets a document take up to 99% of its nodes from aliases, as go-yaml does, and up to the node bound', () => {
    const uses = (list: number, aliases: number) =>
      `a: &a [${Array(list).fill('x').join(', ')}]\nb: [${Array(aliases).fill('*a').join(', ')}]`;
    expect((decodeYaml(uses(10, 50)) as { b: unknown[] }).b).toHaveLength(50); // 95% of 570 nodes from aliases
    expect(refusal(uses(10, 500))).toBe('error converting YAML to JSON: yaml: document contains excessive aliasing');
    expect(refusal(uses(5000, 60))).toBe(`error converting YAML to JSON: yaml: document contains more than ${MAX_YAML_NODES} nodes`);
  });

  it('refuses deep nesting, through aliases too, and more than one document', () => {
    const deep = 'the body of the request nests objects or arrays more than 100 levels deep';
    expect(refusal(`a: ${'['.repeat(101)}${']'.repeat(101)}`)).toBe(deep);
    expect(refusal(`a: &a ${'['.repeat(60)}${']'.repeat(60)}\nb: &b ${'['.repeat(60)}*a${']'.repeat(60)}`)).toBe(deep);
    expect(refusal('a: 1\n---\nb: 2\n')).toBe('error converting YAML to JSON: yaml: the body holds more than one document');
  });

  it('is what decodeBody uses for YAML media types', () => {
    expect(decodeBody(Buffer.from('kind: Pod'), 'application/yaml; charset=utf-8')).toEqual({ kind: 'Pod' });
    expect(decodeBody(Buffer.from('{"kind": "Pod"}'), 'application/apply-patch+yaml')).toEqual({ kind: 'Pod' });
  });

  describe('on 3 MiB of hostile YAML, within 2 s of CPU', () => {
    const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');
    it.each([
      ['many distinct keys', lines((3 * MiB) / 12, (i) => `k${i.toString(36)}: 1`), /more than 250000 nodes/],
      ['one key repeated', lines((3 * MiB) / 5, () => 'k: 1'), /more than 250000 nodes/],
      ['one key repeated, within the bound', lines(100_000, () => 'k: 1'), /line 2: duplicated mapping key/],
      ['a flow sequence of words', `[${'x,'.repeat(1.5 * MiB)}x]`, /more than 250000 nodes/],
      ['a flow sequence of empty maps', `a: [${'{},'.repeat(MiB)}1]`, /more than 250000 nodes/],
      ['implicit keys in a flow sequence', `[${'a: 1,'.repeat(0.6 * MiB)}1]`, /more than 250000 nodes/],
      ['anchors', `[${lines(MiB / 3, (i) => `&a${i.toString(36)} 1,`)}1]`, /more than 250000 nodes/],
      ['aliases of one anchor', `a: &a 1\nb: [${'*a,'.repeat(MiB)}*a]`, /excessive aliasing/],
      ['a billion laughs padded', laughs(9) + '\n' + lines(MiB / 8, (i) => `p${i.toString(36)}: 1`), /excessive aliasing/],
      ['document markers', '---\n'.repeat(0.75 * MiB), /more than one document/],
      ['a deep flow nesting', '['.repeat(3 * MiB), /more than 100 levels deep/],
      ['a deep block nesting', lines(3000, (i) => ' '.repeat(i) + 'a:'), /more than 100 levels deep/],
      ['an unclosed quote', `"${'a'.repeat(3 * MiB)}`, /unexpected end of the stream/],
    ])('%s', (_what, text, message) => {
      const run = measureCpu(() => refusal(text));
      expect(run.value).toMatch(message);
      expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    });

    it.each([
      ['a long string', `a: ${'x'.repeat(3 * MiB)}`],
      ['a long quoted string with escapes', `a: "${'\\u0041'.repeat(MiB / 2)}"`],
      ['a long folded string', `a: >\n${'  x\n\n'.repeat(MiB / 2)}`],
      ['100,000 keys', lines(100_000, (i) => `k${i}: ${'v'.repeat(20)}`)],
      ['JSON of 1.5 million numbers (JSON bodies have no node bound)', `[${'1,'.repeat(1.5 * MiB)}1]`],
    ])('%s is decoded', (_what, text) => {
      const run = measureCpu(() => decodeYaml(text));
      expect(run.error).toBeUndefined();
      expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    });
  });
});
