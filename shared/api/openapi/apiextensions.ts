// apiextensions.k8s.io/v1: CustomResourceDefinitions. JSONSchemaProps refers to itself, as in Kubernetes;
// the JSON values a schema holds (default, enum, example) take any value.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, double, int64, list, map, object, ref, str } from './model';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const any = (description: string) => ref('JSON', description);

export const apiextensions = definitions('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1', {
  CustomResourceDefinition: object(
    {
      apiVersion: str(),
      kind: str(),
      metadata: ref(`${META}.ObjectMeta`),
      spec: ref('CustomResourceDefinitionSpec', 'The resource the definition adds: its group, names, scope and versions.'),
      status: ref('CustomResourceDefinitionStatus', 'Whether the names were accepted and the resource is served.'),
    },
    {
      description: 'A resource added to the API: its name `<plural>.<group>`, its objects served at /apis/<group>/<version>/<plural>.',
      required: ['spec'],
    },
  ),
  CustomResourceDefinitionSpec: object(
    {
      conversion: ref('CustomResourceConversion', 'How objects are converted between versions: None rewrites apiVersion only.'),
      group: str('The API group of the resource: /apis/<group>/...; must be a DNS subdomain with at least one dot.'),
      names: ref('CustomResourceDefinitionNames', 'How the resource and its kind are named.'),
      preserveUnknownFields: bool('Must be false in apiextensions.k8s.io/v1: unknown fields are pruned.'),
      scope: str('Namespaced or Cluster.'),
      versions: list(ref('CustomResourceDefinitionVersion'), 'The versions served; exactly one is the storage version.'),
    },
    { required: ['group', 'names', 'scope', 'versions'] },
  ),
  CustomResourceConversion: object({ strategy: str('None (the default) or Webhook.') }, { required: ['strategy'] }),
  CustomResourceDefinitionNames: object(
    {
      categories: list(str(), 'Groups of resources this one belongs to, such as `all` (`kubectl get all`).'),
      kind: str('The kind of the objects (CamelCase, singular).'),
      listKind: str('The kind of their lists; defaults to `<kind>List`.'),
      plural: str('The plural, lower-case name used in URLs.'),
      shortNames: list(str(), 'Short names kubectl accepts (`kubectl get ct`).'),
      singular: str('The singular, lower-case name; defaults to the lower-cased kind.'),
    },
    { required: ['plural', 'kind'] },
  ),
  CustomResourceDefinitionVersion: object(
    {
      additionalPrinterColumns: list(ref('CustomResourceColumnDefinition'), 'Columns kubectl get prints besides NAME.'),
      deprecated: bool('Whether requests to this version get a deprecation warning.'),
      deprecationWarning: str('The warning sent instead of the default one.'),
      name: str('The version name (v1, v1beta1).'),
      schema: ref('CustomResourceValidation', 'The schema objects of this version are validated, pruned and defaulted by.'),
      served: bool('Whether the version is served.'),
      storage: bool('Whether objects are stored in this version; exactly one version is.'),
      subresources: ref('CustomResourceSubresources', 'The status and scale subresources.'),
    },
    { required: ['name', 'served', 'storage'] },
  ),
  CustomResourceColumnDefinition: object(
    {
      description: str('What the column shows.'),
      format: str('An OpenAPI format hint for the cells (name, date, ...).'),
      jsonPath: str('A simple JSONPath, evaluated against each object, giving the cell.'),
      name: str('The column header.'),
      priority: int64('0 prints the column always, higher only with `-o wide`.'),
      type: str('integer, number, string, boolean or date.'),
    },
    { required: ['name', 'type', 'jsonPath'] },
  ),
  CustomResourceValidation: object({ openAPIV3Schema: ref('JSONSchemaProps', 'The OpenAPI v3 schema of the objects.') }),
  CustomResourceSubresources: object({
    scale: ref('CustomResourceSubresourceScale', 'Serves <plural>/scale as an autoscaling/v1 Scale.'),
    status: ref('CustomResourceSubresourceStatus', 'Serves <plural>/status; the main resource then ignores status.'),
  }),
  CustomResourceSubresourceStatus: object(
    {},
    { description: 'Enables the status subresource.', 'x-kubernetes-preserve-unknown-fields': true },
  ),
  CustomResourceSubresourceScale: object(
    {
      labelSelectorPath: str('The JSON path of the selector in status, as a string, for the Scale status.selector.'),
      specReplicasPath: str('The JSON path of the desired replicas (`.spec.replicas`).'),
      statusReplicasPath: str('The JSON path of the observed replicas (`.status.replicas`).'),
    },
    { required: ['specReplicasPath', 'statusReplicasPath'] },
  ),
  CustomResourceDefinitionStatus: object({
    acceptedNames: ref('CustomResourceDefinitionNames', 'The names actually served, once they are known not to conflict.'),
    conditions: list(ref('CustomResourceDefinitionCondition'), 'NamesAccepted, Established and Terminating.'),
    storedVersions: list(str(), 'Every version objects have been stored in.'),
  }),
  CustomResourceDefinitionCondition: object(
    {
      lastTransitionTime: ref(`${META}.Time`),
      message: str(),
      reason: str(),
      status: str(),
      type: str(),
    },
    { required: ['type', 'status'] },
  ),
  JSON: { description: 'Any JSON value.', 'x-kubernetes-preserve-unknown-fields': true },
  JSONSchemaProps: object({
    $ref: str(),
    additionalItems: any('JSONSchemaPropsOrBool.'),
    additionalProperties: any('A schema for the values of a map, or a boolean (JSONSchemaPropsOrBool).'),
    allOf: list(ref('JSONSchemaProps')),
    anyOf: list(ref('JSONSchemaProps')),
    default: any('The value a missing field gets.'),
    definitions: map(ref('JSONSchemaProps')),
    dependencies: map(any('JSONSchemaPropsOrStringArray.')),
    description: str(),
    enum: list(any('An allowed value.')),
    example: any('An example value.'),
    exclusiveMaximum: bool(),
    exclusiveMinimum: bool(),
    externalDocs: object({ description: str(), url: str() }),
    format: str(),
    id: str(),
    items: any('A schema for the items of an array (JSONSchemaPropsOrArray).'),
    maxItems: int64(),
    maxLength: int64(),
    maxProperties: int64(),
    maximum: double(),
    minItems: int64(),
    minLength: int64(),
    minProperties: int64(),
    minimum: double(),
    multipleOf: double(),
    not: ref('JSONSchemaProps'),
    nullable: bool(),
    oneOf: list(ref('JSONSchemaProps')),
    pattern: str(),
    patternProperties: map(ref('JSONSchemaProps')),
    properties: map(ref('JSONSchemaProps')),
    required: list(str()),
    title: str(),
    type: str(),
    uniqueItems: bool(),
    'x-kubernetes-embedded-resource': bool('The value is a whole object: apiVersion, kind and metadata are checked.'),
    'x-kubernetes-int-or-string': bool('The value is an integer or a string.'),
    'x-kubernetes-list-map-keys': list(str()),
    'x-kubernetes-list-type': str(),
    'x-kubernetes-map-type': str(),
    'x-kubernetes-preserve-unknown-fields': bool('Fields the schema does not name are kept instead of pruned.'),
    'x-kubernetes-validations': list(any('A CEL validation rule (not evaluated here).')),
  }),
});
