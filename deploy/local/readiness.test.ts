// isReady for the controller-manager: its Lease held by this run's process, and the default ServiceAccount there.
import type { Client } from '../../shared/client';
import { notFound } from '../../shared/errors';
import { isReady, Readiness } from './readiness';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const lease = {
  metadata: { name: 'kube-controller-manager' },
  spec: { holderIdentity: 'host_42', renewTime: new Date(NOW).toISOString(), leaseDurationSeconds: 15 },
};

function context(objects: Record<string, unknown>) {
  const client = {
    resource: (info: { plural: string }) => ({
      get: async (namespace: string, name: string) =>
        objects[`${info.plural}/${namespace}/${name}`] ?? Promise.reject(notFound(info.plural, name)),
    }),
  } as unknown as Client;
  return { client, ca: Buffer.from(''), now: () => NOW };
}

describe('isReady (controller-manager)', () => {
  const r: Readiness = { kind: 'lease', name: 'kube-controller-manager', serviceAccount: { namespace: 'default', name: 'default' } };

  it('waits for the default ServiceAccount once the lease is held', async () => {
    expect(await isReady(r, 42, context({ 'leases/kube-system/kube-controller-manager': lease }))).toBe(false);
    const ready = context({ 'leases/kube-system/kube-controller-manager': lease, 'serviceaccounts/default/default': { metadata: {} } });
    expect(await isReady(r, 42, ready)).toBe(true);
    expect(await isReady(r, 43, ready)).toBe(false);
    expect(
      await isReady(
        { kind: 'lease', name: 'kube-controller-manager' },
        42,
        context({ 'leases/kube-system/kube-controller-manager': lease }),
      ),
    ).toBe(true);
  });
});
