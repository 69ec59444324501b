// Who may call the kubelet's port, as the real kubelet decides it (--anonymous-auth=false,
// --authentication-token-webhook, --authorization-mode=Webhook): the caller is checked by the apiserver
// (shared/delegatedauth.ts) as one who may get nodes/<subresource> of this node, the subresource named by
// the path as Kubernetes' kubelet names it.
import type { IncomingMessage } from 'node:http';
import type { AccessAttributes, AuthResult, DelegatedAuth } from '../shared/delegatedauth';

const isSubpath = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** The nodes subresource a kubelet path is authorized as (Kubernetes' own mapping). */
export function kubeletSubresource(path: string): string {
  if (isSubpath(path, '/stats')) return 'stats';
  if (isSubpath(path, '/metrics')) return 'metrics';
  if (isSubpath(path, '/logs')) return 'log';
  return 'proxy'; // containerLogs, exec, run, ...
}

/** The SubjectAccessReview attributes of a request to this node's kubelet. */
export function kubeletAttributes(nodeName: string, path: string): AccessAttributes {
  return { resourceAttributes: { verb: 'get', resource: 'nodes', subresource: kubeletSubresource(path), name: nodeName } };
}

/** Kubernetes' KubeletAuth: delegated authentication and authorization with the node's attributes. */
export class KubeletAuth {
  constructor(
    private readonly delegated: DelegatedAuth,
    private readonly nodeName: string,
  ) {}

  check(req: IncomingMessage, path: string): Promise<AuthResult> {
    return this.delegated.check(req, kubeletAttributes(this.nodeName, path));
  }
}
