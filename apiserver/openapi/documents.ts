// The OpenAPI documents, built from the schema model (shared/api/openapi) and the served operations:
// one OpenAPI v3 document per group version (`/openapi/v3/apis/apps/v1`) and one Swagger 2.0 document
// for everything (`/openapi/v2`). Definitions keep Kubernetes' names (`io.k8s.api.apps.v1.Deployment`),
// and each served kind carries `x-kubernetes-group-version-kind`, which is how kubectl finds a kind's schema.
import type { ResourceInfo } from '../../shared/api/resources';
import type { Definitions, GroupVersionKind, Schema } from '../../shared/api/openapi';
import { DEFINITIONS, META } from '../../shared/api/openapi';
import { KUBERNETES_VERSION } from '../../shared/version';
import { resourceOperations, servedGroupVersions } from './operations';
import type { Operation } from './operations';

type Json = Record<string, unknown>;

/** A served kind's list: `DeploymentList`. */
function listDefinition(kind: string, short: string): Schema {
  return {
    description: `A list of ${short} objects.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'The API version of the list: the group and version of its items.' },
      items: { type: 'array', description: `The ${short} objects.`, items: { $ref: kind } },
      kind: { type: 'string', description: `${short}List.` },
      metadata: { $ref: `${META}.ListMeta`, description: 'Where the list was read and how to read its next page.' },
    },
  };
}

/** The definitions the operations use (their kinds, lists, Status and DeleteOptions), each served kind tagged with its GVK. */
function definitionsFor(operations: Operation[], all: Definitions): Definitions {
  const out: Definitions = {};
  const gvks = new Map<string, GroupVersionKind[]>();
  const tag = (name: string, gvk: GroupVersionKind) => {
    const list = gvks.get(name) ?? [];
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push(gvk);
    gvks.set(name, list);
  };
  const add = (name: string) => {
    if (out[name]) return;
    const schema = all[name];
    if (!schema) return;
    out[name] = schema;
    walkRefs(schema, add);
  };
  for (const op of operations) {
    tag(op.definition, op.gvk);
    for (const name of [op.response, op.body]) {
      if (!name) continue;
      if (name.endsWith('List') && !all[name]) {
        const kind = name.slice(0, -'List'.length);
        out[name] = listDefinition(kind, kind.slice(kind.lastIndexOf('.') + 1));
        tag(name, { ...op.gvk, kind: `${op.gvk.kind}List` });
        add(kind);
      } else add(name);
    }
    tag(`${META}.DeleteOptions`, { group: op.gvk.group, version: op.gvk.version, kind: 'DeleteOptions' });
  }
  tag(`${META}.Status`, { group: '', version: 'v1', kind: 'Status' });
  for (const [name, list] of gvks) if (out[name]) out[name] = { ...out[name], 'x-kubernetes-group-version-kind': list };
  return out;
}

function walkRefs(s: Schema, visit: (name: string) => void): void {
  if (s.$ref) visit(s.$ref);
  for (const child of [s.items, s.additionalProperties, ...(s.oneOf ?? []), ...Object.values(s.properties ?? {})]) {
    if (child) walkRefs(child, visit);
  }
}

/** A schema as OpenAPI `version` writes it: v3 puts a described $ref in allOf; v2 has no oneOf (IntOrString and Quantity are strings). */
function render(s: Schema, version: 2 | 3): Json {
  const { $ref, properties, items, additionalProperties, oneOf, ...rest } = s;
  const out: Json = { ...rest };
  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, render(v, version)]));
  if (items) out.items = render(items, version);
  if (additionalProperties) out.additionalProperties = render(additionalProperties, version);
  if (oneOf) {
    if (version === 3) out.oneOf = oneOf.map((o) => render(o, 3));
    else out.type = 'string';
  }
  if ($ref) {
    const pointer = version === 3 ? `#/components/schemas/${$ref}` : `#/definitions/${$ref}`;
    if (version === 2 || Object.keys(out).length === 0) return { $ref: pointer, ...out };
    return { allOf: [{ $ref: pointer }], ...out };
  }
  return out;
}

const MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
/** The patch types served. Strategic merge is left out so that kubectl computes its patches from its compiled-in types. */
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

function v3Operation(op: Operation): Json {
  const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const content = (name: string) => Object.fromEntries(MEDIA.map((m) => [m, { schema: schema(name) }]));
  const ok = { description: 'OK', content: content(op.response) };
  const body =
    op.method === 'patch'
      ? { content: Object.fromEntries(PATCH_TYPES.map((m) => [m, { schema: { type: 'object' } }])), required: true }
      : op.body && { content: { '*/*': { schema: schema(op.body) } }, required: op.method !== 'delete' };
  return {
    description: op.description,
    operationId: op.operationId,
    tags: [op.tag],
    parameters: op.parameters.map(({ type, uniqueItems, ...p }) => ({ ...p, schema: { type, ...(uniqueItems ? { uniqueItems } : {}) } })),
    ...(body ? { requestBody: body } : {}),
    responses: {
      '200': ok,
      ...(op.method === 'post' ? { '201': { description: 'Created', content: content(op.response) } } : {}),
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

function v2Operation(op: Operation): Json {
  const schema = (name: string) => ({ $ref: `#/definitions/${name}` });
  return {
    description: op.description,
    consumes: op.method === 'patch' ? PATCH_TYPES : ['*/*'],
    produces: MEDIA,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
    parameters: [
      ...op.parameters,
      ...(op.body || op.method === 'patch'
        ? [{ name: 'body', in: 'body', required: op.method !== 'delete', schema: op.body ? schema(op.body) : { type: 'object' } }]
        : []),
    ],
    responses: { '200': { description: 'OK', schema: schema(op.response) }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

function paths(operations: Operation[], render: (op: Operation) => Json): Json {
  const out: Record<string, Json> = {};
  for (const op of operations) (out[op.path] ??= {})[op.method] = render(op);
  return out;
}

const info = { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion };

/** The OpenAPI v3 document of one group version's resources. */
export function v3Document(resources: ResourceInfo[], all: Definitions = DEFINITIONS): Json {
  const operations = resources.flatMap(resourceOperations);
  const definitions = definitionsFor(operations, all);
  return {
    openapi: '3.0.0',
    info,
    paths: paths(operations, v3Operation),
    components: {
      schemas: Object.fromEntries(
        Object.keys(definitions)
          .sort()
          .map((name) => [name, render(definitions[name], 3)]),
      ),
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', in: 'header', name: 'authorization' } },
    },
  };
}

/** The Swagger 2.0 document of every served resource. */
export function v2Document(resources?: ResourceInfo[], all: Definitions = DEFINITIONS): Json {
  const operations = [...servedGroupVersions(resources, all).values()].flat().flatMap(resourceOperations);
  const definitions = definitionsFor(operations, all);
  return {
    swagger: '2.0',
    info,
    paths: paths(operations, v2Operation),
    definitions: Object.fromEntries(
      Object.keys(definitions)
        .sort()
        .map((name) => [name, render(definitions[name], 2)]),
    ),
    securityDefinitions: {
      BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', in: 'header', name: 'authorization' },
    },
    security: [{ BearerToken: [] }],
  };
}

/** Every group version's v3 document, by its path under /openapi/v3 (`api/v1`, `apis/apps/v1`). */
export function v3Documents(resources?: ResourceInfo[], all: Definitions = DEFINITIONS): Map<string, Json> {
  return new Map([...servedGroupVersions(resources, all)].map(([gv, served]) => [gv, v3Document(served, all)]));
}
