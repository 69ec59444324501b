// The Node authorizer (kube-apiserver --authorization-mode=Node, with NodeRestriction's checks): a kubelet,
// user system:node:<name> in group system:nodes, may read what it needs to run its pods and write only
// its own Node, its own Lease, and the status of pods bound to it. Secrets and ConfigMaps it may read
// only when a pod bound to it refers to them.
import type { Pod } from '../../shared/api/core';
import { podReferences } from '../../shared/api/references';
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
  constructor(private readonly pods: Store) {}

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
        if ((verb === 'update' || verb === 'patch') && subresource === 'status')
          return this.boundHere(namespace, name, node, 'can only update pod status for pods with spec.nodeName set to itself');
        if (verb === 'delete' && !subresource)
          return this.boundHere(namespace, name, node, 'can only delete pods with spec.nodeName set to itself');
        return noOpinion();
      case '/services':
      case '/endpoints':
      case 'discovery.k8s.io/endpointslices':
      case '/namespaces':
        return READ.has(verb) && !subresource ? ALLOW : noOpinion();
      case '/configmaps':
      case '/secrets':
        return verb === 'get' ? this.referencedHere(resource, namespace, name, node) : noOpinion();
      case '/events':
      case 'events.k8s.io/events':
        return ['create', 'update', 'patch'].includes(verb) ? ALLOW : noOpinion();
      case 'coordination.k8s.io/leases':
        if (namespace !== 'kube-node-lease') return noOpinion();
        return (READ.has(verb) || WRITE.has(verb)) && own ? ALLOW : noOpinion(`node "${node}" may only use its own lease`);
      case 'authentication.k8s.io/tokenreviews':
      case 'authorization.k8s.io/subjectaccessreviews':
        return verb === 'create' ? ALLOW : noOpinion();
      default:
        return noOpinion();
    }
  }

  private async boundHere(namespace: string, name: string, node: string, refusal: string): Promise<Decision> {
    try {
      const pod = (await this.pods.get(namespace, name)) as Pod;
      return pod.spec.nodeName === node ? ALLOW : noOpinion(`node "${node}" ${refusal}`);
    } catch {
      return noOpinion(`node "${node}" ${refusal}`);
    }
  }

  private async referencedHere(resource: string, namespace: string, name: string, node: string): Promise<Decision> {
    const { items } = await this.pods.list(namespace, (p) => (p as Pod).spec.nodeName === node);
    const kind = resource === 'secrets' ? 'secrets' : 'configMaps';
    const found = items.some((p) => podReferences(p as Pod)[kind].has(name));
    return found ? ALLOW : noOpinion(`no relationship found between node '${node}' and this object`);
  }
}
