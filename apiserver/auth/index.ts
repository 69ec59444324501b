// The authorizer chain named by --authorization-mode (Node,RBAC by default), behind the system:masters
// shortcut Kubernetes also has.
import type { Store } from '../registry/store';
import { ALLOW, Authorizer, privilegedGroups, unionAuthorizer } from './authorizer';
import { NodeAuthorizer } from './node';
import type { PolicySource } from './rbac';
import { RbacAuthorizer } from './rbac';

export function authorizerChain(modes: string[], stores: Map<string, Store>, policy: PolicySource): Authorizer {
  const chain: Authorizer[] = [privilegedGroups];
  for (const mode of modes.map((m) => m.trim())) {
    if (mode === 'Node') chain.push(new NodeAuthorizer(stores.get('/pods')!, stores.get('/persistentvolumeclaims')));
    else if (mode === 'RBAC') chain.push(new RbacAuthorizer(policy));
    else if (mode === 'AlwaysAllow') chain.push({ authorize: () => ALLOW });
    else throw new Error(`--authorization-mode: unknown mode ${mode} (want Node, RBAC or AlwaysAllow)`);
  }
  return unionAuthorizer(chain);
}
