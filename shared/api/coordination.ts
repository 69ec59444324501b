// coordination.k8s.io/v1: Leases, used for node heartbeats and leader election.
import type { KubeObject } from './meta';

export interface Lease extends KubeObject {
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}
