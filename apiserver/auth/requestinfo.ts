// What a request asks to do, in the terms authorization speaks (k8s.io/apiserver's RequestInfo):
//   GET    /api/v1/namespaces/default/pods          → list pods in default
//   PUT    /api/v1/namespaces/default/pods/web/status → update pods/status "web" in default
//   GET    /apis/apps/v1/deployments?watch=true     → watch deployments.apps at the cluster scope
//   GET    /healthz                                 → get the non-resource path /healthz
// Discovery (/api, /apis/apps/v1) is a non-resource request too, as in Kubernetes.

export interface RequestInfo {
  isResourceRequest: boolean;
  /** get, list, watch, create, update, patch, delete, deletecollection (or the HTTP method, lower-cased, for non-resource paths). */
  verb: string;
  path: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

/** Namespace subresources are not resources of their own: /api/v1/namespaces/x/status. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/**
 * Pod subresources that run something in the pod. Their WebSocket upgrade is a GET, authorized as the
 * create it is, as Kubernetes does since AuthorizePodWebsocketUpgradeCreatePermission (1.35): otherwise
 * a role that may only get pods/exec could exec.
 */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function nonResource(method: string, path: string): RequestInfo {
  return {
    isResourceRequest: false,
    verb: method.toLowerCase(),
    path,
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  };
}

export function requestInfo(method: string, path: string, watchParam: boolean): RequestInfo {
  const segments = path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  let apiGroup: string;
  let apiVersion: string;
  let parts: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    [apiGroup, apiVersion, parts] = ['', segments[1], segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    [apiGroup, apiVersion, parts] = [segments[1], segments[2], segments.slice(3)];
  } else {
    return nonResource(method, path);
  }

  let verb = METHOD_VERBS[method] ?? method.toLowerCase();
  if (parts[0] === 'watch') {
    verb = 'watch';
    parts = parts.slice(1);
  }
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = parts;
  if (verb === 'get' && !name) verb = watchParam ? 'watch' : 'list';
  else if (verb === 'get' && watchParam && subresource !== 'proxy') verb = 'watch'; // a proxied ?watch= is the backend's
  if (verb === 'delete' && !name) verb = 'deletecollection';
  if (verb === 'get' && apiGroup === '' && resource === 'pods' && CONNECT_SUBRESOURCES.has(subresource)) verb = 'create';
  return { isResourceRequest: true, verb, path, apiGroup, apiVersion, namespace, resource, subresource, name };
}

/** `pods`, `pods/status`: a resource as metrics and messages name it. */
export function resourceWithSubresource(info: RequestInfo): string {
  return info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
}
