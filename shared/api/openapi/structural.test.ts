import { decodeObject } from '../decode';
import { Deployments, Pods } from '../resources';
import { definitions, int32, list, map, object, ref, str } from './model';
import { decodeWithSchema } from './structural';

// A custom-resource-like schema: nested lists and maps, an int-or-string, a free-form part.
const defs = definitions('com.example.v1', {
  Widget: object({
    apiVersion: str(),
    kind: str(),
    spec: object(
      {
        size: { 'x-kubernetes-int-or-string': true },
        parts: list(object({ name: str(), count: int32() }, { required: ['name'] })),
        byZone: map(object({ weight: int32() })),
        extra: object({ known: str() }, { 'x-kubernetes-preserve-unknown-fields': true }),
        ref: ref('Inner'),
      },
      {},
    ),
  }),
  Inner: object({ a: str() }),
});

const decode = (value: Record<string, unknown>) => ({ report: decodeWithSchema(defs, 'com.example.v1.Widget', value), value });

describe('decoding against a schema', () => {
  it('finds unknown fields in nested lists, maps and refs by their paths, and drops them', () => {
    const { report, value } = decode({
      spec: {
        size: '50%',
        parts: [{ name: 'a', colour: 'red' }],
        byZone: { east: { weight: 1, heavy: true } },
        extra: { known: 'k', anything: { goes: 1 } },
        ref: { a: 'x', b: 'y' },
        other: 1,
      },
    });
    expect(report).toEqual({
      unknownFields: ['spec.parts[0].colour', 'spec.byZone.east.heavy', 'spec.ref.b', 'spec.other'],
      missingFields: [],
    });
    expect(value).toEqual({
      spec: {
        size: '50%',
        parts: [{ name: 'a' }],
        byZone: { east: { weight: 1 } },
        extra: { known: 'k', anything: { goes: 1 } },
        ref: { a: 'x' },
      },
    });
  });

  it("reports the first wrong type as Go's decoder does, and an int-or-string that is neither", () => {
    expect(decode({ spec: { parts: [{ name: 'a', count: '3' }] } }).report.decodeError).toBe(
      'json: cannot unmarshal string into Go struct field Widget.spec.parts.count of type int32',
    );
    expect(decode({ spec: { parts: [{ name: 'a', count: 1.5 }] } }).report.decodeError).toBe(
      'json: cannot unmarshal number 1.5 into Go struct field Widget.spec.parts.count of type int32',
    );
    expect(decode({ spec: { size: true } }).report.decodeError).toBe('json: cannot unmarshal bool into Go value of type int32');
    expect(decode({ spec: { parts: {} } }).report.decodeError).toBe(
      'json: cannot unmarshal object into Go struct field Widget.spec.parts of type []map[string]interface {}',
    );
  });

  it('reports missing required fields and drops nulls', () => {
    const { report, value } = decode({ spec: { parts: [{ count: 1 }], ref: null } });
    expect(report.missingFields).toEqual(['spec.parts[0].name']);
    expect(value).toEqual({ spec: { parts: [{ count: 1 }] } });
  });
});

describe('fieldValidation while decoding a Deployment', () => {
  const body = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicaz: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x', imagee: 'y' }] } },
    },
  });
  const errors = ['unknown field "spec.replicaz"', 'unknown field "spec.template.spec.containers[0].imagee"'];

  it('Strict fails with every unknown field, joined as Kubernetes joins them', () => {
    expect(() => decodeObject(Deployments, body(), { fieldValidation: 'Strict' })).toThrow(
      `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ${errors.join(', ')}`,
    );
  });

  it('Warn warns once per field and Ignore stays quiet; both drop the fields', () => {
    for (const [mode, expected] of [
      ['Warn', errors],
      ['Ignore', []],
    ] as const) {
      const warnings: string[] = [];
      const obj = decodeObject(Deployments, body(), { fieldValidation: mode, warn: (w) => warnings.push(w) }) as any;
      expect(warnings).toEqual(expected);
      expect(obj.spec).not.toHaveProperty('replicaz');
      expect(obj.spec.template.spec.containers[0]).toEqual({ name: 'c', image: 'x' });
    }
  });

  it('a missing pod spec is an empty one, whose containers are required', () => {
    expect(() => decodeObject(Pods, { metadata: { name: 'p' } })).toThrow('Pod "p" is invalid: spec.containers: Required value');
  });
});
