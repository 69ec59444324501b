import type { UserInfo } from '../../shared/api/authentication';
import type { Node, Pod } from '../../shared/api/core';
import type { KubeObject } from '../../shared/api/meta';
import { Leases, Nodes, Pods, ResourceInfo, ServiceAccounts } from '../../shared/api/resources';
import type { StatusError } from '../../shared/errors';
import type { AdmissionAttributes, Operation } from './admission';
import { nodeRestriction, PodGetter } from './noderestriction';

const kubelet: UserInfo = { username: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] };

function attrs(
  resource: ResourceInfo,
  operation: Operation,
  object: KubeObject | undefined,
  oldObject?: KubeObject,
  extra: Partial<AdmissionAttributes> = {},
): AdmissionAttributes {
  const meta = (object ?? oldObject)!.metadata;
  return {
    operation,
    resource,
    subresource: '',
    namespace: meta.namespace ?? '',
    name: meta.name!,
    object,
    oldObject,
    user: kubelet,
    dryRun: false,
    ...extra,
  };
}

/** The refusal's message, or undefined when the change is admitted. */
async function refusal(a: AdmissionAttributes, getPod: PodGetter = async () => undefined): Promise<string | undefined> {
  try {
    await nodeRestriction(getPod).validate(a);
    return undefined;
  } catch (err) {
    expect((err as StatusError).status).toMatchObject({ code: 403, reason: 'Forbidden' });
    return (err as StatusError).status.message;
  }
}

const node = (labels: Record<string, string> = {}, spec: Node['spec'] = {}, name = 'node-1'): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec,
});

