// metrics.k8s.io/v1beta1: what `kubectl top` reads.
import type { KubeObject } from './meta';
import type { ResourceList } from './core';

export interface PodMetrics extends KubeObject {
  timestamp: string;
  window: string;
  containers: { name: string; usage: ResourceList }[];
}

export interface NodeMetrics extends KubeObject {
  timestamp: string;
  window: string;
  usage: ResourceList;
}
