import { HOSTILE_INPUT_CPU_SECONDS, measureCpu } from '../../test/cputime';
import { dns1035LabelMessages, dns1123LabelMessages, dns1123SubdomainMessages, labelValueMessages, qualifiedNameMessages } from './names';
import { decodeObject } from './decode';
import { ConfigMaps } from './resources';
import { validateConfigMap } from './validation/core';

const MiB = 1024 * 1024;
const SUBDOMAIN_REGEX = /^a lowercase RFC 1123 subdomain must consist of/;

describe('name and label rules', () => {
  it('accepts what Kubernetes accepts', () => {
    expect(dns1123LabelMessages('my-name')).toEqual([]);
    expect(dns1123SubdomainMessages('a.b-c.d')).toEqual([]);
    expect(dns1035LabelMessages('abc-123')).toEqual([]);
    expect(qualifiedNameMessages('example.com/My_Name.1')).toEqual([]);
    expect(labelValueMessages('')).toEqual([]);
  });

  it('gives both the length and the format message when both apply, as Kubernetes does', () => {
    expect(dns1123SubdomainMessages('x'.repeat(254))).toEqual(['must be no more than 253 characters']);
    const both = dns1123SubdomainMessages('X'.repeat(254));
    expect(both).toHaveLength(2);
    expect(both[1]).toMatch(SUBDOMAIN_REGEX);
    expect(labelValueMessages('v'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('words qualified-name errors per part', () => {
    expect(qualifiedNameMessages('/a')).toEqual(['prefix part must be non-empty']);
    expect(qualifiedNameMessages('Example.com/a')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(qualifiedNameMessages('a/')).toEqual([
      'name part must be non-empty',
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]);
    expect(qualifiedNameMessages('n'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
    expect(qualifiedNameMessages('a/b/c')[0]).toMatch(
      /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/,
    );
  });

  describe('on 3 MiB of hostile text, within 2 s of CPU', () => {
    it.each([
      ['alphanumerics and a dash', 'a'.repeat(3 * MiB) + '-'],
      ['dashes and dots', 'a-.'.repeat(MiB) + '!'],
      ['slashes', 'a/'.repeat(1.5 * MiB)],
      ['a long prefix', 'a.'.repeat(1.5 * MiB) + '/-'],
    ])('%s', (_what, text) => {
      const run = measureCpu(() => [
        dns1123LabelMessages(text),
        dns1123SubdomainMessages(text),
        dns1035LabelMessages(text),
        qualifiedNameMessages(text),
        labelValueMessages(text),
      ]);
      expect(run.error).toBeUndefined();
      for (const messages of run.value!) expect(messages.length).toBeGreaterThan(0);
      expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    });
  });
});

describe('metadata validation', () => {
  const configMap = (metadata: Record<string, unknown>) =>
    decodeObject(ConfigMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', ...metadata } });
  const messages = (metadata: Record<string, unknown>) => validateConfigMap(configMap(metadata)).map((c) => `${c.field}: ${c.message}`);

  it('checks annotation keys lower-cased and limits all annotations to 256 KiB, as Kubernetes does', () => {
    expect(messages({ annotations: { 'Example.COM/Key': 'v' } })).toEqual([]);
    expect(messages({ annotations: { a: 'x'.repeat(256 * 1024) } })).toEqual([
      'metadata.annotations: Too long: must have at most 262144 bytes',
    ]);
    expect(messages({ annotations: { a: 'x'.repeat(256 * 1024 - 1) } })).toEqual([]);
  });

  it('answers a 3 MiB name, label value and annotation within 2 s of CPU', () => {
    const run = measureCpu(() =>
      messages({ name: 'a'.repeat(MiB) + '-', labels: { app: 'b'.repeat(MiB) + '-' }, annotations: { note: 'c'.repeat(MiB) } }),
    );
    expect(run.value).toEqual([
      expect.stringMatching(/^metadata\.name: Invalid value: "a+-": must be no more than 253 characters$/),
      expect.stringMatching(/^metadata\.name: Invalid value: "a+-": a lowercase RFC 1123 subdomain/),
      expect.stringMatching(/^metadata\.labels: Invalid value: "b+-": must be no more than 63 characters$/),
      expect.stringMatching(/^metadata\.labels: Invalid value: "b+-": a valid label must be an empty string/),
      'metadata.annotations: Too long: must have at most 262144 bytes',
    ]);
    expect(run.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });

  it('reports 200,000 invalid labels without overflowing the stack', () => {
    const labels = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`-${i}`, '']));
    expect(messages({ labels })).toHaveLength(200_000);
  });
});
