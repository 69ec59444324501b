// What serving one version of a custom resource takes, made from its CustomResourceDefinition at run time
// (apiextensions-apiserver's crdHandler serving info): a ResourceInfo, as built-in kinds have in
// shared/api/resources.ts, a Strategy, as they have in registry/<group>/<resource>.ts, and the OpenAPI
// definition of the kind. The generic Store then serves it like any other kind.
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps } from '../../shared/api/apiextensions';
import { decodeObject, strictDecodingError } from '../../shared/api/decode';
import type { DecodeOptions } from '../../shared/api/decode';
import type { KubeObject, StatusCause } from '../../shared/api/meta';
import { decodeWithSchema, DEFINITIONS, META } from '../../shared/api/openapi';
import type { Definitions, Schema } from '../../shared/api/openapi';
import type { ResourceInfo } from '../../shared/api/resources';
import { objectMetaErrors } from '../../shared/api/validation/meta';
import { semanticallyEqual } from '../../shared/equality';
import { badRequest } from '../../shared/errors';
import type { ScaleAccessor, Strategy } from '../registry/strategy';
import { JSONPath } from './jsonpath';
import { applyDefaults } from './schema/defaulting';
import { prune } from './schema/pruning';
import { validateValue } from './schema/validation';
import { customResourcePrinter } from './tableconvertor';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `com.example.stable.v1.CronTab`: Kubernetes names a custom resource's definition by its reversed group. */
export function customResourceDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export interface CustomResourceVersion {
  crd: CustomResourceDefinition;
  version: CustomResourceDefinitionVersion;
  resource: ResourceInfo;
  strategy: Strategy;
  /** The kind's OpenAPI definition, by name (for /openapi/v2 and /openapi/v3). */
  definitions: Definitions;
}

/** The names actually served: status.acceptedNames once the naming controller has accepted them. */
function servedNames(crd: CustomResourceDefinition) {
  return crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : crd.spec.names;
}

export function customResourceVersion(crd: CustomResourceDefinition, version: CustomResourceDefinitionVersion): CustomResourceVersion {
  const names = servedNames(crd);
  const group = crd.spec.group;
  const subresources: string[] = [];
  if (version.subresources?.status) subresources.push('status');
  if (version.subresources?.scale) subresources.push('scale');
  const definition = customResourceDefinitionName(group, version.name, names.kind);
  const resource: ResourceInfo = {
    group,
    version: version.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    namespaced: crd.spec.scope === 'Namespaced',
    ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
    ...(names.categories?.length ? { categories: names.categories } : {}),
    ...(subresources.length ? { subresources } : {}),
    verbs: ALL_VERBS,
    definition,
  };
  const schema: JSONSchemaProps = version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    crd,
    version,
    resource,
    strategy: customResourceStrategy(resource, schema, version),
    definitions: { [definition]: openAPIDefinition(schema, resource) },
  };
}

/** Decoding a custom resource: its kind and apiVersion, metadata as ObjectMeta, the rest pruned to the schema. */
function decodeCustomResource(resource: ResourceInfo, schema: JSONSchemaProps, body: unknown, options: DecodeOptions = {}): KubeObject {
  const obj = decodeObject(resource, body, { fieldValidation: 'Ignore' });
  const cannotHandle = (message: string) =>
    badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${message}`);
  const meta = decodeWithSchema(DEFINITIONS, `${META}.ObjectMeta`, obj.metadata as unknown as Record<string, unknown>);
  if (meta.decodeError) throw cannotHandle(meta.decodeError);
  const unknown = [...meta.unknownFields.map((f) => `metadata.${f}`), ...prune(obj, schema)];
  if (unknown.length && options.fieldValidation === 'Strict') {
    throw options.strictError?.(unknown, obj) ?? cannotHandle(strictDecodingError(unknown));
  }
  if (options.fieldValidation !== 'Ignore') for (const f of unknown) options.warn?.(`unknown field ${JSON.stringify(f)}`);
  return obj;
}

function scaleAccessor(version: CustomResourceDefinitionVersion): ScaleAccessor | undefined {
  const scale = version.subresources?.scale;
  if (!scale) return undefined;
  const spec = new JSONPath(scale.specReplicasPath);
  const status = new JSONPath(scale.statusReplicasPath);
  const selector = scale.labelSelectorPath ? new JSONPath(scale.labelSelectorPath) : undefined;
  const int = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    specReplicas: (obj) => int(spec.find(obj)[0]),
    statusReplicas: (obj) => int(status.find(obj)[0]),
    selector: (obj) => {
      const found = selector?.find(obj)[0];
      return typeof found === 'string' ? found : '';
    },
    setSpecReplicas: (obj, replicas) => spec.set(obj as unknown as Record<string, unknown>, replicas),
  };
}

/** Everything but metadata and, with a status subresource, status: the generation counts changes to it. */
function generationChanged(withStatus: boolean) {
  return (obj: KubeObject, old: KubeObject): boolean => {
    const strip = (o: KubeObject) => {
      const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = o as KubeObject & { status?: unknown };
      if (withStatus) delete (rest as { status?: unknown }).status;
      return rest;
    };
    return !semanticallyEqual(strip(obj), strip(old));
  };
}

function customResourceStrategy(resource: ResourceInfo, schema: JSONSchemaProps, version: CustomResourceDefinitionVersion): Strategy {
  const withStatus = !!version.subresources?.status;
  return {
    resource,
    decode: (body, options) => decodeCustomResource(resource, schema, body, options),
    defaults: (obj) => applyDefaults(obj, schema),
    defaultsOnRead: (obj) => applyDefaults(obj, schema),
    validate(obj): StatusCause[] {
      return [...objectMetaErrors(obj.metadata), ...validateValue(obj, schema)];
    },
    printer: customResourcePrinter(version.additionalPrinterColumns),
    generationChanged: generationChanged(withStatus),
    prepareForCreate(obj) {
      if (withStatus) delete (obj as { status?: unknown }).status;
    },
    scale: scaleAccessor(version),
  };
}

/** The schema as the OpenAPI documents publish it: the root also has apiVersion, kind and metadata. */
function openAPIDefinition(schema: JSONSchemaProps, resource: ResourceInfo): Schema {
  const convert = (s: JSONSchemaProps): Schema => {
    const { properties, items, additionalProperties, allOf, anyOf, oneOf, not: _not, ...rest } = s;
    const out = { ...rest } as Schema & Record<string, unknown>;
    if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, convert(v)]));
    if (items) out.items = convert(items);
    if (typeof additionalProperties === 'object') out.additionalProperties = convert(additionalProperties);
    for (const [key, list] of Object.entries({ allOf, anyOf, oneOf })) if (list) out[key] = list.map(convert);
    return out;
  };
  const root = convert(schema);
  const { metadata: _metadata, ...properties } = root.properties ?? {};
  return {
    ...root,
    type: 'object',
    properties: {
      apiVersion: {
        type: 'string',
        description:
          'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
      },
      kind: {
        type: 'string',
        description:
          'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to.',
      },
      metadata: { $ref: `${META}.ObjectMeta`, description: "Standard object's metadata." },
      ...properties,
    },
    'x-kubernetes-group-version-kind': [{ group: resource.group, version: resource.version, kind: resource.kind }],
  };
}
