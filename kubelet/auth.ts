// Who may call the kubelet's port, as the real kubelet decides it (--anonymous-auth=false,
// --authentication-token-webhook, --authorization-mode=Webhook): the caller is checked by the apiserver
// (shared/delegatedauth.ts) as one who may get nodes/<subresource> of this node, the subresource named by
// the path as Kubernetes' kubelet names it, with the verb of the HTTP method; exec, attach and
// port-forward are a create whatever the method (their WebSocket upgrade is a GET, and may-get-nodes/proxy
// must not mean may-run-commands).
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

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

const STREAMING_PATHS = ['/exec', '/attach', '/portForward'];

/** The SubjectAccessReview attributes of a request to this node's kubelet. */
export function kubeletAttributes(nodeName: string, method: string, path: string): AccessAttributes {
  const verb = STREAMING_PATHS.some((p) => isSubpath(path, p)) ? 'create' : (METHOD_VERBS[method] ?? method.toLowerCase());
  return { resourceAttributes: { verb, resource: 'nodes', subresource: kubeletSubresource(path), name: nodeName } };
}

/** Kubernetes' KubeletAuth: delegated authentication and authorization with the node's attributes. */
export class KubeletAuth {
  constructor(
    private readonly delegated: DelegatedAuth,
    private readonly nodeName: string,
  ) {}

  check(req: IncomingMessage, path: string): Promise<AuthResult> {
    return this.delegated.check(req, kubeletAttributes(this.nodeName, req.method ?? 'GET', path));
  }
}
