// Filtering lists and watches by `labelSelector` and `fieldSelector`, as the apiserver does.
import type { KubeObject } from '../../shared/api/meta';
import { parseFieldSelector } from '../../shared/fields';
import { parseSelector } from '../../shared/labels';

/** Reads a dotted field path (`spec.nodeName`, `involvedObject.kind`) as a string. */
export function fieldValue(obj: KubeObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export type Predicate = (obj: KubeObject) => boolean;

/** The predicate of a request without selectors (a list can then count what remains unread). */
export const everything: Predicate = () => true;

/** A predicate for the query's selectors; throws BadRequest on a malformed selector. */
export function selectionPredicate(labelSelector?: string, fieldSelector?: string): Predicate {
  if (!labelSelector && !fieldSelector) return everything;
  const labels = parseSelector(labelSelector ?? '');
  const fields = parseFieldSelector(fieldSelector ?? '');
  return (obj) =>
    labels.matches(obj.metadata.labels) &&
    fields.matches((path) => {
      const v = fieldValue(obj, path);
      // Kubernetes field selectors see an unset spec.nodeName as "".
      return v ?? '';
    });
}
