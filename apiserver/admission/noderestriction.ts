// The NodeRestriction admission plugin: a kubelet (user system:node:<name> in group system:nodes) may
// change only its own Node, its own Lease and the pods bound to it, and only in the ways a kubelet needs.
// The Node authorizer (auth/node.ts) decides which objects a node may touch; this plugin looks inside the
// change:
//   - Nodes: only its own; it may set only kubelet labels (shared/api/kubeletlabels.ts) and never
//     node-restriction.kubernetes.io/ ones, may not change its taints after registering (it may register
//     with some: --register-with-taints), and may not set spec.podCIDR(s), which the controller-manager
//     assigns (stricter than Kubernetes, which lets a node fill an empty podCIDR: here host-gw routes other
//     nodes' pods by it, so a node choosing its own could draw their traffic).
//   - Pods: the status of pods bound to it, and deleting them; no creates (there are no static pods here,
//     so no mirror pods).
//   - Leases: only its own, in kube-node-lease.
//   - ServiceAccount tokens: only bound to a pod (named with its uid) that is scheduled to it.
import type { TokenRequest } from '../../shared/api/authentication';
import type { Node, Pod } from '../../shared/api/core';
import { isForbiddenNodeLabel } from '../../shared/api/kubeletlabels';
import { semanticallyEqual } from '../../shared/equality';
import { nodeNameOf } from '../auth/node';
import { notFound } from '../../shared/errors';
import { AdmissionAttributes, admissionForbidden, ValidationPlugin } from './admission';

const NODES_GROUP = 'system:nodes';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** Keys whose value differs between two label sets (added, removed or changed), sorted. */
export function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

const podCIDRsOf = (node: Node | undefined) => ({ podCIDR: node?.spec?.podCIDR ?? '', podCIDRs: node?.spec?.podCIDRs ?? [] });

function admitNode(node: string, attrs: AdmissionAttributes): void {
  if (attrs.name !== node) throw admissionForbidden(attrs, `node "${node}" is not allowed to modify node "${attrs.name}"`);
  const obj = attrs.object as Node | undefined;
  if (attrs.operation === 'CREATE') {
    const forbidden = modifiedLabels(obj!.metadata.labels).filter(isForbiddenNodeLabel);
    if (forbidden.length)
      throw admissionForbidden(attrs, `node "${node}" is not allowed to set the following labels: ${forbidden.join(', ')}`);
    if (!semanticallyEqual(podCIDRsOf(obj), podCIDRsOf(undefined)))
      throw admissionForbidden(attrs, `node "${node}" is not allowed to set spec.podCIDR: the controller-manager assigns it`);
  }
  if (attrs.operation === 'UPDATE') {
    const old = attrs.oldObject as Node;
    if (!semanticallyEqual(obj!.spec?.taints ?? [], old.spec?.taints ?? []))
      throw admissionForbidden(attrs, `node "${node}" is not allowed to modify taints`);
    const forbidden = modifiedLabels(obj!.metadata.labels, old.metadata.labels).filter(isForbiddenNodeLabel);
    if (forbidden.length) throw admissionForbidden(attrs, `is not allowed to modify labels: ${forbidden.join(', ')}`);
    if (!semanticallyEqual(podCIDRsOf(obj), podCIDRsOf(old)))
      throw admissionForbidden(attrs, `node "${node}" is not allowed to modify spec.podCIDR: the controller-manager assigns it`);
  }
}

function admitPod(node: string, attrs: AdmissionAttributes): void {
  const { operation, subresource } = attrs;
  if (subresource === 'status') {
    if (operation !== 'UPDATE') throw admissionForbidden(attrs, `unexpected operation "${operation}"`);
    const [pod, old] = [attrs.object as Pod, attrs.oldObject as Pod];
    if (old.spec.nodeName !== node)
      throw admissionForbidden(attrs, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
    if (modifiedLabels(pod.metadata.labels, old.metadata.labels).length)
      throw admissionForbidden(attrs, `node "${node}" cannot update labels through pod status`);
    return;
  }
  if (subresource) throw admissionForbidden(attrs, `unexpected pod subresource "${subresource}", only 'status' is allowed`);
  switch (operation) {
    case 'CREATE':
      if (!(attrs.object as Pod).metadata.annotations?.[MIRROR_POD_ANNOTATION])
        throw admissionForbidden(
          attrs,
          `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`,
        );
      throw admissionForbidden(attrs, `node "${node}" can not create mirror pods: this cluster runs no static pods`);
    case 'DELETE':
      if ((attrs.oldObject as Pod).spec.nodeName !== node)
        throw admissionForbidden(attrs, `node "${node}" can only delete pods with spec.nodeName set to itself`);
      return;
    default:
      throw admissionForbidden(attrs, `unexpected operation "${operation}", node "${node}" can only create and delete mirror pods`);
  }
}

function admitLease(node: string, attrs: AdmissionAttributes): void {
  if (attrs.namespace !== NODE_LEASE_NAMESPACE)
    throw admissionForbidden(attrs, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  if (attrs.name !== node) throw admissionForbidden(attrs, 'can only access node lease with the same name as the requesting node');
}

/** Reads a pod from the apiserver's storage: undefined when there is none. */
export type PodGetter = (namespace: string, name: string) => Promise<Pod | undefined>;

/** TokenRequests from a node must be bound to a pod scheduled on that node (admitServiceAccount). */
async function admitServiceAccount(node: string, attrs: AdmissionAttributes, getPod: PodGetter): Promise<void> {
  if (attrs.operation !== 'CREATE') throw admissionForbidden(attrs, `unexpected operation "${attrs.operation}"`);
  if (attrs.subresource !== 'token') throw admissionForbidden(attrs, `unexpected subresource "${attrs.subresource}"`);
  const ref = (attrs.object as TokenRequest).spec.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name)
    throw admissionForbidden(attrs, 'node requested token not bound to a pod');
  if (!ref.uid) throw admissionForbidden(attrs, 'node requested token with a pod binding without a uid');
  const pod = await getPod(attrs.namespace, ref.name);
  if (!pod) throw notFound('pods', ref.name);
  if (pod.metadata.uid !== ref.uid)
    throw admissionForbidden(
      attrs,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  if (pod.spec.nodeName !== node) throw admissionForbidden(attrs, 'node requested token bound to a pod scheduled on a different node');
}

export function nodeRestriction(getPod: PodGetter): ValidationPlugin {
  return {
    async validate(attrs) {
      if (!attrs.user.groups?.includes(NODES_GROUP)) return;
      const node = nodeNameOf(attrs.user);
      if (!node) throw admissionForbidden(attrs, `could not determine node from user "${attrs.user.username}"`);
      switch (`${attrs.resource.group}/${attrs.resource.plural}`) {
        case '/nodes':
          return admitNode(node, attrs);
        case '/pods':
          return admitPod(node, attrs);
        case 'coordination.k8s.io/leases':
          return admitLease(node, attrs);
        case '/serviceaccounts':
          return admitServiceAccount(node, attrs, getPod);
      }
    },
  };
}
