// The Node authorizer (kube-apiserver --authorization-mode=Node): a kubelet, user system:node:<name> in
// group system:nodes, may read what it needs to run its pods and write its own Node, its own Lease, pod
// status and pod deletions. Secrets, ConfigMaps and PersistentVolumeClaims it may read only when a pod
// bound to it refers to them, and a PersistentVolume only when such a claim is bound to it; it may ask for
// a token (serviceaccounts/<name>/token) only for a ServiceAccount a pod bound to it runs as.
// Which pods and what in its Node it may change is NodeRestriction admission's part
// (admission/noderestriction.ts), which sees the stored object: a pod that is gone is then a 404.
import type { PersistentVolumeClaim, Pod } from '../../shared/api/core';
import { podClaimNames, podReferences } from '../../shared/api/references';
import type { Store } from '../registry/store';
import { ALLOW, Attributes, Authorizer, Decision, noOpinion } from './authorizer';

const NODE_PREFIX = 'system:node:';
const READ = new Set(['get', 'list', 'watch']);
const WRITE = new Set(['create', 'update', 'patch', 'delete']);

/** The node a user is, if it is one. */
export function nodeNameOf(user: Attributes['user']): string | undefined {
  return user.groups?.includes('system:nodes') && user.username.startsWith(NODE_PREFIX)
    ? user.username.slice(NODE_PREFIX.length)
    : undefined;
}

export class NodeAuthorizer implements Authorizer {
  constructor(
    private readonly pods: Store,
    private readonly claims?: Store,
  ) {}

  async authorize(attrs: Attributes): Promise<Decision> {
    const node = nodeNameOf(attrs.user);
    if (node === undefined || !attrs.isResourceRequest) return noOpinion();
    const { verb, apiGroup, resource, subresource, namespace } = attrs;
    const name = verb === 'create' ? (attrs.createdName?.() ?? '') : attrs.name;
    const own = name === node;
    switch (`${apiGroup}/${resource}`) {
      case '/nodes':
        if (READ.has(verb) && !subresource) return ALLOW;
        if (WRITE.has(verb) && (subresource === '' || subresource === 'status'))
          return own ? ALLOW : noOpinion(`node "${node}" is not allowed to modify node "${name}"`);
        return noOpinion();
      case '/pods':
        if (READ.has(verb) && !subresource) return ALLOW;
        if ((verb === 'update' || verb === 'patch') && subresource === 'status') return ALLOW;
        if (verb === 'delete' && !subresource) return ALLOW;
        return noOpinion();
      case '/services':
      case '/endpoints':
      case 'discovery.k8s.io/endpointslices':
      case '/namespaces':
        return READ.has(verb) && !subresource ? ALLOW : noOpinion();
      case '/configmaps':
      case '/secrets':
        return verb === 'get' ? this.referencedHere(resource, namespace, name, node) : noOpinion();
      case '/persistentvolumeclaims':
        return verb === 'get' && !subresource ? this.claimUsedHere(namespace, name, node) : noOpinion();
      case '/persistentvolumes':
        return verb === 'get' && !subresource ? this.volumeUsedHere(name, node) : noOpinion();
      case '/events':
      case 'events.k8s.io/events':
        return ['create', 'update', 'patch'].includes(verb) ? ALLOW : noOpinion();
      case 'coordination.k8s.io/leases':
        if (namespace !== 'kube-node-lease') return noOpinion();
        return (READ.has(verb) || WRITE.has(verb)) && own ? ALLOW : noOpinion(`node "${node}" may only use its own lease`);
      case '/serviceaccounts':
        return this.tokenForPodsHere(attrs, node);
      case 'authentication.k8s.io/tokenreviews':
      case 'authorization.k8s.io/subjectaccessreviews':
        return verb === 'create' ? ALLOW : noOpinion();
      default:
        return noOpinion();
    }
  }

  private async referencedHere(resource: string, namespace: string, name: string, node: string): Promise<Decision> {
    const { items } = await this.pods.list(namespace, (p) => (p as Pod).spec.nodeName === node);
    const kind = resource === 'secrets' ? 'secrets' : 'configMaps';
    const found = items.some((p) => podReferences(p as Pod)[kind].has(name));
    return found ? ALLOW : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  /** authorizeCreateToken: a token of a ServiceAccount that a pod on this node runs as. */
  private async tokenForPodsHere(attrs: Attributes, node: string): Promise<Decision> {
    if (attrs.verb !== 'create' || !attrs.name) return noOpinion('can only create tokens for individual service accounts');
    if (attrs.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    const found = (await this.podsHere(attrs.namespace, node)).some((p) => p.spec.serviceAccountName === attrs.name);
    return found ? ALLOW : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private async podsHere(namespace: string | undefined, node: string): Promise<Pod[]> {
    return (await this.pods.list(namespace, (p) => (p as Pod).spec.nodeName === node)).items as Pod[];
  }

  private async claimUsedHere(namespace: string, name: string, node: string): Promise<Decision> {
    const found = (await this.podsHere(namespace, node)).some((p) => podClaimNames(p).has(name));
    return found ? ALLOW : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private async volumeUsedHere(name: string, node: string): Promise<Decision> {
    for (const pod of await this.podsHere(undefined, node)) {
      for (const claimName of podClaimNames(pod)) {
        const claim = (await this.claims?.get(pod.metadata.namespace, claimName).catch(() => undefined)) as
          PersistentVolumeClaim | undefined;
        if (claim?.spec.volumeName === name) return ALLOW;
      }
    }
    return noOpinion(`no relationship found between node '${node}' and this object`);
  }
}
