import type { JSONSchemaProps } from '../../../shared/api/apiextensions';
import { applyDefaults } from './defaulting';
import { prune } from './pruning';
import { validateValue } from './validation';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 1, maxLength: 20 },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        mode: { type: 'string', enum: ['Fast', 'Slow'], default: 'Fast' },
        ports: { type: 'array', maxItems: 2, items: { type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true } } } },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        nested: { type: 'object', default: {}, properties: { level: { type: 'string', default: 'info' } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
        ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
        note: { type: 'string', nullable: true },
      },
    },
  },
};

const messages = (value: unknown) => validateValue(value, schema).map((c) => `${c.field}: ${c.message}`);

describe('structural pruning', () => {
  it('drops fields the schema does not specify and says where they were', () => {
    const obj = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', whatever: 1 },
      spec: { image: 'i', imagee: 'typo', labels: { a: 'b' }, free: { any: { thing: 1 } }, ports: [{ port: 80, protocol: 'TCP' }] },
      extra: true,
    };
    expect(prune(obj, schema)).toEqual(['spec.imagee', 'spec.ports[0].protocol', 'extra']);
    expect(obj).toEqual({
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', whatever: 1 },
      spec: { image: 'i', labels: { a: 'b' }, free: { any: { thing: 1 } }, ports: [{ port: 80 }] },
    });
  });

  it('keeps the apiVersion, kind and metadata of an embedded resource', () => {
    const obj = { spec: { image: 'i', template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {}, junk: 1 } } };
    expect(prune(obj, schema)).toEqual(['spec.template.junk']);
    expect(obj.spec.template).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} });
  });
});

describe('structural defaulting', () => {
  it('fills missing fields, inside defaulted objects too, and leaves given values alone', () => {
    const obj = { spec: { image: 'i', replicas: 3 } };
    applyDefaults(obj, schema);
    expect(obj.spec).toEqual({ image: 'i', replicas: 3, mode: 'Fast', nested: { level: 'info' } });
  });

  it('defaults nulls where the schema is not nullable, and keeps a nullable null', () => {
    const obj = { spec: { image: 'i', replicas: null, note: null, tags: null } };
    applyDefaults(obj, schema);
    expect(obj.spec).toEqual({ image: 'i', replicas: 1, mode: 'Fast', nested: { level: 'info' }, note: null });
  });
});

describe('schema validation', () => {
  it('accepts a valid object', () => {
    expect(messages({ spec: { image: 'i', replicas: 2, mode: 'Slow', ports: [{ port: 'http' }], tags: ['a', 'b'], ratio: 0.5 } })).toEqual(
      [],
    );
  });

  it('words type errors as Kubernetes does', () => {
    expect(messages({ spec: { image: 'i', replicas: 'three' } })).toEqual([
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ]);
    expect(messages({ spec: { image: 5, replicas: 1.5, ports: 'x' } })).toEqual([
      'spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"',
      'spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      'spec.ports: Invalid value: "string": spec.ports in body must be of type array: "string"',
    ]);
    expect(messages({ spec: { image: 'i', ports: [{ port: true }] } })).toEqual([
      'spec.ports[0].port: Invalid value: "boolean": spec.ports[0].port in body must be of type integer or string: "boolean"',
    ]);
  });

  it('checks required fields, enums, bounds, lengths, item counts and sets', () => {
    expect(messages({ spec: { replicas: 0, mode: 'Medium', ports: [{}, {}, {}], tags: ['a', 'a'], ratio: 1, labels: { a: 1 } } })).toEqual([
      'spec.image: Required value',
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"',
      'spec.ports: Too many: 3: must have at most 2 items',
      'spec.tags[1]: Duplicate value: "a"',
      'spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1',
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
    ]);
    expect(messages({ spec: { image: '' } })).toEqual([
      'spec.image: Invalid value: "": spec.image in body should be at least 1 chars long',
    ]);
    expect(messages({ spec: { image: 'x'.repeat(21) } })).toEqual(['spec.image: Too long: must have at most 20 bytes']);
  });

  it('requires apiVersion and kind of an embedded resource', () => {
    expect(messages({ spec: { image: 'i', template: { spec: {} } } })).toEqual([
      'spec.template.apiVersion: Required value: must not be empty',
      'spec.template.kind: Required value: must not be empty',
    ]);
  });
});
