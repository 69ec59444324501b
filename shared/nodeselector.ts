// Node selectors (core/v1 NodeSelector): the terms of a pod's required node affinity, and of a
// PersistentVolume's node affinity, matched against a Node (k8s.io/component-helpers/scheduling/corev1).
import type { Node, NodeSelectorRequirement, NodeSelectorTerm } from './api/core';

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case 'In':
      return value !== undefined && (r.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(r.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(r.values?.[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(r.values?.[0]);
  }
}

/** A term matches when every expression matches the node's labels and every field (metadata.name) its fields. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  return (
    (term.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key])) &&
    (term.matchFields ?? []).every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined))
  );
}

/** A selector matches when any of its terms does; one without terms matches no node. */
export const nodeSelectorMatches = (terms: NodeSelectorTerm[] | undefined, node: Node): boolean =>
  (terms ?? []).some((t) => nodeSelectorTermMatches(t, node));
