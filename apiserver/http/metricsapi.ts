// metrics.k8s.io/v1beta1, what `kubectl top` and the HorizontalPodAutoscaler read: the apiserver asks every
// node's kubelet for its latest usage summary (`/stats/summary`), as metrics-server would.
import { Router } from 'express';
import type { Node, Pod } from '../../shared/api/core';
import type { NodeMetrics, PodMetrics } from '../../shared/api/metrics';
import { notFound } from '../../shared/errors';
import { formatBytes } from '../../shared/quantity';
import { parseSelector } from '../../shared/labels';
import { selectionPredicate } from '../registry/selection';
import { one, Query } from './query';
import type { Store } from '../registry/store';
import { KubeletClient, kubeletEndpoint } from '../kubeletclient';

interface Summary {
  node: { nodeName: string; time: string; cpu: { usageNanoCores: number }; memory: { workingSetBytes: number } };
  pods: {
    podRef: { name: string; namespace: string };
    time: string;
    containers: { name: string; cpu: { usageNanoCores: number }; memory: { workingSetBytes: number } }[];
  }[];
}

const cpu = (nanoCores: number) => `${Math.round(nanoCores)}n`;
const memory = (bytes: number) => (bytes % 1024 === 0 ? formatBytes(bytes) : `${Math.round(bytes / 1024)}Ki`);

function fetchSummary(kubelets: KubeletClient, node: Node): Promise<Summary | undefined> {
  const endpoint = kubeletEndpoint(node);
  if (!endpoint) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const req = kubelets.get(
      endpoint,
      '/stats/summary',
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as Summary);
          } catch {
            resolve(undefined);
          }
        });
      },
      2000,
    );
    req.on('error', () => resolve(undefined));
  });
}

async function summaries(kubelets: KubeletClient, nodes: Store): Promise<Summary[]> {
  const { items } = await nodes.list(undefined, () => true);
  return (await Promise.all((items as Node[]).map((n) => fetchSummary(kubelets, n)))).filter((s): s is Summary => !!s);
}

const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
});

export function metricsRouter(kubelets: KubeletClient, nodes: Store, pods: Store): Router {
  const router = Router();
  const base = '/apis/metrics.k8s.io/v1beta1';

  router.get([`${base}/nodes`, `${base}/nodes/:name`], async (req, res) => {
    const { name } = req.params as { name?: string };
    const selector = parseSelector(one(req.query as Query, 'labelSelector') ?? '');
    const { items } = await nodes.list(undefined, (n) => selector.matches(n.metadata.labels));
    const wanted = new Set(items.map((n) => n.metadata.name));
    const list: NodeMetrics[] = (await summaries(kubelets, nodes))
      .filter((s) => wanted.has(s.node.nodeName) && (!name || s.node.nodeName === name))
      .map((s) => ({
        metadata: meta(s.node.nodeName),
        timestamp: s.node.time,
        window: '10s',
        usage: { cpu: cpu(s.node.cpu.usageNanoCores), memory: memory(s.node.memory.workingSetBytes) },
      }));
    if (name) {
      if (!list.length) throw notFound('nodes.metrics.k8s.io', name);
      return void res.json({ kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...list[0] });
    }
    res.json({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: list });
  });

  router.get([`${base}/pods`, `${base}/namespaces/:namespace/pods`, `${base}/namespaces/:namespace/pods/:name`], async (req, res) => {
    const { namespace, name } = req.params as { namespace?: string; name?: string };
    const predicate = selectionPredicate(one(req.query as Query, 'labelSelector'), one(req.query as Query, 'fieldSelector'));
    const { items } = await pods.list(namespace, predicate);
    const known = new Set((items as Pod[]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const list: PodMetrics[] = (await summaries(kubelets, nodes))
      .flatMap((s) => s.pods)
      .filter((p) => known.has(`${p.podRef.namespace}/${p.podRef.name}`) && (!name || p.podRef.name === name))
      .map((p) => ({
        metadata: meta(p.podRef.name, p.podRef.namespace),
        timestamp: p.time,
        window: '10s',
        containers: p.containers.map((c) => ({
          name: c.name,
          usage: { cpu: cpu(c.cpu.usageNanoCores), memory: memory(c.memory.workingSetBytes) },
        })),
      }));
    if (name) {
      if (!list.length) throw notFound('pods.metrics.k8s.io', name);
      return void res.json({ kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1', ...list[0] });
    }
    res.json({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: list });
  });
  return router;
}
