// The Endpoints controller (with the EndpointSlice mirror): for every Service with a selector, the
// addresses of its pods, ready ones in `addresses` and the others in `notReadyAddresses`, with named
// target ports resolved per pod.
import type { EndpointAddress, EndpointPort, Endpoints, EndpointSubset, Pod, Service } from '../../shared/api/core';
import type { EndpointSlice } from '../../shared/api/discovery';
import { objectKey, splitKey } from '../../shared/api/meta';
import { EndpointSlices, EndpointsResource, Pods, Services } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import type { Clock } from '../../shared/clock';
import { semanticallyEqual } from '../../shared/equality';
import { isNotFound } from '../../shared/errors';
import type { Lister, SharedInformerFactory } from '../../shared/informer';
import { selectorFromSet } from '../../shared/labels';
import { RateLimitingQueue } from '../../shared/workqueue';
import { Controller, isPodReady } from '../controller';
import { controllerRef } from '../podcontrol';

/** A service port's target port on one pod: a number, or a container port found by name. */
export function resolveTargetPort(pod: Pod, target: number | string | undefined, fallback: number): number | undefined {
  if (target === undefined) return fallback;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec.containers) for (const p of c.ports ?? []) if (p.name === target) return p.containerPort;
  return undefined;
}

/** The subsets of a Service's Endpoints: pods grouped by their resolved ports, sorted for stable output. */
export function computeSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const groups = new Map<string, EndpointSubset>();
  for (const pod of pods) {
    if (!pod.status?.podIP || pod.metadata.deletionTimestamp) continue;
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
    const ports: EndpointPort[] = [];
    let complete = true;
    for (const sp of svc.spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp.targetPort, sp.port);
      if (port === undefined) complete = false;
      else ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' });
    }
    if (!complete) continue;
    const key = JSON.stringify(ports);
    const subset = groups.get(key) ?? { ports };
    const address: EndpointAddress = {
      ip: pod.status.podIP,
      nodeName: pod.spec.nodeName,
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    // Only a pod whose subdomain names this Service is known by its hostname in it (a StatefulSet's pods).
    if (pod.spec.hostname && pod.spec.subdomain === svc.metadata.name) address.hostname = pod.spec.hostname;
    if (isPodReady(pod) || svc.spec.publishNotReadyAddresses) (subset.addresses ??= []).push(address);
    else (subset.notReadyAddresses ??= []).push(address);
    groups.set(key, subset);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, undefined, { numeric: true });
  return [...groups.values()]
    .map((s) => ({ ...s, addresses: s.addresses?.sort(byIP), notReadyAddresses: s.notReadyAddresses?.sort(byIP) }))
    .map((s) => Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as EndpointSubset);
}

/** The EndpointSlice mirroring a Service's Endpoints. */
export function sliceFor(svc: Service, subsets: EndpointSubset[]): EndpointSlice {
  const endpoint = (a: EndpointAddress, ready: boolean) => ({
    addresses: [a.ip],
    conditions: { ready, serving: ready, terminating: false },
    ...(a.hostname ? { hostname: a.hostname } : {}),
    ...(a.nodeName ? { nodeName: a.nodeName } : {}),
    ...(a.targetRef ? { targetRef: a.targetRef } : {}),
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      labels: {
        'kubernetes.io/service-name': svc.metadata.name!,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      ownerReferences: [{ ...controllerRef(svc, 'v1', 'Service') }],
    },
    addressType: 'IPv4',
    endpoints: subsets.flatMap((s) => [
      ...(s.addresses ?? []).map((a) => endpoint(a, true)),
      ...(s.notReadyAddresses ?? []).map((a) => endpoint(a, false)),
    ]),
    ports: subsets[0]?.ports?.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol })) ?? [],
  };
}

export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  readonly queue: RateLimitingQueue;
  private readonly services: Lister<Service>;
  private readonly pods: Lister<Pod>;
  private readonly endpoints: Lister<Endpoints>;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: Client,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'endpoint' });
    const svcInformer = informers.informerFor<Service>(Services);
    const podInformer = informers.informerFor<Pod>(Pods);
    const epInformer = informers.informerFor<Endpoints>(EndpointsResource);
    this.services = svcInformer.lister;
    this.pods = podInformer.lister;
    this.endpoints = epInformer.lister;
    const enqueue = (svc: Service) => this.queue.add(objectKey(svc));
    svcInformer.addEventHandler({ add: enqueue, update: (_o, s) => enqueue(s), delete: enqueue });
    const podChanged = (pod: Pod) => {
      for (const svc of this.services.list(pod.metadata.namespace)) {
        if (svc.spec.selector && selectorFromSet(svc.spec.selector).matches(pod.metadata.labels)) enqueue(svc);
      }
    };
    podInformer.addEventHandler({
      add: podChanged,
      update: (old, pod) => {
        podChanged(pod);
        if (!semanticallyEqual(old.metadata.labels, pod.metadata.labels)) podChanged(old);
      },
      delete: podChanged,
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    if (namespace === 'default' && name === 'kubernetes') return; // the apiserver maintains its own
    const svc = this.services.get(namespace, name);
    const endpoints = this.client.resource<Endpoints>(EndpointsResource);
    const slices = this.client.resource<EndpointSlice>(EndpointSlices);
    if (!svc) {
      await endpoints.delete(namespace, name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      return; // the slice goes with the Service through its owner reference
    }
    if (!svc.spec.selector || !Object.keys(svc.spec.selector).length) return; // user-managed endpoints
    const pods = this.pods.list(namespace, selectorFromSet(svc.spec.selector));
    const subsets = computeSubsets(svc, pods);
    const current = this.endpoints.get(namespace, name);
    const labels = { ...svc.metadata.labels };
    if (!current) {
      // AlreadyExists means the cache is behind: the sync is retried with the stored object.
      await endpoints.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets });
    } else if (!semanticallyEqual(current.subsets ?? [], subsets) || !semanticallyEqual(current.metadata.labels ?? {}, labels)) {
      await endpoints.update({ ...current, metadata: { ...current.metadata, labels }, subsets });
    }
    const slice = sliceFor(svc, subsets);
    try {
      const existing = await slices.get(namespace, name);
      if (!semanticallyEqual([existing.endpoints, existing.ports], [slice.endpoints, slice.ports]))
        await slices.update({ ...existing, endpoints: slice.endpoints, ports: slice.ports });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await slices.create(slice);
    }
  }
}
