// The authorizer chain named by --authorization-mode (Node,RBAC by default), behind the system:masters
// shortcut Kubernetes also has.
import { ALLOW, Authorizer, privilegedGroups, unionAuthorizer } from './authorizer';
import { NodeAuthorizer } from './node';
import type { PolicySource } from './rbac';
import { RbacAuthorizer } from './rbac';
import type { Stores } from '../registry';
import { PersistentVolumeClaims, Pods } from '../../shared/api/resources';

export function authorizerChain(modes: string[], stores: Stores, policy: PolicySource): Authorizer {
  const chain: Authorizer[] = [privilegedGroups];
  for (const mode of modes.map((m) => m.trim())) {
    if (mode === 'Node') chain.push(new NodeAuthorizer(stores.of(Pods), stores.of(PersistentVolumeClaims)));
    else if (mode === 'RBAC') chain.push(new RbacAuthorizer(policy));
    else if (mode === 'AlwaysAllow') chain.push({ authorize: () => ALLOW });
    else throw new Error(`--authorization-mode: unknown mode ${mode} (want Node, RBAC or AlwaysAllow)`);
  }
  return unionAuthorizer(chain);
}
