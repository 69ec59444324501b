// Test helpers: each kind's defaulting and validation as its registry strategy names them (the strategies
// live in apiserver/registry/, which shared/ does not import), and the messages a request would get.
import { decodeObject } from '../decode';
import { defaultDeployment } from '../defaults/apps';
import { defaultEndpoints, defaultPod, defaultSecret, defaultService } from '../defaults/core';
import { defaultEndpointSlice } from '../defaults/discovery';
import type { KubeObject, StatusCause } from '../meta';
import {
  ConfigMaps,
  Deployments,
  EndpointSlices,
  EndpointsResource,
  Namespaces,
  Nodes,
  Pods,
  ResourceInfo,
  Secrets,
  Services,
} from '../resources';
import { validateDeployment } from './apps';
import { validateConfigMap, validateEndpoints, validateNamespace, validateNode, validateSecret, validateService } from './core';
import { validateEndpointSlice } from './discovery';
import { validatePod } from './pods';

/* eslint-disable @typescript-eslint/no-explicit-any -- each kind's functions take their own type */
/** The defaulting and validation of the kinds these tests use, as their registry strategies name them. */
const KINDS = new Map<ResourceInfo, { defaults?: (obj: any) => void; validate: (obj: any, old?: any) => StatusCause[] }>([
  [Pods, { defaults: defaultPod, validate: validatePod }],
  [Deployments, { defaults: defaultDeployment, validate: validateDeployment }],
  [Services, { defaults: defaultService, validate: validateService }],
  [EndpointsResource, { defaults: defaultEndpoints, validate: validateEndpoints }],
  [EndpointSlices, { defaults: defaultEndpointSlice, validate: validateEndpointSlice }],
  [Namespaces, { validate: validateNamespace }],
  [Nodes, { validate: validateNode }],
  [ConfigMaps, { validate: validateConfigMap }],
  [Secrets, { defaults: defaultSecret, validate: validateSecret }],
]);
/* eslint-enable @typescript-eslint/no-explicit-any */
export const applyDefaults = (resource: ResourceInfo, obj: KubeObject) => KINDS.get(resource)!.defaults?.(obj);
export const validateObject = (resource: ResourceInfo, obj: KubeObject, old?: KubeObject) => KINDS.get(resource)!.validate(obj, old);

/** `field: message` for each error a create (or, with `old`, an update) of `obj` would get. */
export function messages(resource: ResourceInfo, obj: unknown, old?: unknown): string[] {
  const decoded = decodeObject(resource, obj);
  applyDefaults(resource, decoded);
  return validateObject(resource, decoded, old as KubeObject | undefined).map((c) => `${c.field}: ${c.message}`);
}
