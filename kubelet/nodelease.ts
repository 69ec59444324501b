// The node lease controller (component-helpers' lease controller, run by the kubelet): the node's
// heartbeat is its Lease in kube-node-lease, renewed every 10 s. The node lifecycle controller calls a
// node whose lease is older than its grace period NotReady.
import type { Lease } from '../shared/api/coordination';
import { Leases } from '../shared/api/resources';
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';
import { isNotFound } from '../shared/errors';

export const LEASE_RENEW_MS = 10_000;
const LEASE_DURATION_SECONDS = 40;

export class NodeLeaseController {
  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly clock: Clock,
  ) {}

  /** Renews the lease, creating it the first time. */
  async sync(): Promise<void> {
    const leases = this.client.resource<Lease>(Leases);
    const renewTime = new Date(this.clock.now()).toISOString().replace('Z', '000Z'); // MicroTime
    const spec = { holderIdentity: this.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime };
    try {
      const lease = await leases.get('kube-node-lease', this.nodeName);
      await leases.update({ ...lease, spec: { ...lease.spec, ...spec } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await leases.create({ metadata: { name: this.nodeName, namespace: 'kube-node-lease' }, spec });
    }
  }
}
