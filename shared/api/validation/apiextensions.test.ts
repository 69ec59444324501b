import type { CustomResourceDefinition } from '../apiextensions';
import { defaultCustomResourceDefinition } from '../defaults/apiextensions';
import { validateCustomResourceDefinition } from './apiextensions';

const crd = (spec: Partial<CustomResourceDefinition['spec']> = {}, name = 'widgets.example.com'): CustomResourceDefinition => {
  const obj: CustomResourceDefinition = {
    metadata: { name },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      ...spec,
    },
  };
  defaultCustomResourceDefinition(obj);
  return obj;
};
const messages = (c: CustomResourceDefinition, old?: CustomResourceDefinition) =>
  validateCustomResourceDefinition(c, old).map((e) => `${e.field}: ${e.message}`);

describe('CustomResourceDefinition validation', () => {
  it('accepts a minimal CRD and defaults singular, listKind and conversion', () => {
    const c = crd();
    expect(messages(c)).toEqual([]);
    expect(c.spec.names).toEqual({ plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' });
    expect(c.spec.conversion).toEqual({ strategy: 'None' });
  });

  it('checks names as DNS-1035 labels, the kind in mixed case', () => {
    expect(messages(crd({ names: { plural: 'Widgets', kind: 'Wid_get', shortNames: ['w-1', '1w'] } }, 'Widgets.example.com'))).toEqual([
      expect.stringMatching(/^metadata.name: Invalid value: "Widgets.example.com": a lowercase RFC 1123 subdomain/),
      expect.stringMatching(/^spec.names.plural: Invalid value: "Widgets": a DNS-1035 label must consist of lower case/),
      expect.stringMatching(/^spec.names.singular: Invalid value: "wid_get": a DNS-1035 label/),
      expect.stringMatching(
        /^spec.names.kind: Invalid value: "Wid_get": may have mixed case, but should otherwise match: a DNS-1035 label/,
      ),
      expect.stringMatching(/^spec.names.listKind: Invalid value: "Wid_getList": may have mixed case, but should otherwise match: /),
      expect.stringMatching(/^spec.names.shortNames\[1\]: Invalid value: "1w": a DNS-1035 label/),
    ]);
  });

  it('wants exactly one storage version, unique version names, a scope and schemas', () => {
    const v = (name: string, storage: boolean) => ({
      name,
      served: true,
      storage,
      schema: { openAPIV3Schema: { type: 'object' as const } },
    });
    expect(messages(crd({ versions: [v('v1', true), v('v1', true)], scope: 'Global' as never }))).toEqual([
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
      expect.stringMatching(/^spec.versions: Invalid value: .*: must have exactly one version marked as storage version$/),
      'spec.versions: Invalid value: "v1": must contain unique version names',
    ]);
    expect(messages(crd({ versions: [{ name: 'v1', served: true, storage: true }] }))).toEqual([
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    ]);
  });

  it('wants structural schemas', () => {
    const schema = {
      properties: {
        metadata: { type: 'object' as const, properties: { labels: { type: 'object' as const } } },
        spec: { type: 'object' as const, properties: { a: {} }, additionalProperties: { type: 'string' as const } },
        list: { type: 'array' as const },
        port: { type: 'string' as const, 'x-kubernetes-int-or-string': true },
      },
    };
    expect(messages(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] }))).toEqual([
      'spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root',
      'spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive',
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[a].type: Required value: must not be empty for specified object fields',
      'spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value: must be specified',
      'spec.versions[0].schema.openAPIV3Schema.properties[port].type: Invalid value: "string": must be empty if x-kubernetes-int-or-string is true',
    ]);
  });

  it('checks scale paths and printer columns, and keeps the scope', () => {
    const version = {
      name: 'v1',
      served: true,
      storage: true,
      schema: { openAPIV3Schema: { type: 'object' as const } },
      subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: 'x' } },
      additionalPrinterColumns: [{ name: 'A', type: 'text', jsonPath: '.spec.a' }],
    };
    expect(messages(crd({ versions: [version] }))).toEqual([
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: "x": should be a json path under either .spec or .status',
      'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "text": supported values: "boolean", "date", "integer", "number", "string"',
    ]);
    expect(messages(crd({ scope: 'Cluster' }), crd())).toEqual(['spec.scope: Invalid value: "Cluster": field is immutable']);
  });
});
