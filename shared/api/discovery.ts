// discovery.k8s.io/v1: EndpointSlices (mirrored from Endpoints by the controller-manager).
import type { KubeObject } from './meta';
import type { ObjectReference, Protocol } from './core';

export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointSlice extends KubeObject {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Endpoint[];
  ports?: { name?: string; port?: number; protocol?: Protocol; appProtocol?: string }[];
}
