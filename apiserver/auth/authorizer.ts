// Authorization: each authorizer answers allow, deny or no opinion for a user and a request; the chain
// asks them in order and the first allow or deny wins (kube-apiserver --authorization-mode=Node,RBAC).
// A refusal becomes the 403 Kubernetes sends, naming the user, the verb and the resource.
import type { UserInfo } from '../../shared/api/authentication';
import { forbidden, StatusError } from '../../shared/errors';
import type { RequestInfo } from './requestinfo';

export type Decision = { decision: 'allow' } | { decision: 'deny' | 'noOpinion'; reason?: string };

/** What an authorizer is asked: who, what, and (for creates) the name in the request body. */
export interface Attributes extends RequestInfo {
  user: UserInfo;
  /** For a create, the name in the request body (the URL has none), read on demand. */
  createdName?: () => string | undefined;
}

export interface Authorizer {
  authorize(attrs: Attributes): Promise<Decision> | Decision;
}

export const ALLOW: Decision = { decision: 'allow' };
export const noOpinion = (reason?: string): Decision => ({ decision: 'noOpinion', reason });

/** Members of system:masters may do anything, whatever RBAC says (as in Kubernetes). */
export const privilegedGroups: Authorizer = {
  authorize: (attrs) => (attrs.user.groups?.includes('system:masters') ? ALLOW : noOpinion()),
};

export function unionAuthorizer(authorizers: Authorizer[]): Authorizer {
  return {
    async authorize(attrs) {
      const reasons: string[] = [];
      for (const a of authorizers) {
        const d = await a.authorize(attrs);
        if (d.decision !== 'noOpinion') return d;
        if (d.reason) reasons.push(d.reason);
      }
      return noOpinion(reasons.join(', ') || undefined);
    },
  };
}

/** The 403 for a refused request, worded as kube-apiserver words it. */
export function forbiddenError(attrs: Attributes, reason?: string): StatusError {
  let message = `User "${attrs.user.username}" cannot ${attrs.verb}`;
  if (attrs.isResourceRequest) {
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    message += ` resource "${resource}" in API group "${attrs.apiGroup}"`;
    message += attrs.namespace ? ` in the namespace "${attrs.namespace}"` : ' at the cluster scope';
  } else {
    message += ` path "${attrs.path}"`;
  }
  if (reason) message += `: ${reason}`;
  const groupResource = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  const subject = !groupResource
    ? 'forbidden'
    : attrs.name
      ? `${groupResource} "${attrs.name}" is forbidden`
      : `${groupResource} is forbidden`;
  return forbidden(`${subject}: ${message}`, {
    group: attrs.apiGroup || undefined,
    kind: attrs.resource || undefined,
    name: attrs.name || undefined,
  });
}
