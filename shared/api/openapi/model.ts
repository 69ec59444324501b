// The schema model: every type of the API as an OpenAPI v3 schema, named as Kubernetes names its
// definitions (`io.k8s.api.apps.v1.DeploymentSpec`). It is plain data, the subset of OpenAPI that
// CustomResourceDefinitions use for their openAPIV3Schema, so a schema can as well come from an API
// object as from the files beside this one. From this one description the apiserver decodes objects
// (types, unknown fields, pruning: ./structural.ts) and serves /openapi/v2 and /openapi/v3.
//
// The builders below keep the per-group files short: `int32('How many pods.')`, `list(ref('Container'))`.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface Schema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  /** Another definition, by its name (`io.k8s.api.core.v1.Container`). */
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  /** A map: any key, each value of this schema. */
  additionalProperties?: Schema;
  items?: Schema;
  enum?: string[];
  /** One of several scalar types: IntOrString (integer or string), Quantity (string or number). */
  oneOf?: Schema[];
  default?: unknown;
  'x-kubernetes-int-or-string'?: boolean;
  /** Keep whatever fields the value has (RawExtension, FieldsV1, a CRD's free-form part). */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

/** Definitions by name. */
export type Definitions = Record<string, Schema>;

type More = Omit<Schema, 'type' | 'format' | 'description'>;

/** A copy without the keys whose value is undefined, so that documents show only what is said. */
function clean(s: Schema): Schema {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as Schema;
}

const scalar =
  (type: Schema['type'], format?: string) =>
  (description?: string, more?: More): Schema =>
    clean({ type, format, description, ...more });

export const str = scalar('string');
export const int32 = scalar('integer', 'int32');
export const int64 = scalar('integer', 'int64');
export const double = scalar('number', 'double');
export const float = scalar('number', 'float');
export const bool = scalar('boolean');
/** Go's []byte: base64 in JSON. */
export const bytes = scalar('string', 'byte');

/** A field holding another type: `ref('PodSpec')` in its own package, else by its full name. */
export const ref = (name: string, description?: string, more?: More): Schema => clean({ $ref: name, description, ...more });

export const list = (items: Schema, description?: string, more?: More): Schema => clean({ type: 'array', items, description, ...more });

/** A map from strings to `values` (labels, ResourceList, ...). */
export const map = (values: Schema, description?: string, more?: More): Schema =>
  clean({ type: 'object', additionalProperties: values, description, ...more });

/** A struct: its fields, and optionally its description and required fields. */
export const object = (properties: Record<string, Schema>, more: Omit<Schema, 'type' | 'properties'> = {}): Schema =>
  clean({ type: 'object', properties, ...more });

/** A list whose items are merged by `keys` (containers by name, ports by containerPort and protocol). */
export const listMap = (items: Schema, keys: string[], description?: string): Schema =>
  list(items, description, {
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': keys,
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': keys[0],
  });

/** A list of distinct values, merged as a set (finalizers). */
export const SET: More = { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' };

/** A struct or map that is one value: set and owned whole (a LabelSelector, a Service's selector). */
export const ATOMIC: More = { 'x-kubernetes-map-type': 'atomic' };

/** Names the types of one Go package: `definitions('io.k8s.api.apps.v1', { Deployment: ... })`; a bare `ref` is in that package. */
export function definitions(pkg: string, types: Record<string, Schema>): Definitions {
  const qualify = (s: Schema): Schema => {
    const out: Schema = { ...s };
    if (out.$ref && !out.$ref.includes('.')) out.$ref = `${pkg}.${out.$ref}`;
    if (out.items) out.items = qualify(out.items);
    if (out.additionalProperties) out.additionalProperties = qualify(out.additionalProperties);
    if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, qualify(v)]));
    return out;
  };
  return Object.fromEntries(Object.entries(types).map(([name, s]) => [`${pkg}.${name}`, qualify(s)]));
}
