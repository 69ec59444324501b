// API discovery: which groups, versions and resources this server has. kubectl asks for the aggregated
// form (apidiscovery.k8s.io v2, or v2beta1 before 1.30) and falls back to the legacy documents.
import { Request, Response, Router } from 'express';
import { RESOURCES, ResourceInfo } from '../shared/api/resources';
import { StatusError, statusFailure } from '../shared/errors';
import { HorizontalPodAutoscalersV1 } from './http/autoscalingv1';

/** Groups served besides the stored resources: metrics.k8s.io for `kubectl top`. */
const METRICS: ResourceInfo[] = [
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'PodMetrics',
    plural: 'pods',
    singular: '',
    namespaced: true,
    verbs: ['get', 'list'],
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    kind: 'NodeMetrics',
    plural: 'nodes',
    singular: '',
    namespaced: false,
    verbs: ['get', 'list'],
  },
];

/** The review APIs (create only; answered, never stored): see http/reviews.ts. */
const REVIEWS: ResourceInfo[] = [
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'TokenReview',
    plural: 'tokenreviews',
    singular: '',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectReview',
    plural: 'selfsubjectreviews',
    singular: '',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1beta1',
    kind: 'SelfSubjectReview',
    plural: 'selfsubjectreviews',
    singular: '',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectRulesReview',
    plural: 'selfsubjectrulesreviews',
    singular: '',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SubjectAccessReview',
    plural: 'subjectaccessreviews',
    singular: '',
    namespaced: false,
    verbs: ['create'],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    plural: 'selfsubjectaccessreviews',
    singular: '',
    namespaced: false,
    verbs: ['create'],
  },
];

/** Every resource this server answers for, in discovery's order (OpenAPI describes the same ones). */
export const SERVED = [...RESOURCES, HorizontalPodAutoscalersV1, ...METRICS, ...REVIEWS];

/** What discovery lists: the built-in resources, and those added at run time (custom resources). */
export type ServedResources = () => ResourceInfo[];

/** Subresources: what each answers with and which verbs it takes. */
export function subresourceInfo(r: ResourceInfo, sub: string): { group: string; version: string; kind: string; verbs: string[] } {
  switch (sub) {
    case 'status':
      return { group: r.group, version: r.version, kind: r.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] };
    case 'log':
      return { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'finalize':
      return { group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'token':
      return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    case 'proxy': // PodProxyOptions, ServiceProxyOptions, NodeProxyOptions
      return { group: '', version: 'v1', kind: `${r.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'approval':
      return { group: r.group, version: r.version, kind: r.kind, verbs: ['get', 'patch', 'update'] };
    default:
      return { group: r.group, version: r.version, kind: r.kind, verbs: ['get'] };
  }
}

function groupVersions(all: ResourceInfo[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of all) {
    if (r.group === '') continue;
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return groups;
}

// ---- legacy documents -------------------------------------------------------------------------------

function apiResourceList(all: ResourceInfo[], group: string, version: string) {
  const resources = all
    .filter((r) => r.group === group && r.version === version)
    .flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      },
      ...(r.subresources ?? []).map((sub) => {
        const info = subresourceInfo(r, sub);
        return {
          name: `${r.plural}/${sub}`,
          singularName: '',
          namespaced: r.namespaced,
          ...(info.group !== r.group ? { group: info.group, version: info.version } : {}),
          kind: info.kind,
          verbs: info.verbs,
        };
      }),
    ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function apiGroupList(all: ResourceInfo[]) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groupVersions(all)].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

// ---- aggregated discovery -------------------------------------------------------------------------------

function aggregatedResource(r: ResourceInfo) {
  return {
    resource: r.plural,
    responseKind: { group: '', version: '', kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular || r.kind.toLowerCase(),
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    subresources: (r.subresources ?? []).map((sub) => {
      const info = subresourceInfo(r, sub);
      return { subresource: sub, responseKind: { group: info.group, version: info.version, kind: info.kind }, verbs: info.verbs };
    }),
  };
}

function aggregatedGroup(all: ResourceInfo[], name: string, versions: string[]) {
  return {
    metadata: { name },
    versions: versions.map((version) => ({
      version,
      freshness: 'Current',
      resources: all.filter((r) => r.group === name && r.version === version).map(aggregatedResource),
    })),
  };
}

/** The aggregated-discovery version the client asked for, if any (v2 preferred). */
function aggregatedVersion(req: Request): 'v2' | 'v2beta1' | undefined {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('as=APIGroupDiscoveryList')) return undefined;
  if (/g=apidiscovery\.k8s\.io;\s*v=v2;/.test(accept) || /g=apidiscovery\.k8s\.io;v=v2(;|,|$)/.test(accept)) return 'v2';
  if (accept.includes('v=v2beta1')) return 'v2beta1';
  return undefined;
}

function sendAggregated(res: Response, version: 'v2' | 'v2beta1', items: unknown[]): void {
  res.setHeader('Content-Type', `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`);
  res.setHeader('Vary', 'Accept');
  res.end(JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items }));
}

export function discoveryRouter(custom: ServedResources = () => []): Router {
  const router = Router();
  const served = () => [...SERVED, ...custom()];
  router.get('/api', (req, res) => {
    const aggregated = aggregatedVersion(req);
    if (aggregated) return sendAggregated(res, aggregated, [aggregatedGroup(SERVED, '', ['v1'])]);
    const host = req.headers.host ?? '127.0.0.1';
    res.json({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] });
  });
  router.get('/apis', (req, res) => {
    const all = served();
    const aggregated = aggregatedVersion(req);
    if (aggregated)
      return sendAggregated(
        res,
        aggregated,
        [...groupVersions(all)].map(([name, versions]) => aggregatedGroup(all, name, versions)),
      );
    res.json(apiGroupList(all));
  });
  router.get('/api/v1', (_req, res) => void res.json(apiResourceList(SERVED, '', 'v1')));
  router.get('/apis/:group', (req, res) => {
    const versions = groupVersions(served()).get(req.params.group);
    if (!versions) throw new StatusError(statusFailure(404, 'NotFound', 'the server could not find the requested resource'));
    res.json({
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: req.params.group,
      versions: versions.map((v) => ({ groupVersion: `${req.params.group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${req.params.group}/${versions[0]}`, version: versions[0] },
    });
  });
  router.get('/apis/:group/:version', (req, res) => {
    const { group, version } = req.params;
    const all = served();
    if (!all.some((r) => r.group === group && r.version === version))
      throw new StatusError(statusFailure(404, 'NotFound', 'the server could not find the requested resource'));
    res.json(apiResourceList(all, group, version));
  });
  return router;
}
