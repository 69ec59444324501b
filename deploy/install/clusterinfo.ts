// What kubeadm's bootstrap-token phase sets up on the control plane, for workers to join with a token:
//   kube-public/cluster-info   the apiserver's address and CA, readable by system:anonymous (a joining
//                              node trusts nothing yet); the controller-manager's bootstrapsigner signs it
//                              with each token, which is how the node knows it came from its cluster
//   ClusterRoleBindings        for the group kubeadm's tokens authenticate in: create CSRs
//                              (system:node-bootstrapper) and have node client ones auto-approved
//                              (nodeclient); nodes may have their renewals auto-approved (selfnodeclient)
import type { ConfigMap } from '../../shared/api/core';
import type { ClusterRoleBinding, Role, RoleBinding } from '../../shared/api/rbac';
import { ClusterRoleBindings, ConfigMaps, ResourceInfo, RoleBindings, Roles } from '../../shared/api/resources';
import { DEFAULT_NODE_TOKEN_GROUP } from '../../shared/bootstraptoken';
import type { Client } from '../../shared/client';
import { isAlreadyExists } from '../../shared/errors';
import { stringify } from 'yaml';

export const RBAC = 'rbac.authorization.k8s.io';
const CLUSTER_INFO_READER = 'kubeadm:bootstrap-signer-clusterinfo';

/** A kubeconfig with only the cluster (server and CA): what cluster-info holds. */
export function clusterInfoKubeconfig(server: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    contexts: [],
    users: [],
    preferences: {},
    'current-context': '',
  });
}

/** Creates the object, or replaces what an earlier install left (keeping its metadata). */
export async function apply<T extends { metadata: { name?: string; namespace?: string } }>(
  client: Client,
  resource: ResourceInfo,
  obj: T,
): Promise<void> {
  const r = client.resource(resource);
  try {
    await r.create(obj as never);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const current = await r.get(obj.metadata.namespace, obj.metadata.name!);
    await r.update({ ...current, ...obj, metadata: { ...current.metadata, ...obj.metadata } } as never);
  }
}

const clusterBinding = (name: string, role: string, group: string): ClusterRoleBinding => ({
  metadata: { name },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
  subjects: [{ kind: 'Group', apiGroup: RBAC, name: group }],
});

export async function setUpBootstrapTokenAccess(client: Client, server: string, caPem: string): Promise<void> {
  const cm: ConfigMap = {
    metadata: { name: 'cluster-info', namespace: 'kube-public' },
    data: { kubeconfig: clusterInfoKubeconfig(server, caPem) },
  };
  const role: Role = {
    metadata: { name: CLUSTER_INFO_READER, namespace: 'kube-public' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] }],
  };
  const binding: RoleBinding = {
    metadata: { name: CLUSTER_INFO_READER, namespace: 'kube-public' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: CLUSTER_INFO_READER },
    subjects: [{ kind: 'User', apiGroup: RBAC, name: 'system:anonymous' }],
  };
  await apply(client, ConfigMaps, cm);
  await apply(client, Roles, role);
  await apply(client, RoleBindings, binding);
  for (const b of [
    clusterBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', DEFAULT_NODE_TOKEN_GROUP),
    clusterBinding(
      'kubeadm:node-autoapprove-bootstrap',
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      DEFAULT_NODE_TOKEN_GROUP,
    ),
    clusterBinding(
      'kubeadm:node-autoapprove-certificate-rotation',
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      'system:nodes',
    ),
  ])
    await apply(client, ClusterRoleBindings, b);
}
