// coordination.k8s.io/v1: Leases (leader election, node heartbeats).
// Field names and types are Kubernetes'; see model.ts for the builders.
import { definitions, int32, object, ref, str } from './model';

export const coordination = definitions('io.k8s.api.coordination.v1', {
  Lease: object({
    apiVersion: str(),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: ref('LeaseSpec'),
  }),
  LeaseSpec: object({
    acquireTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'),
    holderIdentity: str(),
    leaseDurationSeconds: int32(),
    leaseTransitions: int32(),
    preferredHolder: str(),
    renewTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'),
    strategy: str(),
  }),
});
