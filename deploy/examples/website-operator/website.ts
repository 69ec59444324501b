// The Website kind, as the operator sees it: its type and the descriptor the shared client and informers
// take. The CRD (crd.yaml) is what makes the apiserver serve it; nothing here is compiled into the cluster.
import type { KubeObject } from '../../../shared/api/meta';
import type { ResourceInfo } from '../../../shared/api/resources';

export interface Website extends KubeObject {
  spec: { content: string; replicas?: number; image?: string };
  status?: { availableReplicas?: number; url?: string; observedGeneration?: number };
}

export const Websites: ResourceInfo = {
  group: 'examples.mini-kubernetes.io',
  version: 'v1',
  kind: 'Website',
  plural: 'websites',
  singular: 'website',
  namespaced: true,
  shortNames: ['ws'],
  subresources: ['status', 'scale'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
};
