import type { Pod } from '../../shared/api/core';
import type { Store } from '../registry/store';
import type { Attributes } from './authorizer';
import { NodeAuthorizer } from './node';
import { requestInfo } from './requestinfo';

const kubelet = { username: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] };
const pod = (name: string, node: string, serviceAccountName: string) =>
  ({ metadata: { name, namespace: 'ci' }, spec: { nodeName: node, serviceAccountName, containers: [] } }) as unknown as Pod;
const pods = [pod('web', 'node-1', 'builder'), pod('db', 'node-2', 'database')];
const podStore = {
  list: async (namespace: string | undefined, predicate: (p: Pod) => boolean) => ({
    items: pods.filter((p) => (!namespace || p.metadata.namespace === namespace) && predicate(p)),
    resourceVersion: '1',
  }),
} as unknown as Store;
const attrs = (method: string, path: string): Attributes => ({ ...requestInfo(method, path, false), user: kubelet });

describe('NodeAuthorizer: ServiceAccount tokens', () => {
  const authorizer = new NodeAuthorizer(podStore);

  it('lets a kubelet ask for a token of a ServiceAccount that a pod on its node runs as', async () => {
    expect(await authorizer.authorize(attrs('POST', '/api/v1/namespaces/ci/serviceaccounts/builder/token'))).toEqual({ decision: 'allow' });
  });

  it("has no opinion on other nodes' ServiceAccounts, other namespaces, or anything but creating a token", async () => {
    const reason = async (method: string, path: string) => {
      const decision = await authorizer.authorize(attrs(method, path));
      return decision.decision === 'allow' ? 'allowed' : decision.reason;
    };
    expect(await reason('POST', '/api/v1/namespaces/ci/serviceaccounts/database/token')).toBe(
      "no relationship found between node 'node-1' and this object",
    );
    expect(await reason('POST', '/api/v1/namespaces/other/serviceaccounts/builder/token')).toBe(
      "no relationship found between node 'node-1' and this object",
    );
    expect(await reason('GET', '/api/v1/namespaces/ci/serviceaccounts/builder')).toBe(
      'can only create tokens for individual service accounts',
    );
    expect(await reason('POST', '/api/v1/namespaces/ci/serviceaccounts')).toBe('can only create tokens for individual service accounts');
  });
});
