// The kubelet's configMap and secret managers (pkg/kubelet/configmap, pkg/kubelet/secret): how it reads
// the ConfigMaps and Secrets its pods use, for their environment and their volumes. The Node authorizer
// lets a kubelet get only those a pod bound to it refers to, one by name.
import type { ConfigMap, Container, Pod, Secret } from '../shared/api/core';
import { envReferences } from '../shared/api/references';
import { ConfigMaps, Secrets } from '../shared/api/resources';
import type { Client, ResourceClient } from '../shared/client';
import type { KubeObject } from '../shared/api/meta';
import { isNotFound } from '../shared/errors';
import type { EnvSources } from './containerspec';

export class ObjectManager<T extends KubeObject> {
  constructor(private readonly objects: Pick<ResourceClient<T>, 'get'>) {}

  /** The object, or undefined when it does not exist. */
  async get(namespace: string, name: string): Promise<T | undefined> {
    return this.objects.get(namespace, name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
  }
}

export interface ConfigMapAndSecretManagers {
  configMaps: ObjectManager<ConfigMap>;
  secrets: ObjectManager<Secret>;
}

export const newConfigMapAndSecretManagers = (client: Client): ConfigMapAndSecretManagers => ({
  configMaps: new ObjectManager(client.resource<ConfigMap>(ConfigMaps)),
  secrets: new ObjectManager(client.resource<Secret>(Secrets)),
});

/** The ConfigMaps and Secrets these containers of the pod take environment variables from (a missing one is undefined). */
export async function envSources(managers: ConfigMapAndSecretManagers, pod: Pod, containers: Container[]): Promise<EnvSources> {
  const refs = envReferences(containers);
  const ns = pod.metadata.namespace!;
  const sources: EnvSources = { configMaps: new Map(), secrets: new Map() };
  for (const name of refs.configMaps) sources.configMaps.set(name, await managers.configMaps.get(ns, name));
  for (const name of refs.secrets) sources.secrets.set(name, await managers.secrets.get(ns, name));
  return sources;
}
