// The operations of the API, for its OpenAPI documents: one per path and verb of every served resource
// (discovery's list), tagged with the kind it takes or answers with, as Kubernetes' documents are.
import { groupVersionPath, ResourceInfo } from '../../shared/api/resources';
import type { Definitions, GroupVersionKind } from '../../shared/api/openapi';
import { definitionName, DEFINITIONS, META } from '../../shared/api/openapi';
import { SERVED, subresourceInfo } from '../discovery';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What an operation does, as `x-kubernetes-action` names it. */
export type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  description: string;
  required?: boolean;
  /** Query parameters are strings, numbers or booleans. */
  type: 'string' | 'integer' | 'boolean';
  uniqueItems?: boolean;
}

export interface Operation {
  path: string;
  method: Method;
  action: Action;
  operationId: string;
  description: string;
  /** `apps_v1`: the group version, as Kubernetes tags operations. */
  tag: string;
  gvk: GroupVersionKind;
  /** The name of the definition of the kind `gvk` names. */
  definition: string;
  /** The definition the operation answers with, and the one its body is (post, put; patch takes a patch). */
  response: string;
  body?: string;
  parameters: Parameter[];
}

const q = (name: string, description: string, type: Parameter['type'] = 'string'): Parameter => ({
  name,
  in: 'query',
  description,
  type,
  uniqueItems: true,
});

const PRETTY = q('pretty', "If 'true', the output is indented.");
const DRY_RUN = q('dryRun', 'When present (All), the request is validated and admitted but nothing is stored.');
const FIELD_MANAGER = q('fieldManager', 'The name of the actor making the change, recorded in managedFields.');
const FIELD_VALIDATION = q(
  'fieldValidation',
  'What to do with fields the schema does not know: Ignore drops them, Warn (the default) drops them and warns, Strict fails the request.',
);
const FORCE = q('force', 'Server-side apply: take over fields that another manager owns.', 'boolean');
const LIST = [
  q('labelSelector', 'Only objects whose labels match this selector.'),
  q('fieldSelector', 'Only objects whose fields match this selector.'),
  q('limit', 'At most this many objects; the rest come with the continue token.', 'integer'),
  q('continue', 'The token of the next page, from the previous page.'),
  q('resourceVersion', 'Read the collection at (or after) this version.'),
  q('resourceVersionMatch', 'How resourceVersion applies: Exact or NotOlderThan.'),
  q('timeoutSeconds', 'End a watch after this many seconds.', 'integer'),
  q('watch', 'Stream the changes to the objects instead of listing them.', 'boolean'),
  q('allowWatchBookmarks', 'Let a watch send BOOKMARK events.', 'boolean'),
];
const DELETE = [
  DRY_RUN,
  q('gracePeriodSeconds', 'How long the object may take to end; 0 deletes at once.', 'integer'),
  q('propagationPolicy', 'What happens to dependents: Orphan, Background or Foreground.'),
  q('orphanDependents', 'Deprecated: use propagationPolicy.', 'boolean'),
];
const WRITE = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];

const pathParam = (name: string, what: string): Parameter => ({ name, in: 'path', description: what, required: true, type: 'string' });

