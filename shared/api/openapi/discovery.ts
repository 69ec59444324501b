// discovery.k8s.io/v1: EndpointSlices.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { bool, definitions, int32, list, map, object, ref, str } from './model';

export const discovery = definitions('io.k8s.api.discovery.v1', {
  Endpoint: object(
    {
      addresses: list(str()),
      conditions: ref('EndpointConditions'),
      deprecatedTopology: map(str()),
      hints: ref('EndpointHints'),
      hostname: str(),
      nodeName: str(),
      targetRef: ref('io.k8s.api.core.v1.ObjectReference'),
      zone: str(),
    },
    { required: ['addresses'] },
  ),
  EndpointConditions: object({
    ready: bool(),
    serving: bool(),
    terminating: bool(),
  }),
  EndpointHints: object({
    forNodes: list(ref('ForNode')),
    forZones: list(ref('ForZone')),
  }),
  EndpointPort: object({
    appProtocol: str(),
    name: str(),
    port: int32(),
    protocol: str(),
  }),
  EndpointSlice: object({
    addressType: str(),
    apiVersion: str(),
    endpoints: list(ref('Endpoint')),
    kind: str(),
    metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    ports: list(ref('EndpointPort')),
  }),
  ForNode: object({
    name: str(),
  }),
  ForZone: object({
    name: str(),
  }),
});
