// Where a proxy subresource sends a request (the registries' ResourceLocation in Kubernetes):
//   services/[scheme:]name[:port]/proxy/...  → a ready endpoint of that Service port, dialled directly
//   pods/[scheme:]name[:port]/proxy/...      → the pod's IP, on that port (or its first container port)
//   nodes/[scheme:]name[:port]/proxy/...     → the node's kubelet, or another port of the node
//
// Every address dialled comes from the API and is checked here: an endpoint must be the IP of the pod
// its targetRef names (Endpoints are user-writable, pods' IPs are written by kubelets), and a pod or a
// node's non-kubelet port must be a global unicast address, never loopback or link-local (which would
// reach the apiserver machine's own services, such as etcd). The one exception is the kubelet's own
// port, which the apiserver already calls for logs and exec at the Node's registered address.
import type { Endpoints, Node, Pod, Service } from '../../shared/api/core';
import type { KubeObject } from '../../shared/api/meta';
import { badRequest, internalError, isNotFound, serviceUnavailable } from '../../shared/errors';
import { isGlobalUnicast } from '../../shared/nonspecialip';
import { kubeletEndpoint } from '../kubeletclient';

export interface ProxyLocation {
  scheme: 'http' | 'https';
  host: string;
  /** Undefined: the scheme's default port. */
  port?: number;
  /** `kubelet`: the node's kubelet, called with the apiserver's kubelet client certificate. */
  transport: 'kubelet' | 'direct';
}

/** How the locations read the objects they need (a Store does: get, or a NotFound StatusError). */
export interface ObjectGetter {
  get(namespace: string | undefined, name: string): Promise<KubeObject>;
}

/**
 * apimachinery's SplitSchemeNamePort: `name`, `name:port` or `scheme:name:port`; the scheme, if any,
 * is http or https, and the name is not empty. The port may be a number or a name.
 */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) [name] = parts;
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || !['', 'http', 'https'].includes(scheme)) return undefined;
  return { scheme, name, port };
}

const schemeOf = (scheme: string): 'http' | 'https' => (scheme === 'https' ? 'https' : 'http');
const isPortNumber = (port: string) => /^[0-9]+$/.test(port);

/** A pod's primary IP (the first of status.podIPs), as the proxy and endpoints use it. */
function podIP(pod: Pod): string | undefined {
  return pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP;
}

/** `pods/[scheme:]name[:port]`: the pod's IP; without a port, the first port any container declares. */
export async function podLocation(pods: ObjectGetter, namespace: string, id: string): Promise<ProxyLocation> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid pod request ${JSON.stringify(id)}`);
  const pod = (await pods.get(namespace, parsed.name)) as Pod;
  let port: number | undefined;
  if (parsed.port === '') {
    port = pod.spec.containers.find((c) => c.ports?.length)?.ports?.[0].containerPort;
  } else if (isPortNumber(parsed.port)) {
    port = Number(parsed.port);
  } else {
    // A named port: the container port of that name (Kubernetes hands the name to Go's dialer).
    port = pod.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === parsed.port)?.containerPort;
    if (port === undefined) throw badRequest(`invalid pod request ${JSON.stringify(id)}`);
  }
  const ip = podIP(pod);
  if (!ip || !isGlobalUnicast(ip)) throw badRequest('address not allowed');
  return { scheme: schemeOf(parsed.scheme), host: ip, port, transport: 'direct' };
}

/**
 * `services/[scheme:]name[:port]`: a ready address of the Service's Endpoints that serves that port
 * (by the Service port's number or name; no port means the unnamed one), starting from a random subset
 * and address as Kubernetes does. An address counts only while it is the IP of the pod it refers to.
 */
export async function serviceLocation(
  getters: { services: ObjectGetter; endpoints: ObjectGetter; pods: ObjectGetter },
  namespace: string,
  id: string,
  random: (n: number) => number = (n) => Math.floor(Math.random() * n),
): Promise<ProxyLocation> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid service request ${JSON.stringify(id)}`);
  const { name } = parsed;
  let portName = parsed.port;
  if (isPortNumber(portName)) {
    const service = (await getters.services.get(namespace, name)) as Service;
    const servicePort = service.spec.ports?.find((p) => p.port === Number(portName));
    if (!servicePort) throw serviceUnavailable(`no service port ${Number(portName)} found for service ${JSON.stringify(name)}`);
    portName = servicePort.name ?? '';
  }
  const endpoints = (await getters.endpoints.get(namespace, name)) as Endpoints;
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) throw serviceUnavailable(`no endpoints available for service ${JSON.stringify(name)}`);
  const firstSubset = random(subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const subset = subsets[(firstSubset + i) % subsets.length];
    const addresses = subset.addresses ?? [];
    const port = subset.ports?.find((p) => (p.name ?? '') === portName);
    if (!addresses.length || !port) continue;
    const firstAddress = random(addresses.length);
    for (let j = 0; j < addresses.length; j++) {
      const address = addresses[(firstAddress + j) % addresses.length];
      if (await isPodAddress(getters.pods, namespace, address)) {
        return { scheme: schemeOf(parsed.scheme), host: address.ip, port: port.port, transport: 'direct' };
      }
    }
  }
  throw serviceUnavailable(`no endpoints available for service ${JSON.stringify(id)}`);
}

/** Kubernetes' isValidAddress: the address names a pod of this namespace, and that pod has this IP. */
async function isPodAddress(
  pods: ObjectGetter,
  namespace: string,
  address: { ip: string; targetRef?: { kind?: string; namespace?: string; name?: string } },
): Promise<boolean> {
  const ref = address.targetRef;
  if (!ref?.name || ref.kind !== 'Pod' || ref.namespace !== namespace) return false;
  let pod: Pod;
  try {
    pod = (await pods.get(namespace, ref.name)) as Pod;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  return (pod.status?.podIPs ?? []).some((p) => p.ip === address.ip) && isGlobalUnicast(address.ip);
}

/**
 * `nodes/[scheme:]name[:port]`: the kubelet (no port, or the kubelet's port), over HTTPS with the
 * apiserver's client certificate; any other port of the node directly, which needs a global unicast
 * address (Kubernetes asks that of the kubelet's address too; here nodes the local launcher starts
 * register 127.0.0.1, so the kubelet port keeps the address logs and exec already use).
 */
export async function nodeLocation(nodes: ObjectGetter, id: string): Promise<ProxyLocation> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid node request ${JSON.stringify(id)}`);
  const node = (await nodes.get(undefined, parsed.name)) as Node;
  const kubelet = kubeletEndpoint(node);
  if (!kubelet) {
    throw internalError(`no preferred addresses found; known addresses: ${JSON.stringify(node.status?.addresses ?? [])}`);
  }
  if (parsed.port === '' || parsed.port === String(kubelet.port)) {
    return { scheme: 'https', host: kubelet.host, port: kubelet.port, transport: 'kubelet' };
  }
  if (!isPortNumber(parsed.port)) throw badRequest(`invalid node request ${JSON.stringify(id)}`);
  if (!isGlobalUnicast(kubelet.host)) throw badRequest('address not allowed');
  return { scheme: schemeOf(parsed.scheme), host: kubelet.host, port: Number(parsed.port), transport: 'direct' };
}
