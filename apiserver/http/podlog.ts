// GET pods/<name>/log: the apiserver picks the container, then streams the log from the kubelet of the
// pod's node (`/containerLogs/<namespace>/<pod>/<container>`), as Kubernetes does.
import type { Response } from 'express';
import type { Node, Pod } from '../../shared/api/core';
import { badRequest, internalError, toStatus } from '../../shared/errors';
import type { Store } from '../registry/store';
import { KubeletClient, kubeletEndpoint } from '../kubeletclient';
import { podContainer } from './podconnect';
import { one, Query } from './query';

/** The container whose log is wanted, or a BadRequest worded as Kubernetes words it. */
export function logContainer(pod: Pod, requested: string | undefined): string {
  const container = podContainer(pod, requested);
  if (!requested) return container;
  const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c) => c.name === requested);
  const waiting = status?.state?.waiting;
  if (!status || (waiting && !status.lastState?.terminated && status.restartCount === 0)) {
    throw badRequest(
      `container "${requested}" in pod "${pod.metadata.name}" is waiting to start: ${waiting?.reason ?? 'ContainerCreating'}`,
    );
  }
  return requested;
}

export async function streamPodLog(res: Response, pod: Pod, nodes: Store, kubelets: KubeletClient, query: Query): Promise<void> {
  const container = logContainer(pod, one(query, 'container'));
  if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const endpoint = kubeletEndpoint((await nodes.get(undefined, pod.spec.nodeName)) as Node);
  if (!endpoint) throw internalError(`node ${pod.spec.nodeName} has no kubelet endpoint`);

  const params = new URLSearchParams();
  for (const key of ['follow', 'tailLines', 'timestamps', 'previous', 'sinceSeconds', 'limitBytes']) {
    const v = one(query, key);
    if (v !== undefined) params.set(key, v);
  }
  const path = `/containerLogs/${encodeURIComponent(pod.metadata.namespace!)}/${encodeURIComponent(pod.metadata.name!)}/${encodeURIComponent(container)}?${params}`;
  await new Promise<void>((resolve) => {
    const upstream = kubelets.get(endpoint, path, (kubelet) => {
      res.status(kubelet.statusCode ?? 502);
      res.setHeader('Content-Type', kubelet.headers['content-type'] ?? 'text/plain');
      res.flushHeaders();
      kubelet.pipe(res);
      kubelet.on('end', resolve);
      kubelet.on('error', () => resolve());
    });
    res.on('close', () => {
      upstream.destroy();
      resolve();
    });
    upstream.on('error', (err) => {
      if (!res.headersSent)
        res.status(500).json(toStatus(internalError(`Get "https://${endpoint.host}:${endpoint.port}/containerLogs/...": ${err.message}`)));
      else res.end();
      resolve();
    });
  });
}
