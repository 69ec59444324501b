// PodControl: how controllers create and delete pods. The real side writes through the API; the fake
// records calls for unit tests.
import type { Pod, PodTemplateSpec } from '../shared/api/core';
import type { DeleteOptions, KubeObject, OwnerReference } from '../shared/api/meta';
import { Pods } from '../shared/api/resources';
import type { Client } from '../shared/client';
import { isNotFound } from '../shared/errors';

export interface PodControl {
  createPod(namespace: string, template: PodTemplateSpec, owner: OwnerReference, generateName: string): Promise<Pod>;
  /** `gracePeriodSeconds: 0` removes a pod whose kubelet is gone (as the pod garbage collector does). */
  deletePod(namespace: string, name: string, options?: DeleteOptions): Promise<void>;
}

/** The controller reference a child carries: controller=true, blockOwnerDeletion=true. */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** The pod a template describes, owned by `owner`. */
export function podFromTemplate(namespace: string, template: PodTemplateSpec, owner: OwnerReference, generateName: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace,
      labels: { ...template.metadata?.labels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ...(template.metadata?.finalizers?.length ? { finalizers: [...template.metadata.finalizers] } : {}),
      ownerReferences: [owner],
    },
    spec: structuredClone(template.spec),
  };
}

export class RealPodControl implements PodControl {
  constructor(private readonly client: Client) {}

  createPod(namespace: string, template: PodTemplateSpec, owner: OwnerReference, generateName: string): Promise<Pod> {
    return this.client.resource<Pod>(Pods).create(podFromTemplate(namespace, template, owner, generateName));
  }

  async deletePod(namespace: string, name: string, options?: DeleteOptions): Promise<void> {
    try {
      await this.client.resource<Pod>(Pods).delete(namespace, name, options);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export class FakePodControl implements PodControl {
  readonly created: Pod[] = [];
  readonly deleted: string[] = [];

  async createPod(namespace: string, template: PodTemplateSpec, owner: OwnerReference, generateName: string): Promise<Pod> {
    const pod = podFromTemplate(namespace, template, owner, generateName);
    pod.metadata.name = `${generateName}${this.created.length}`;
    this.created.push(pod);
    return pod;
  }

  async deletePod(_namespace: string, name: string, options?: DeleteOptions): Promise<void> {
    this.deleted.push(options?.gracePeriodSeconds === 0 ? `${name} (force)` : name);
  }
}
