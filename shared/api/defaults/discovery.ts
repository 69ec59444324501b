// discovery.k8s.io/v1 defaulting: EndpointSlice ports are TCP unless they say otherwise.
import type { EndpointSlice } from '../discovery';
import { defaultEndpointPorts } from './core';

export const defaultEndpointSlice = (slice: EndpointSlice): void => defaultEndpointPorts(slice.ports);
