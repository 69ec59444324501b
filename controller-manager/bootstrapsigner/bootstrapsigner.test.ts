import type { ConfigMap, Secret } from '../../shared/api/core';
import { bootstrapTokenSecret } from '../../shared/bootstraptoken';
import { detachedSignatureIsValid } from '../../shared/jws';
import { clockAt, fakeInformers, synced } from '../testing';
import { BootstrapSigner } from './bootstrapsigner';

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: []\n';

/** A token Secret as stored (data in base64). */
function token(t: string, opts: { expiration?: string; usages?: ('signing' | 'authentication')[]; deleting?: boolean } = {}): Secret {
  const s = bootstrapTokenSecret({
    token: t,
    expiration: opts.expiration,
    usages: opts.usages ?? ['signing', 'authentication'],
    groups: [],
  });
  return {
    ...s,
    metadata: { ...s.metadata, uid: `uid-${t}`, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    stringData: undefined,
    data: Object.fromEntries(Object.entries(s.stringData!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

const clusterInfo = (extra: Record<string, string> = {}): ConfigMap => ({
  metadata: { name: 'cluster-info', namespace: 'kube-public', resourceVersion: '5' },
  data: { kubeconfig: KUBECONFIG, ...extra },
});

async function setup(secrets: Secret[], cm: ConfigMap = clusterInfo()) {
  const informers = fakeInformers({ configmaps: [cm], secrets });
  const written: ConfigMap[] = [];
  const clock = clockAt('2026-01-01T00:00:00Z');
  const c = new BootstrapSigner(informers, { update: async (o) => void written.push(o) }, clock);
  await synced(informers);
  return { c, written, clock };
}

describe('the bootstrap signer', () => {
  it("signs cluster-info's kubeconfig with each signing token, under jws-kubeconfig-<id>", async () => {
    const { c, written } = await setup([
      token('abcdef.0123456789abcdef'),
      token('ghijkl.0123456789abcdef', { usages: ['authentication'] }),
    ]);
    await c.sync('kube-public/cluster-info');
    expect(written).toHaveLength(1);
    expect(Object.keys(written[0].data!).sort()).toEqual(['jws-kubeconfig-abcdef', 'kubeconfig']);
    expect(detachedSignatureIsValid(written[0].data!['jws-kubeconfig-abcdef'], KUBECONFIG, 'abcdef', '0123456789abcdef')).toBe(true);
    expect(written[0].metadata.resourceVersion).toBe('5'); // a compare-and-swap on what it read
  });

  it('drops the signatures of deleted, expired and departing tokens, and writes nothing when all is in order', async () => {
    const stale = clusterInfo({ 'jws-kubeconfig-gone00': 'x..y', 'jws-kubeconfig-old000': 'x..y' });
    const { c, written } = await setup(
      [token('old000.0123456789abcdef', { expiration: '2025-12-31T23:59:59Z' }), token('leave0.0123456789abcdef', { deleting: true })],
      stale,
    );
    await c.sync('kube-public/cluster-info');
    expect(written[0].data).toEqual({ kubeconfig: KUBECONFIG });

    const current = await setup([], clusterInfo());
    await current.c.sync('kube-public/cluster-info');
    expect(current.written).toEqual([]);
  });

  it("looks again when a token expires, so its signature goes before the token's Secret does", async () => {
    const { c, clock } = await setup([token('abcdef.0123456789abcdef', { expiration: '2026-01-01T00:10:00Z' })]);
    await c.sync('kube-public/cluster-info');
    clock.step(10 * 60_000 - 1);
    await c.queue.get(); // the key queued when the informers started
    c.queue.done('kube-public/cluster-info');
    expect(c.queue.len()).toBe(0);
    clock.step(1);
    expect(c.queue.len()).toBe(1);
  });
});
