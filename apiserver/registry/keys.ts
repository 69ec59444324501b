// Where objects live in etcd: `/registry/<group or core>/<plural>/<namespace>/<name>`.
import type { ResourceInfo } from '../../shared/api/resources';

const groupSegment = (r: ResourceInfo): string => r.group || 'core';

export function objectKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.namespaced
    ? `/registry/${groupSegment(r)}/${r.plural}/${namespace}/${name}`
    : `/registry/${groupSegment(r)}/${r.plural}/${name}`;
}

/** The prefix of a collection: every namespace when `namespace` is undefined. */
export function collectionPrefix(r: ResourceInfo, namespace?: string): string {
  const base = `/registry/${groupSegment(r)}/${r.plural}/`;
  return r.namespaced && namespace ? `${base}${namespace}/` : base;
}