/** `AppsV1`, `CoreV1`, `RbacAuthorizationV1`: how operation ids name a group version. */
function groupVersionId(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  const words = (r.group ? r.group.replace(/\.k8s\.io$/, '') : 'core').split('.');
  return [...words, r.version].map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** The operations on one resource and its subresources. */
export function resourceOperations(r: ResourceInfo): Operation[] {
  const gv = groupVersionPath(r);
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const kind = definitionName(r);
  const tag = `${r.group ? r.group.replace(/\./g, '_').replace(/_k8s_io$/, '') : 'core'}_${r.version}`;
  const id = groupVersionId(r);
  const ns = r.namespaced ? 'Namespaced' : '';
  const collection = r.namespaced ? `${gv}/namespaces/{namespace}/${r.plural}` : `${gv}/${r.plural}`;
  const scope = r.namespaced ? [pathParam('namespace', 'The namespace of the objects.')] : [];
  const named = [pathParam('name', `The name of the ${r.kind}.`), ...scope];
  const ops: Operation[] = [];
  const op = (o: Omit<Operation, 'tag' | 'gvk' | 'definition'> & { gvk?: GroupVersionKind; definition?: string }) =>
    ops.push({ tag, gvk, definition: kind, ...o });
  const has = (verb: string) => r.verbs.includes(verb);

  if (has('list')) {
    op({
      path: collection,
      method: 'get',
      action: 'list',
      operationId: `list${id}${ns}${r.kind}`,
      description: `list or watch objects of kind ${r.kind}`,
      response: `${kind}List`,
      parameters: [...scope, PRETTY, ...LIST],
    });
    if (r.namespaced)
      op({
        path: `${gv}/${r.plural}`,
        method: 'get',
        action: 'list',
        operationId: `list${id}${r.kind}ForAllNamespaces`,
        description: `list or watch objects of kind ${r.kind}`,
        response: `${kind}List`,
        parameters: [PRETTY, ...LIST],
      });
  }
  if (has('create'))
    op({
      path: collection,
      method: 'post',
      action: 'post',
      operationId: `create${id}${ns}${r.kind}`,
      description: `create a ${r.kind}`,
      response: kind,
      body: kind,
      parameters: [...scope, PRETTY, ...WRITE],
    });
  if (has('deletecollection'))
    op({
      path: collection,
      method: 'delete',
      action: 'deletecollection',
      operationId: `deletecollection${id}${ns}${r.kind}`,
      description: `delete collection of ${r.kind}`,
      response: `${META}.Status`,
      body: `${META}.DeleteOptions`,
      parameters: [...scope, PRETTY, ...DELETE, ...LIST],
    });
  const object = `${collection}/{name}`;
  if (has('get'))
    op({
      path: object,
      method: 'get',
      action: 'get',
      operationId: `read${id}${ns}${r.kind}`,
      description: `read the specified ${r.kind}`,
      response: kind,
      parameters: [...named, PRETTY],
    });
  if (has('update'))
    op({
      path: object,
      method: 'put',
      action: 'put',
      operationId: `replace${id}${ns}${r.kind}`,
      description: `replace the specified ${r.kind}`,
      response: kind,
      body: kind,
      parameters: [...named, PRETTY, ...WRITE],
    });
  if (has('patch'))
    op({
      path: object,
      method: 'patch',
      action: 'patch',
      operationId: `patch${id}${ns}${r.kind}`,
      description: `partially update the specified ${r.kind}`,
      response: kind,
      parameters: [...named, PRETTY, ...WRITE, FORCE],
    });
  if (has('delete'))
    op({
      path: object,
      method: 'delete',
      action: 'delete',
      operationId: `delete${id}${ns}${r.kind}`,
      description: `delete a ${r.kind}`,
      response: `${META}.Status`,
      body: `${META}.DeleteOptions`,
      parameters: [...named, PRETTY, ...DELETE],
    });

  for (const sub of r.subresources ?? []) {
    const info = subresourceInfo(r, sub);
    if (sub !== 'status' && sub !== 'scale') continue; // binding, log, exec, finalize: not objects kubectl validates
    const subKind = sub === 'status' ? kind : definitionName(info);
    const subGvk = { group: info.group, version: info.version, kind: info.kind };
    const Sub = sub[0].toUpperCase() + sub.slice(1);
    const path = `${object}/${sub}`;
    op({
      path,
      method: 'get',
      action: 'get',
      operationId: `read${id}${ns}${r.kind}${Sub}`,
      description: `read ${sub} of the specified ${r.kind}`,
      gvk: subGvk,
      definition: subKind,
      response: subKind,
      parameters: [...named, PRETTY],
    });
    op({
      path,
      method: 'put',
      action: 'put',
      operationId: `replace${id}${ns}${r.kind}${Sub}`,
      description: `replace ${sub} of the specified ${r.kind}`,
      gvk: subGvk,
      definition: subKind,
      response: subKind,
      body: subKind,
      parameters: [...named, PRETTY, ...WRITE],
    });
    op({
      path,
      method: 'patch',
      action: 'patch',
      operationId: `patch${id}${ns}${r.kind}${Sub}`,
      description: `partially update ${sub} of the specified ${r.kind}`,
      gvk: subGvk,
      definition: subKind,
      response: subKind,
      parameters: [...named, PRETTY, ...WRITE, FORCE],
    });
  }
  return ops;
}

/** The served resources that have a schema, by group version path without the leading slash: `api/v1`, `apis/apps/v1`. */
export function servedGroupVersions(
  resources: ResourceInfo[] = SERVED,
  definitions: Definitions = DEFINITIONS,
): Map<string, ResourceInfo[]> {
  const byGV = new Map<string, ResourceInfo[]>();
  for (const r of resources) {
    if (!definitions[definitionName(r)]) continue; // metrics.k8s.io: no schema here
    const key = groupVersionPath(r).slice(1);
    byGV.set(key, [...(byGV.get(key) ?? []), r]);
  }
  return byGV;
}
