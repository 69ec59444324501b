// The labels a kubelet may set on its own Node (k8s.io/kubelet's well_known_labels.go): the apiserver's
// NodeRestriction admission holds nodes to them, and the kubelet checks its --node-labels against them
// before registering. Any other label in the kubernetes.io or k8s.io namespaces (node-role.kubernetes.io/*,
// node-restriction.kubernetes.io/*) is for administrators: a node that could set them could steer
// workloads meant for other nodes onto itself.

/** Label keys a kubelet may set. */
export const KUBELET_LABELS = [
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'beta.kubernetes.io/os',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'kubernetes.io/arch',
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
];

/** Label prefixes (and their subdomains: `x.kubelet.kubernetes.io/`) a kubelet may set. */
export const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/** Labels no node may set, whatever else allows them. */
export const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

/** `node-role.kubernetes.io` for `node-role.kubernetes.io/master`; '' for a key without a prefix. */
export function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

const inNamespace = (key: string, namespace: string) => {
  const ns = labelNamespace(key);
  return ns === namespace || ns.endsWith(`.${namespace}`);
};

export const isKubeletLabel = (key: string): boolean =>
  KUBELET_LABELS.includes(key) || KUBELET_LABEL_NAMESPACES.some((ns) => inNamespace(key, ns));

/** Whether a node may not set (or change, or remove) this label on itself. */
export function isForbiddenNodeLabel(key: string): boolean {
  if (inNamespace(key, NODE_RESTRICTION_NAMESPACE)) return true;
  return (inNamespace(key, 'kubernetes.io') || inNamespace(key, 'k8s.io')) && !isKubeletLabel(key);
}