describe('NodeRestriction: nodes', () => {
  it('lets a node register with kubelet labels and taints, but no other kubernetes.io label or podCIDR', async () => {
    const labels = { 'kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'topology.kubernetes.io/zone': 'a', team: 'x' };
    const taints = [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }];
    expect(
      await refusal(
        attrs(Nodes, 'CREATE', node({ ...labels, 'x.kubelet.kubernetes.io/y': '1', 'node.kubernetes.io/pool': 'p' }, { taints })),
      ),
    ).toBeUndefined();
    expect(
      await refusal(
        attrs(
          Nodes,
          'CREATE',
          node({ 'node-role.kubernetes.io/control-plane': '', 'node-restriction.kubernetes.io/pci': 'yes', 'k8s.io/x': '' }),
        ),
      ),
    ).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to set the following labels: k8s.io/x, node-restriction.kubernetes.io/pci, node-role.kubernetes.io/control-plane',
    );
    expect(await refusal(attrs(Nodes, 'CREATE', node({}, { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'] })))).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to set spec.podCIDR: the controller-manager assigns it',
    );
  });

  it('refuses changes of labels outside the kubelet set, in either direction', async () => {
    const old = node({ 'node-role.kubernetes.io/worker': '', 'kubernetes.io/os': 'linux' });
    expect(
      await refusal(attrs(Nodes, 'UPDATE', node({ 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/master': '' }), old)),
    ).toBe('nodes "node-1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/master');
    expect(await refusal(attrs(Nodes, 'UPDATE', node({ 'kubernetes.io/os': 'linux' }), old))).toBe(
      'nodes "node-1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker',
    );
    expect(
      await refusal(attrs(Nodes, 'UPDATE', node({ ...old.metadata.labels, 'example.com/rack': 'r1', 'kubernetes.io/os': 'windows' }), old)),
    ).toBeUndefined();
  });

  it('refuses changing taints or the podCIDR after registration', async () => {
    const old = node({}, { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'k', effect: 'NoSchedule' }] });
    expect(await refusal(attrs(Nodes, 'UPDATE', node({}, { ...old.spec, taints: [] }), old))).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints',
    );
    expect(await refusal(attrs(Nodes, 'UPDATE', node({}, { ...old.spec, podCIDR: '10.244.2.0/24' }), old))).toBe(
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify spec.podCIDR: the controller-manager assigns it',
    );
    expect(await refusal(attrs(Nodes, 'UPDATE', node({}, { taints: [] }), node()))).toBeUndefined(); // [] and none are the same
    expect(await refusal(attrs(Nodes, 'UPDATE', node({}, old.spec), old, { subresource: 'status' }))).toBeUndefined();
  });

  it('keeps a node to its own Node', async () => {
    const other = node({}, {}, 'node-2');
    for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const)
      expect(await refusal(attrs(Nodes, op, op === 'DELETE' ? undefined : other, op === 'CREATE' ? undefined : other))).toBe(
        'nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"',
      );
    expect(await refusal(attrs(Nodes, 'DELETE', undefined, node()))).toBeUndefined();
  });

  it('leaves users that are not nodes alone, and refuses a node identity without a name', async () => {
    const admin = { username: 'admin', groups: ['system:masters'] };
    expect(
      await refusal({ ...attrs(Nodes, 'UPDATE', node({ 'node-role.kubernetes.io/master': '' }), node()), user: admin }),
    ).toBeUndefined();
    expect(await refusal({ ...attrs(Nodes, 'UPDATE', node(), node()), user: { username: 'mallory', groups: ['system:nodes'] } })).toBe(
      'nodes "node-1" is forbidden: could not determine node from user "mallory"',
    );
  });
});

describe('NodeRestriction: pods and leases', () => {
  const pod = (nodeName?: string, labels: Record<string, string> = {}): Pod => ({
    metadata: { name: 'web', namespace: 'default', labels },
    spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
  });

  it('lets a node write the status of its own pods only, without touching labels', async () => {
    const status = { subresource: 'status' };
    expect(await refusal(attrs(Pods, 'UPDATE', pod('node-1'), pod('node-1'), status))).toBeUndefined();
    expect(await refusal(attrs(Pods, 'UPDATE', pod('node-2'), pod('node-2'), status))).toBe(
      'pods "web" is forbidden: node "node-1" can only update pod status for pods with spec.nodeName set to itself',
    );
    expect(await refusal(attrs(Pods, 'UPDATE', pod('node-1', { app: 'evil' }), pod('node-1'), status))).toBe(
      'pods "web" is forbidden: node "node-1" cannot update labels through pod status',
    );
  });

  it('lets a node delete its own pods, and neither create nor update any', async () => {
    expect(await refusal(attrs(Pods, 'DELETE', undefined, pod('node-1')))).toBeUndefined();
    expect(await refusal(attrs(Pods, 'DELETE', undefined, pod('node-2')))).toBe(
      'pods "web" is forbidden: node "node-1" can only delete pods with spec.nodeName set to itself',
    );
    expect(await refusal(attrs(Pods, 'CREATE', pod('node-1')))).toBe(
      'pods "web" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "node-1" can only create mirror pods',
    );
    expect(await refusal(attrs(Pods, 'UPDATE', pod('node-1'), pod('node-1')))).toBe(
      'pods "web" is forbidden: unexpected operation "UPDATE", node "node-1" can only create and delete mirror pods',
    );
    expect(await refusal(attrs(Pods, 'UPDATE', pod('node-1'), pod(), { subresource: 'binding' }))).toBe(
      `pods "web" is forbidden: unexpected pod subresource "binding", only 'status' is allowed`,
    );
  });

  it('keeps a node to its own lease in kube-node-lease', async () => {
    const lease = (namespace: string, name: string) => ({ metadata: { namespace, name } });
    expect(await refusal(attrs(Leases, 'UPDATE', lease('kube-node-lease', 'node-1'), lease('kube-node-lease', 'node-1')))).toBeUndefined();
    expect(await refusal(attrs(Leases, 'CREATE', lease('kube-node-lease', 'node-2')))).toBe(
      'leases.coordination.k8s.io "node-2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    expect(await refusal(attrs(Leases, 'CREATE', lease('kube-system', 'node-1')))).toBe(
      'leases.coordination.k8s.io "node-1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    );
  });
});

describe('NodeRestriction: ServiceAccount tokens', () => {
  const web = {
    metadata: { name: 'web', namespace: 'ci', uid: 'pod-uid' },
    spec: { nodeName: 'node-1', containers: [] },
  } as unknown as Pod;
  const getPod: PodGetter = async (namespace, name) => (namespace === 'ci' && name === 'web' ? web : undefined);
  const tokenRequest = (boundObjectRef?: object) =>
    attrs(
      ServiceAccounts,
      'CREATE',
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name: 'default', namespace: 'ci' },
        spec: { boundObjectRef },
      } as KubeObject,
      undefined,
      { subresource: 'token' },
    );
  const ref = (more: object = {}) => ({ kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'pod-uid', ...more });

  it('lets a node ask for a token bound to a pod of its own, named with its uid', async () => {
    expect(await refusal(tokenRequest(ref()), getPod)).toBeUndefined();
  });

  it('refuses unbound tokens, tokens without the pod uid, for another uid, or for a pod of another node', async () => {
    const forbidden = (why: string) => `serviceaccounts "default" is forbidden: ${why}`;
    expect(await refusal(tokenRequest(), getPod)).toBe(forbidden('node requested token not bound to a pod'));
    expect(await refusal(tokenRequest(ref({ kind: 'Secret' })), getPod)).toBe(forbidden('node requested token not bound to a pod'));
    expect(await refusal(tokenRequest(ref({ uid: '' })), getPod)).toBe(forbidden('node requested token with a pod binding without a uid'));
    expect(await refusal(tokenRequest(ref({ uid: 'old' })), getPod)).toBe(
      forbidden(
        'the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated',
      ),
    );
    const elsewhere: PodGetter = async () => ({ ...web, spec: { ...web.spec, nodeName: 'node-2' } });
    expect(await refusal(tokenRequest(ref()), elsewhere)).toBe(
      forbidden('node requested token bound to a pod scheduled on a different node'),
    );
  });
});
