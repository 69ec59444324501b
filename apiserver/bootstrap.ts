// What every cluster has from the start: the system namespaces and the `kubernetes` Service in default,
// whose Endpoints the apiservers keep (reconcilers/lease.ts, as the real apiserver's bootstrap controller), the
// default RBAC roles and bindings, and the default StorageClass `local-path` (as k3s ships it: directories
// on the node of the claim's first pod, made by the controller-manager's local-path provisioner).
import type { Endpoints, Service } from '../shared/api/core';
import type { KubeObject } from '../shared/api/meta';
import { IS_DEFAULT_STORAGE_CLASS, LOCAL_PATH_PROVISIONER, LOCAL_PATH_STORAGE_CLASS, StorageClass } from '../shared/api/storage';
import { isAlreadyExists } from '../shared/errors';
import type { Logger } from '../shared/log';
import { ENFORCE_LABEL } from './admission/podsecurity';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES } from './auth/bootstrappolicy';
import { SYSTEM_NAMESPACES } from './registry/core/namespaces';
import { kubernetesServiceIP } from './registry/core/services';
import type { Store } from './registry/store';
import type { Stores } from './registry';
import { ClusterRoleBindings, ClusterRoles, EndpointsResource, Namespaces, Services, StorageClasses } from '../shared/api/resources';

const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';

export interface BootstrapConfig {
  serviceCIDR: string;
  securePort: number;
}

async function ensure(store: Store, namespace: string | undefined, obj: KubeObject): Promise<void> {
  try {
    await store.create(namespace, obj);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

export async function bootstrap(stores: Stores, config: BootstrapConfig, log: Logger): Promise<void> {
  const namespaces = stores.of(Namespaces);
  // kube-system runs the cluster's own add-ons, which may need host access: Pod Security "privileged".
  for (const name of SYSTEM_NAMESPACES)
    await ensure(namespaces, undefined, {
      metadata: { name, ...(name === 'kube-system' ? { labels: { [ENFORCE_LABEL]: 'privileged' } } : {}) },
    });

  const service: Service = {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: kubernetesServiceIP(config.serviceCIDR),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: config.securePort }],
      sessionAffinity: 'None',
    },
  };
  await ensure(stores.of(Services), 'default', service);

  // Its Endpoints start empty: every apiserver writes itself in (reconcilers/lease.ts).
  const endpoints: Endpoints = {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [],
  };
  await ensure(stores.of(EndpointsResource), 'default', endpoints);
  await reconcilePolicy(stores);
  const localPath: StorageClass = {
    metadata: { name: LOCAL_PATH_STORAGE_CLASS, annotations: { [IS_DEFAULT_STORAGE_CLASS]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
  await ensure(stores.of(StorageClasses), undefined, localPath);
  log.info({ serviceIP: service.spec.clusterIP }, 'bootstrapped system namespaces, the kubernetes service and the default roles');
}

/**
 * Creates the default roles and bindings, and puts back their rules and subjects if they were changed,
 * unless an administrator annotated one with rbac.authorization.kubernetes.io/autoupdate=false.
 */
async function reconcilePolicy(stores: Stores): Promise<void> {
  const reconcile = async (store: Store, wanted: KubeObject, fields: string[]) => {
    try {
      await store.create(undefined, wanted);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await store.guaranteedUpdate(undefined, wanted.metadata.name!, (current) => {
        if (current.metadata.annotations?.[AUTOUPDATE] === 'false') return current;
        const next = { ...current } as Record<string, unknown>;
        for (const f of fields) next[f] = (wanted as unknown as Record<string, unknown>)[f];
        return next as unknown as KubeObject;
      });
    }
  };
  for (const role of CLUSTER_ROLES) await reconcile(stores.of(ClusterRoles), role, ['rules']);
  for (const binding of CLUSTER_ROLE_BINDINGS) await reconcile(stores.of(ClusterRoleBindings), binding, ['subjects']);
}
