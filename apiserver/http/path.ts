// Parses a resource URL into what it addresses:
//   /api/v1/namespaces/default/pods/web/status  → group '', version v1, namespace default, pods, web, status
//   /apis/apps/v1/deployments                   → every namespace's deployments
//   /api/v1/namespaces/default                  → the namespace object "default"
//   /api/v1/nodes/node-1/proxy/stats/summary     → nodes, node-1, proxy, with proxyPath /stats/summary
import { findResource, ResourceInfo } from '../../shared/api/resources';
import { badRequest } from '../../shared/errors';
import { HorizontalPodAutoscalersV1 } from './autoscalingv1';

export interface RequestTarget {
  resource: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The legacy `/watch/` path prefix was used. */
  watchPath: boolean;
  /**
   * For the proxy subresource: the path after `/proxy`, as sent (still escaped), with its leading and
   * trailing slashes ('' for none: `.../proxy`), and the request's path up to and including `/proxy`.
   */
  proxy?: { path: string; prefix: string };
}

/** A percent-decoded path segment; a malformed escape is a 400, as Go's HTTP server refuses the request. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL escape in path segment ${JSON.stringify(segment)}`);
  }
}

/** Finds a resource served besides the built-in ones (a custom resource) by group, version and plural. */
export type ResourceLookup = (group: string, version: string, plural: string) => ResourceInfo | undefined;

export function parseResourcePath(path: string, custom?: ResourceLookup): RequestTarget | undefined {
  const raw = path.split('/').filter((p) => p !== '');
  const parts = raw.map(decodeSegment);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  const namespaceSubresource = group === '' && rest[0] === 'namespaces' && rest.length === 3 && !findResource('', rest[2]);
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (!plural || (extra.length && subresource !== 'proxy')) return undefined;
  const version = group === '' ? 'v1' : parts[2];
  const stored = findResource(group, plural);
  const resource =
    stored?.version === version
      ? stored
      : group === 'autoscaling' && version === 'v1' && plural === stored?.plural
        ? HorizontalPodAutoscalersV1
        : custom?.(group, version, plural);
  if (!resource) return undefined;
  if (subresource && !(resource.subresources ?? []).includes(subresource)) return undefined;
  if (namespace !== undefined && !resource.namespaced) return undefined;
  const target: RequestTarget = { resource, namespace, name, subresource, watchPath };
  if (subresource === 'proxy') target.proxy = proxyPaths(raw, extra.length, path.endsWith('/'));
  return target;
}

/** Splits a proxy request's raw segments into the apiserver's prefix and the backend's path. */
function proxyPaths(raw: string[], backendSegments: number, trailingSlash: boolean): { path: string; prefix: string } {
  const cut = raw.length - backendSegments;
  let backend = backendSegments ? `/${raw.slice(cut).join('/')}` : '';
  if (trailingSlash && !backend.endsWith('/')) backend += '/';
  return { path: backend, prefix: `/${raw.slice(0, cut).join('/')}` };
}

/** Whether a request is for a proxy subresource, whose body the apiserver streams on instead of reading. */
export function isProxyPath(path: string): boolean {
  try {
    return parseResourcePath(path)?.subresource === 'proxy';
  } catch {
    return false;
  }
}
