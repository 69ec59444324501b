// The root CA certificate publisher (kube-controller-manager's root-ca-cert-publisher): every namespace has
// a ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster's CA bundle, so a pod can verify the
// apiserver it reaches at kubernetes.default.svc. It is created with the namespace, created again when it
// is deleted and put back when someone changes it; a namespace being deleted is left alone.
import type { ConfigMap, Namespace } from '../../shared/api/core';
import { ConfigMaps, Namespaces } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import { isAlreadyExists, isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { RateLimitingQueue } from '../../shared/workqueue';
import type { Controller } from '../controller';

export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the ' +
  'internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** The two writes the publisher makes. */
export interface ConfigMapWriter {
  create(cm: ConfigMap): Promise<void>;
  update(cm: ConfigMap): Promise<void>;
}

/** What to write so namespace `ns` holds the CA: a new ConfigMap, the existing one corrected, or nothing. */
export function rootCAConfigMapChange(
  ns: string,
  rootCA: string,
  existing: ConfigMap | undefined,
): { create: ConfigMap } | { update: ConfigMap } | undefined {
  const data = { 'ca.crt': rootCA };
  if (!existing) {
    return {
      create: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: ROOT_CA_CONFIG_MAP, namespace: ns, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
        data,
      },
    };
  }
  const sameData = Object.keys(existing.data ?? {}).length === 1 && existing.data?.['ca.crt'] === rootCA;
  if (sameData && existing.metadata.annotations?.[DESCRIPTION_ANNOTATION]) return undefined;
  const annotations = { ...existing.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION };
  return { update: { ...existing, metadata: { ...existing.metadata, annotations }, data } };
}

export class RootCACertPublisher implements Controller {
  readonly name = 'root-ca-cert-publisher';
  readonly queue: RateLimitingQueue;
  private readonly namespaces: Lister<Namespace>;
  private readonly configMaps: Lister<ConfigMap>;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: ConfigMapWriter,
    private readonly rootCA: string,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'root_ca_cert_publisher' });
    const nss = informers.informerFor<Namespace>(Namespaces);
    const cms = informers.informerFor<ConfigMap>(ConfigMaps);
    this.namespaces = nss.lister;
    this.configMaps = cms.lister;
    const onNamespace = (ns: Namespace) => this.queue.add(ns.metadata.name!);
    nss.addEventHandler({ add: onNamespace, update: (_o, ns) => onNamespace(ns) });
    const onConfigMap = (cm: ConfigMap) => {
      if (cm.metadata.name === ROOT_CA_CONFIG_MAP) this.queue.add(cm.metadata.namespace!);
    };
    cms.addEventHandler({ update: (_o, cm) => onConfigMap(cm), delete: onConfigMap });
  }

  /** key: a namespace's name. */
  async sync(key: string): Promise<void> {
    const ns = this.namespaces.get('', key);
    // A namespace being deleted takes no new content (NamespaceLifecycle would refuse it).
    if (!ns || ns.metadata.deletionTimestamp) return;
    const change = rootCAConfigMapChange(key, this.rootCA, this.configMaps.get(key, ROOT_CA_CONFIG_MAP));
    try {
      if (change && 'create' in change) await this.writer.create(change.create);
      if (change && 'update' in change) await this.writer.update(change.update);
    } catch (err) {
      // Already there: the cache is behind and its update queues the namespace again. Not found: the
      // namespace (or the ConfigMap being updated) went meanwhile.
      if (!isAlreadyExists(err) && !isNotFound(err)) throw err;
    }
  }
}
