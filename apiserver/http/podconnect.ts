// pods/exec, pods/attach and pods/portforward: Kubernetes' "connect" subresources. The apiserver checks
// the pod and the container, then hands the upgrade request to the kubelet of the pod's node, with the
// options turned into the kubelet's own query (`stdin=true` becomes `input=1`, ...), and splices the
// connections once the kubelet has agreed to the protocol with the client.
import type { Request, Response } from 'express';
import type { Node, Pod } from '../../shared/api/core';
import { badRequest, internalError } from '../../shared/errors';
import { KubeletClient, kubeletEndpoint } from '../kubeletclient';
import type { Store } from '../registry/store';
import { proxyUpgrade } from './upgrade';

export type ConnectSubresource = 'exec' | 'attach' | 'portforward';

/**
 * The container a request is for: the one named, else the pod's only container. Worded as Kubernetes
 * words it (pods/log, exec and attach share it).
 */
export function podContainer(pod: Pod, requested: string | undefined): string {
  const names = pod.spec.containers.map((c) => c.name);
  const initNames = (pod.spec.initContainers ?? []).map((c) => c.name);
  const podName = pod.metadata.name;
  if (!requested) {
    if (names.length === 1) return names[0];
    throw badRequest(
      `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]${initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : ''}`,
    );
  }
  if (![...initNames, ...names].includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

/** PodExecOptions and PodAttachOptions in the kubelet's terms. */
export function kubeletStreamQuery(options: URLSearchParams, subresource: 'exec' | 'attach'): URLSearchParams {
  const on = (name: string) => ['true', '1'].includes(options.get(name) ?? '');
  const query = new URLSearchParams();
  if (on('stdin')) query.set('input', '1');
  if (on('stdout')) query.set('output', '1');
  if (on('stderr')) query.set('error', '1');
  if (on('tty')) query.set('tty', '1');
  if (subresource === 'exec') for (const c of options.getAll('command')) query.append('command', c);
  return query;
}

export async function connectPod(
  req: Request,
  res: Response,
  pod: Pod,
  nodes: Store,
  kubelets: KubeletClient,
  subresource: ConnectSubresource,
): Promise<void> {
  // The raw query: `command` repeats once per argument, however many there are.
  const options = new URL(req.originalUrl, 'https://apiserver').searchParams;
  const [namespace, name] = [encodeURIComponent(pod.metadata.namespace!), encodeURIComponent(pod.metadata.name!)];
  let path: string;
  if (subresource === 'portforward') {
    // PodPortForwardOptions' ports, for the WebSocket form (SPDY clients name the port in each stream).
    const ports = options.getAll('ports').join(',');
    path = `/portForward/${namespace}/${name}${ports ? `?${new URLSearchParams({ port: ports })}` : ''}`;
  } else {
    const container = encodeURIComponent(podContainer(pod, options.get('container') ?? undefined));
    path = `/${subresource}/${namespace}/${name}/${container}?${kubeletStreamQuery(options, subresource)}`;
  }
  if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const endpoint = kubeletEndpoint((await nodes.get(undefined, pod.spec.nodeName)) as Node);
  if (!endpoint) throw internalError(`node ${pod.spec.nodeName} has no kubelet endpoint`);
  await proxyUpgrade(req, res, (headers) => kubelets.request(endpoint, req.method, path, headers));
}
